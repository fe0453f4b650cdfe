"""The access log: who looked at which participant's data, when, by which route (PHIPA Ontario, PHIA Manitoba).

Every successful request of a logged-in user to a page or API route is recorded by :class:`AccessLogMiddleware`
as one small row (:class:`~mescams.edc.security.models.AccessRecord`): the participant named in the route, or ''
for a list, and nothing else, so a read costs one INSERT and no lock. Log-in, static files, the docs and the
access log itself are not participant data and are not recorded.

Tamper evidence, with the audit trail's keyed hash (:func:`mescams.edc.audit.chain.keyed_hash`, key
``MESCAMS_AUDIT_KEY`` kept outside the database): each row carries the hash of its own columns (a changed row
shows), and :func:`seal` chains the rows' hashes in order into an :class:`~mescams.edc.security.models.AccessLogSeal`
(a removed row shows). Sealing takes the one lock, in batches: when the data manager searches or exports the log,
on ``mescams access-log verify``, and every :data:`SEAL_EVERY` records. :func:`verify` checks both.

Records are kept ``MESCAMS_ACCESS_LOG_RETENTION_YEARS`` (default 15, Health Canada C.05.012 since 2022);
:func:`purge_expired` removes whole sealed batches older than that, recorded in the audit trail.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext

from mescams.core.blinding import BLINDING_POLICY, Reveal, Role
from mescams.core.spreadsheet import csv_text
from mescams.edc.audit.chain import GENESIS, append, keyed_hash
from mescams.edc.audit.context import Actor
from mescams.edc.security.models import AccessLogSeal, AccessRecord
from mescams.edc.security.roles import require_role
from mescams.errors import InputValidationError, MescamsError

__all__ = ["NOT_RECORDED", "SEAL_EVERY", "AccessLogMiddleware", "as_csv", "purge_expired", "record", "records",
           "search", "search_terms", "seal", "verify"]

SEAL_EVERY = 500
"""Every this many records, the request that writes one also seals the batch (one short lock, amortised)."""
NOT_RECORDED = ("/static/", "/accounts/", "/admin/", "/api/auth/", "/api/docs", "/api/openapi.json",
                "/api/access-log", "/dm/access-log")
"""Path prefixes that show no participant data (or are the log itself)."""
HASHED = ("at", "user_id", "username", "role", "participant_id", "method", "route")
CSV_COLUMNS = ("at", "username", "role", "participant_id", "method", "route")


class AccessLogBroken(MescamsError):
    """The access log was changed: a record does not match its hash or a seal's chain."""


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _digest(values: dict[str, Any]) -> str:
    return keyed_hash("", {k: values[k] for k in HASHED})


def record(*, user: Any, participant_id: str, method: str, route: str, at: dt.datetime | None = None) -> None:
    """Append one access record (one INSERT)."""
    values = {"at": at or _now(), "user_id": user.pk,
              "username": user.username, "role": user.role, "participant_id": participant_id[:32],
              "method": method[:8], "route": route[:200]}
    row = AccessRecord.objects.create(**values, digest=_digest(values))
    if row.pk % SEAL_EVERY == 0:
        seal()


def seal() -> AccessLogSeal | None:
    """Chain the records not yet sealed into a new seal; None if there were none."""
    with transaction.atomic():
        last = AccessLogSeal.objects.select_for_update().order_by("-last_record").first()
        after, prev = (last.last_record, last.chain_hash) if last else (0, GENESIS)
        rows = list(AccessRecord.objects.filter(pk__gt=after).order_by("pk").values_list("pk", "digest"))
        if not rows:
            return None
        chain = _chain(prev, rows)
        return AccessLogSeal.objects.create(sealed_at=_now(), first_record=rows[0][0], last_record=rows[-1][0],
                                            prev_hash=prev, chain_hash=chain)


def _chain(prev: str, rows: Iterable[tuple[int, str]]) -> str:
    for pk, digest in rows:
        prev = keyed_hash(prev, {"id": pk, "digest": digest})
    return prev


def verify() -> int:
    """Check every record's hash and every seal's chain (sealing what is pending first); the records checked."""
    seal()
    checked = 0
    previous: AccessLogSeal | None = None
    for s in AccessLogSeal.objects.order_by("last_record"):
        if previous is not None and s.prev_hash != previous.chain_hash:
            raise AccessLogBroken(gettext("seal ending at record %(last_record)s does not continue the one before "
                                          "it") % {
                "last_record": s.last_record})
        rows = AccessRecord.objects.filter(pk__gte=s.first_record, pk__lte=s.last_record).order_by("pk")
        pairs = []
        for row in rows.values("pk", "digest", *HASHED):
            if _digest(row) != row["digest"]:
                raise AccessLogBroken(gettext("access record %(row)s was changed") % {"row": row['pk']})
            pairs.append((row["pk"], row["digest"]))
        if _chain(s.prev_hash, pairs) != s.chain_hash:
            raise AccessLogBroken(gettext(
                "records between %(first_record)s and %(last_record)s were removed or reordered") % {
                    "first_record": s.first_record, "last_record": s.last_record})
        checked += len(pairs)
        previous = s
    return checked


