"""Searching the audit trail as people ask about it: by participant (their ID, never an internal number), form,
field, user and date range, newest first, a page at a time.

The trail stores ``table`` and ``record_id`` only. A participant's entries are those of the records that belong
to them: their own row, every row of a model with a ``participant`` link (eCRFs, queries, signatures, locks...),
and the messages of their queries; each is found through the ``(table, record_id)`` index. Internal numbers are
turned back into participant IDs for display. Blinded roles never get the allocation tables nor the lab's cell
counts (the same rule as the API's audit route)."""

from __future__ import annotations

import datetime as dt
import json
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from django.apps import apps
from django.contrib.auth import get_user_model
from django.db.models import Model, Q, QuerySet

from mescams.core.blinding import BLINDING_POLICY, Reveal
from mescams.edc.api.management import ALLOCATION_TABLES, LAB_FIELDS
from mescams.edc.audit.models import AuditEntry
from mescams.edc.crfs.models import FORMS
from mescams.edc.i18n.labels import FORM_TITLES
from mescams.edc.queries.models import QueryMessage
from mescams.edc.trial.models import Participant
from mescams.edc.web.forms import field_label_in, label_of

PARTICIPANT_TABLE = Participant._meta.db_table
MESSAGE_TABLE = QueryMessage._meta.db_table


@dataclass(frozen=True)
class AuditFilters:
    """What a search asks for; empty strings and None mean "any"."""

    participant_id: str = ""
    table: str = ""
    field: str = ""
    username: str = ""
    date_from: dt.date | None = None
    date_to: dt.date | None = None

    @property
    def any(self) -> bool:
        return bool(self.participant_id or self.table or self.field or self.username or self.date_from
                    or self.date_to)


@lru_cache(maxsize=1)
def participant_models() -> dict[str, type[Model]]:
    """Every model whose rows belong to one participant (a ``participant`` link), by database table."""
    found: dict[str, type[Model]] = {}
    for model in apps.get_models():
        field = next((f for f in model._meta.get_fields() if f.name == "participant"), None)
        if field is not None and getattr(field, "related_model", None) is Participant:
            found[model._meta.db_table] = model
    return found


@lru_cache(maxsize=1)
def table_names() -> dict[str, str]:
    """The tables of the trail in words (eCRFs by their titles), for the search's "form or record" list."""
    names = {model._meta.db_table: FORM_TITLES.get(form, label_of(form)) for form, model in FORMS.items()}
    for model in apps.get_models():
        if model._meta.app_label in ("crfs", "trial", "queries", "randomisation", "accounts"):
            names.setdefault(model._meta.db_table, str(model._meta.verbose_name).capitalize())
    return names


def form_of_table(table: str) -> str:
    return next((form for form, model in FORMS.items() if model._meta.db_table == table), "")


def searchable_tables(role: str) -> list[tuple[str, str]]:
    """(table, name) pairs a role may search, by name."""
    blinded = not BLINDING_POLICY.may_see(role, Reveal.ALLOCATION_LIST)
    return sorted(((t, n) for t, n in table_names().items() if not (blinded and t in ALLOCATION_TABLES)),
                  key=lambda pair: pair[1])


def _records_of(participant: Participant) -> Q:
    """The entries of every record belonging to ``participant``."""
    where = Q(table=PARTICIPANT_TABLE, record_id=str(participant.pk))
    for table, model in participant_models().items():
        ids = [str(pk) for pk in model._default_manager.filter(participant=participant).values_list("pk", flat=True)]
        if ids:
            where |= Q(table=table, record_id__in=ids)
    messages = [str(pk) for pk in QueryMessage.objects.filter(query__participant=participant)
                .values_list("pk", flat=True)]
    if messages:
        where |= Q(table=MESSAGE_TABLE, record_id__in=messages)
    return where


def field_name(typed: str) -> str:
    """A field as typed in the search ("Weight (kg)", "weight kg", "weight_kg") as the trail names it."""
    text = typed.strip().lower()
    for unit_suffix, unit in (("_kg", "(kg)"), ("_ml", "(ml)"), ("_cm", "(cm)")):
        text = text.replace(f" {unit}", unit_suffix)
    return "_".join(text.replace("(", " ").replace(")", " ").split())


