"""Source data verification and monitoring visits: what the monitor (a clinical research associate, blinded,
read-only on the data of the sites assigned to it) records. Every mark and visit is an audited row.

A verification mark remembers the audit sequence number of the record's latest change when it was made; the
record is "verified" while that is still its latest change, and "changed since verification" once it has changed
afterwards (a correction after the monitor's check has to be checked again)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext

from mescams.core.blinding import Role
from mescams.edc.audit.context import acting
from mescams.edc.audit.models import AuditEntry
from mescams.edc.crfs.access import may_read
from mescams.edc.crfs.models import FORMS
from mescams.edc.monitoring.models import MonitoringVisit, SourceVerification
from mescams.edc.queries.services import visible_queries
from mescams.edc.trial.models import Participant, ProtocolDeviation, Site
from mescams.edc.trial.services import get_visible_participant, require_role, visible_participants
from mescams.errors import InputValidationError

__all__ = ["RecordCheck", "participant_checks", "record_visit", "site_summary", "verify_record"]

VERIFIABLE = [form for form in FORMS if form not in ("screening",)]
"""The eCRFs a monitor verifies against the source, one record at a time (the screening record with its criteria
is verified as a form too, through its own table)."""


@dataclass(frozen=True)
class RecordCheck:
    """One record of one form and where its verification stands."""

    form: str
    record: Any
    state: str  # "verified", "changed" (since verification) or "not_verified"
    mark: SourceVerification | None


def _latest_changes(form: str, record_ids: list[int]) -> dict[int, int]:
    table = FORMS[form]._meta.db_table
    rows = (AuditEntry.objects.filter(table=table, record_id__in=[str(i) for i in record_ids])
            .values("record_id").annotate(last=Max("seq")).order_by())
    return {int(r["record_id"]): int(r["last"]) for r in rows}


def participant_checks(participant: Participant, forms: list[str] | None = None) -> list[RecordCheck]:
    """Every record of the participant's verifiable forms with its verification state, form by form."""
    marks: dict[tuple[str, int], SourceVerification] = {}
    for mark in SourceVerification.objects.filter(participant=participant).order_by("verified_at", "pk"):
        marks[(mark.form, mark.record_id)] = mark  # the latest mark of each record
    checks = []
    for form in forms or FORMS:
        records = list(FORMS[form].objects.filter(participant=participant).order_by("pk"))
        latest = _latest_changes(form, [r.pk for r in records]) if records else {}
        for record in records:
            mark = marks.get((form, record.pk))
            state = "not_verified" if mark is None else (
                "verified" if latest.get(record.pk, 0) <= mark.record_seq else "changed")
            checks.append(RecordCheck(form, record, state, mark))
    return checks


def verify_record(*, user: Any, participant_id: str, form: str, record_id: int, note: str = "") -> SourceVerification:
    """Mark one record as verified against the source (monitor only, at its own sites)."""
    require_role(user, Role.MONITOR)
    if form not in FORMS or not may_read(user.role, form):
        raise InputValidationError("form", gettext("must be one of %(sorted)s, got %(form)s") % {
            "sorted": ', '.join(sorted(FORMS)), "form": repr(form)})
    if len(note) > 2000:
        raise InputValidationError("note", gettext("at most 2000 characters"))
    with transaction.atomic(), acting(user, reason="source data verification"):
        participant = get_visible_participant(user, participant_id)
        if not FORMS[form].objects.filter(participant=participant, pk=record_id).exists():
            raise InputValidationError("record_id",
                                       gettext("no %(form)s record %(record_id)s for %(participant_id)s") % {
                "form": form, "record_id": record_id, "participant_id": participant_id})
        seq = _latest_changes(form, [record_id]).get(record_id, 0)
        mark = SourceVerification(participant=participant, form=form, record_id=record_id, record_seq=seq,
                                  verified_by=user.username, note=note.strip())
        mark.save()
    return mark


def site_summary(user: Any, site: Site) -> dict[str, Any]:
    """The figures of a monitoring report for one site: participants, records verified / changed since / not yet,
    open queries, protocol deviations (blinded: nothing here depends on allocation)."""
    participants = list(visible_participants(user).filter(site=site))
    counts = {"verified": 0, "changed": 0, "not_verified": 0}
    per_participant = []
    for p in participants:
        states = {"verified": 0, "changed": 0, "not_verified": 0}
        for check in participant_checks(p):
            states[check.state] += 1
        for key in counts:
            counts[key] += states[key]
        per_participant.append({"participant_id": p.participant_id, "status": p.status, **states})
    open_queries = visible_queries(user).filter(participant__site=site).exclude(status="closed").count()
    deviations = ProtocolDeviation.objects.filter(participant__in=participants).count()
    return {"site": site.code, "participants": len(participants), "records": sum(counts.values()), **counts,
            "open_queries": open_queries, "deviations": deviations, "per_participant": per_participant}


def record_visit(*, user: Any, site_code: str, visit_date: dt.date, findings: str,
                 actions: str = "") -> MonitoringVisit:
    """Record a monitoring visit at one of the monitor's sites, with the report's figures as they stand now."""
    require_role(user, Role.MONITOR)
    site = user.sites.filter(code=site_code).first()
    if site is None:
        raise InputValidationError("site", gettext("%(site_code)s is not one of your sites") % {
            "site_code": repr(site_code)})
    if not findings.strip():
        raise InputValidationError("findings", gettext("a visit report needs its findings"))
    if visit_date > dt.datetime.now(dt.UTC).date():
        raise InputValidationError("visit_date", gettext("a visit is recorded once it has taken place (not a future "
                                                         "date)"))
    with transaction.atomic(), acting(user, reason="monitoring visit report"):
        visit = MonitoringVisit(site=site, visit_date=visit_date, monitor=user.username, findings=findings.strip(),
                                actions=actions.strip(), summary=site_summary(user, site))
        visit.save()
    return visit