def search_terms(values: dict[str, str]) -> dict[str, Any]:
    """participant_id, start and end from text (a query string, the command line); a bad date names its field."""
    terms: dict[str, Any] = {"participant_id": values.get("participant_id", "").strip()}
    for name in ("start", "end"):
        text = values.get(name, "").strip()
        try:
            terms[name] = dt.date.fromisoformat(text) if text else None
        except ValueError:
            raise InputValidationError(name, gettext("must be a date YYYY-MM-DD")) from None
    return terms


SAFETY_ROUTES = "/safety/"
"""The safety officer's SUSAR pages: which cases it reported (a POST to a case's report) implies their treatment, so
these records are kept, sealed and verified like any other, but shown only to roles that may see a case's treatment
(and to the server's operator, ``mescams access-log``), never to the blinded data manager."""


def search(*, user: Any, participant_id: str = "", start: dt.date | None = None, end: dt.date | None = None) -> Any:
    """:func:`records` for a data manager (only), the pending records sealed first; the SUSAR pages' records only
    for a role that may see a case's treatment."""
    require_role(user, Role.DATA_MANAGER)
    seal()
    rows = records(participant_id=participant_id, start=start, end=end)
    if not BLINDING_POLICY.may_see(user.role, Reveal.CASE_TREATMENT):
        rows = rows.exclude(route__startswith=SAFETY_ROUTES)
    return rows


def records(*, participant_id: str = "", start: dt.date | None = None, end: dt.date | None = None) -> Any:
    """The records (oldest first) of one participant and/or a date range (inclusive, UTC)."""
    rows = AccessRecord.objects.order_by("at", "pk")
    if participant_id:
        rows = rows.filter(participant_id=participant_id)
    if start:
        rows = rows.filter(at__date__gte=start)
    if end:
        rows = rows.filter(at__date__lte=end)
    return rows


def as_csv(rows: Iterable[AccessRecord]) -> str:
    """The records as CSV (UTF-8 text, ISO 8601 UTC times), formula-safe like every file meant for a spreadsheet
    (:func:`mescams.core.spreadsheet.csv_text`): an inspector opens it in one."""
    return csv_text(CSV_COLUMNS, ([r.at.astimezone(dt.UTC).isoformat(), *(getattr(r, c) for c in CSV_COLUMNS[1:])]
                                  for r in rows))


def purge_expired(*, now: dt.datetime | None = None) -> int:
    """Remove the sealed batches older than the retention period (whole batches, so the rest still verifies);
    recorded in the audit trail. The number of records removed."""
    now = now or _now()
    years = settings.MESCAMS_ACCESS_LOG_RETENTION_YEARS
    cutoff = now.replace(year=now.year - years) if not (now.month == 2 and now.day == 29) else \
        now.replace(year=now.year - years, day=28)
    removed = 0
    with transaction.atomic():
        for s in AccessLogSeal.objects.select_for_update().filter(sealed_at__lt=cutoff).order_by("last_record"):
            newest = AccessRecord.objects.filter(pk__lte=s.last_record).order_by("-at").values_list("at", flat=True)
            if newest.first() and newest.first() >= cutoff:
                break
            removed += AccessRecord.objects.filter(pk__lte=s.last_record)._raw_delete(AccessRecord.objects.db)
            AccessLogSeal.objects.filter(pk=s.pk).delete()
        if removed:
            append(actor=Actor.system("retention"), table="security_accessrecord", record_id="*", action="delete",
                   changes=[("records", str(removed), None)],
                   reason=f"older than the retention period ({years} years)")
    return removed


class AccessLogMiddleware:
    """Record each successful request of a logged-in user that may show participant data (after the response)."""

    def __init__(self, get_response: Callable[[Any], Any]) -> None:
        self.get_response = get_response

    def __call__(self, request: Any) -> Any:
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and response.status_code < 400 and \
                not request.path.startswith(NOT_RECORDED):
            match = getattr(request, "resolver_match", None)
            participant = str((match.kwargs if match else {}).get("participant_id", ""))
            record(user=user, participant_id=participant, method=request.method, route=request.path)
        return response