def search(*, role: str, visible: QuerySet[Participant], filters: AuditFilters) -> QuerySet[AuditEntry]:
    """The entries matching ``filters`` that ``role`` may read, newest first (a participant outside ``visible``
    matches nothing)."""
    qs = AuditEntry.objects.order_by("-seq")
    if not BLINDING_POLICY.may_see(role, Reveal.ALLOCATION_LIST):
        qs = qs.exclude(table__in=ALLOCATION_TABLES)
    if not BLINDING_POLICY.may_see(role, Reveal.CELL_COUNTS):
        qs = qs.exclude(table="crfs_infusion", field__in=[f for _, f in LAB_FIELDS])
    if filters.participant_id:
        participant = visible.filter(participant_id__iexact=filters.participant_id).first()
        if participant is None:
            return qs.none()
        qs = qs.filter(_records_of(participant))
    if filters.table:
        qs = qs.filter(table=filters.table)
    if filters.field:
        qs = qs.filter(field=field_name(filters.field))
    if filters.username:
        # the account's exact name (names are unique ignoring case), so the (username, seq) index serves the
        # search; a name no account has any more is matched as typed
        names = list(get_user_model().objects.filter(username__iexact=filters.username)
                     .values_list("username", flat=True)) or [filters.username]
        qs = qs.filter(username__in=names)
    if filters.date_from:
        qs = qs.filter(at__gte=dt.datetime.combine(filters.date_from, dt.time(), dt.UTC))
    if filters.date_to:
        qs = qs.filter(at__lt=dt.datetime.combine(filters.date_to + dt.timedelta(days=1), dt.time(), dt.UTC))
    return qs


def shown(value: str | None) -> str:
    """A stored value as people read it: JSON text without its quotes ("W4" -> W4), null as empty."""
    if value is None or value == "null":
        return ""
    if value.startswith('"'):
        try:
            return str(json.loads(value))
        except ValueError:
            return value
    return value


def described(entries: Iterable[AuditEntry]) -> list[dict[str, Any]]:
    """Entries of one page for people: the participant each record belongs to, the table and field in words, and
    a participant link shown as the participant's ID instead of its internal number."""
    entries = list(entries)
    wanted: dict[str, set[str]] = defaultdict(set)
    for e in entries:
        wanted[e.table].add(e.record_id)
    owner: dict[tuple[str, str], str] = {}
    for table, ids in wanted.items():
        numeric = [int(i) for i in ids if i.isdigit()]
        if table == PARTICIPANT_TABLE:
            rows = Participant.objects.filter(pk__in=numeric).values_list("pk", "pk")
        elif table == MESSAGE_TABLE:
            rows = QueryMessage.objects.filter(pk__in=numeric).values_list("pk", "query__participant_id")
        elif table in participant_models():
            rows = participant_models()[table]._default_manager.filter(pk__in=numeric).values_list("pk",
                                                                                                   "participant_id")
        else:
            continue
        for pk, participant_pk in rows:
            if participant_pk is not None:
                owner[(table, str(pk))] = participant_pk
    links = {int(v) for e in entries if e.field == "participant_id" for v in (e.old, e.new) if v and v.isdigit()}
    pids = dict(Participant.objects.filter(pk__in={*owner.values(), *links}).values_list("pk", "participant_id"))
    out = []
    for e in entries:
        form = form_of_table(e.table)
        old, new = e.old, e.new
        if e.field == "participant_id":
            old = pids.get(int(old), old) if old and old.isdigit() else old
            new = pids.get(int(new), new) if new and new.isdigit() else new
        out.append({"entry": e, "participant": pids.get(owner.get((e.table, e.record_id), -1), ""),
                    "what": table_names().get(e.table, e.table),
                    "field": "participant" if e.field == "participant_id"
                    else field_label_in(form, e.field) if form else label_of(e.field),
                    "old": shown(old), "new": shown(new)})
    return out
