"""Running the edit checks on one submit: every failure at once, soft checks confirmed with a reason, queries.

:func:`judge` runs every check of the form (:mod:`mescams.edc.crfs.edit_checks`) together with the field rules
already found, and sorts what failed: hard failures and unconfirmed soft ones refuse the submit, all of them in one
:class:`~mescams.errors.EditChecksFailed`; confirmed soft checks and query checks are kept for :func:`record_outcome`,
which runs after the save (it needs the record's id).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from dataclasses import dataclass, field
from typing import Any

from django.apps import apps

from mescams.edc.crfs.edit_checks import CHECKS, EditCheck, checks_for
from mescams.errors import CheckFailure, EditChecksFailed, InputValidationError

__all__ = ["Judgement", "judge", "record_outcome"]

FIELD_RULE = "field_rule"
"""The check id of a field rule (a model's ``validate``) or the consent date rule in an answer's list."""


def _query_model() -> Any:
    """``queries.Query`` through Django's app registry, not imported: data management (queries, signatures, locks)
    builds on the eCRFs, so the eCRF app names the model of the queries it raises by its label."""
    return apps.get_model("queries", "Query")


@dataclass
class Judgement:
    """What the checks said about one submit."""

    refused: list[CheckFailure] = field(default_factory=list)
    confirmed: list[tuple[EditCheck, str, str]] = field(default_factory=list)
    queries: list[tuple[EditCheck, str, str]] = field(default_factory=list)
    reason: str = ""

    def raise_if_refused(self) -> None:
        if self.refused:
            raise EditChecksFailed(self.refused)


def _run(check: EditCheck, record: Any, participant: Any, *, tolerant: bool) -> list[tuple[str, str]]:
    """A check's failures; with field rules already broken, a check that cannot judge the values stays silent."""
    if not tolerant:
        return check.test(record, participant)
    try:
        return check.test(record, participant)
    except (TypeError, ValueError, KeyError, AttributeError, InputValidationError):
        return []


def _confirmed_before(record: Any, check: EditCheck, name: str, message: str) -> bool:
    """This very failure (same check, field and message) was confirmed with a reason on an earlier save."""
    if record.pk is None:
        return False
    Query = _query_model()
    return Query.objects.filter(participant_id=record.participant_id, form=record.form, record_id=str(record.pk),
                                edit_check=check.id, field=name, text=message, answered_by__gt="").exists()


def judge(record: Any, participant: Any, *, field_errors: list[InputValidationError], confirm: Collection[str],
          reason: str) -> Judgement:
    """Run every check of the record's form; ``confirm`` names the soft checks the person confirms with ``reason``."""
    reason = reason.strip()
    known = {c.id for c in CHECKS}
    out = Judgement(reason=reason)
    out.refused = [CheckFailure(FIELD_RULE, e.field, e.rule, "hard") for e in field_errors]
    out.refused += [CheckFailure("confirm_checks", "confirm_checks", f"{c} is not an edit check", "hard")
                    for c in confirm if c not in known]
    for check in checks_for(record.form):
        for name, message in _run(check, record, participant, tolerant=bool(field_errors)):
            if check.action == "refuse":
                out.refused.append(CheckFailure(check.id, name, message, "hard"))
            elif check.action == "query":
                out.queries.append((check, name, message))
            elif _confirmed_before(record, check, name, message):
                continue
            elif check.id in confirm and reason:
                out.confirmed.append((check, name, message))
            else:
                out.refused.append(CheckFailure(check.id, name, message, "soft"))
    if confirm and not reason:
        out.refused.append(CheckFailure("confirm_checks", "reason",
                                        "confirming a check needs a reason, typed by you", "hard"))
    order = {f.name: i for i, f in enumerate(record._meta.concrete_fields)}
    out.refused.sort(key=lambda f: (f.severity != "hard", order.get(f.field, len(order))))  # as the form reads
    return out


def _query(record: Any, check: EditCheck, name: str, text: str) -> Any:
    """Open the check's query on the record, unless one is open already."""
    Query = _query_model()
    open_already = Query.objects.filter(participant_id=record.participant_id, form=record.form,
                                        record_id=str(record.pk), edit_check=check.id).exclude(status="closed")
    if open_already.exists():
        return None
    query = Query(participant_id=record.participant_id, form=record.form, record_id=str(record.pk), field=name,
                  edit_check=check.id, text=text, opened_by="edit check")
    query.save()
    return query


def record_outcome(record: Any, judgement: Judgement, user: Any) -> list[Any]:
    """After the save: each confirmed soft check kept as a query answered by the person with their reason (audited
    with it, for the data manager to review and close), and the queries of the query checks. Returns the queries."""
    out: list[Any] = []
    now = dt.datetime.now(dt.UTC)
    Query = _query_model()
    for check, name, message in judgement.confirmed:
        query = Query(participant_id=record.participant_id, form=record.form, record_id=str(record.pk), field=name,
                      edit_check=check.id, text=message, opened_by="edit check", status="answered",
                      answer=f"confirmed: {judgement.reason}", answered_by=user.username, answered_at=now)
        query.save()
        out.append(query)
    for check, name, message in judgement.queries:
        opened = _query(record, check, name, message)
        if opened is not None:
            out.append(opened)
    return out
