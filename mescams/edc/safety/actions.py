"""What the safety officer does with a case: reveal the treatment behind one SUSAR candidate, and record a report
sent to Health Canada. Both are audited, with the officer's reason; neither changes the adverse event itself, so
nothing a site or blinded role sees moves (no field, count, ordering or timing of theirs depends on them)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils.translation import gettext

from mescams.core.safety.expedited import ReportKind
from mescams.core.safety.susar import Screening, SusarVerdict
from mescams.edc.audit.context import acting
from mescams.edc.crfs.base import today
from mescams.edc.safety.cases import SafetyCase, safety_case
from mescams.edc.safety.models import CaseReveal, ExpeditedReport
from mescams.errors import InputValidationError

__all__ = ["record_report", "reveal_case"]


def reveal_case(*, user: Any, record_pk: int, reason: str) -> SafetyCase:
    """Reveal the product behind SUSAR candidate ``record_pk`` to the safety officer; recorded with the reason.

    Only a candidate (serious, related, unexpected) may be revealed: a pending case waits for its causality or
    coding, and any other case needs no verdict. Revealing again is recorded again (each look is a look)."""
    case = safety_case(user=user, record_pk=record_pk, today=today())
    if case.screening is not Screening.CANDIDATE:
        raise InputValidationError("record_pk",
                                   gettext("only a SUSAR candidate is revealed; this case is %(replace)s") % {
            "replace": case.screening.value.replace('_', ' ')})
    if not reason.strip():
        raise InputValidationError("reason", gettext("a reveal needs your reason"))
    with transaction.atomic(), acting(user, reason=f"SUSAR case reveal: {reason.strip()}"):
        CaseReveal(adverse_event=case.ae, revealed_to=user, reason=reason.strip()).save()
    return safety_case(user=user, record_pk=record_pk, today=today())


def record_report(*, user: Any, record_pk: int, kind: str, sent_on: dt.date, reference: str,
                  reason: str = "") -> ExpeditedReport:
    """Record that the report ``kind`` of SUSAR ``record_pk`` was sent to Health Canada on ``sent_on``."""
    case = safety_case(user=user, record_pk=record_pk, today=today())
    if case.verdict is not SusarVerdict.SUSAR:
        raise InputValidationError("kind", gettext("a report is recorded for a revealed SUSAR only"))
    needed = [c.deadline.kind.value for c in case.clocks]
    if kind not in needed:
        labels = ", ".join(ReportKind(k).label for k in needed)
        raise InputValidationError("kind", gettext("this case needs %(labels)s; not %(kind)s") % {
            "labels": labels, "kind": repr(kind)})
    if any(c.deadline.kind.value == kind and c.sent_on is not None for c in case.clocks):
        raise InputValidationError("kind", gettext("the %(label)s is already recorded") % {
            "label": ReportKind(kind).label})
    if sent_on < (case.ae.awareness_date or sent_on):
        raise InputValidationError("sent_on", gettext("must not be before the awareness date"))
    with transaction.atomic(), acting(user, reason=reason.strip() or f"expedited report sent: {kind}"):
        report = ExpeditedReport(adverse_event=case.ae, kind=kind, sent_on=sent_on, reference=reference.strip(),
                                 recorded_by=user)
        report.save()
    return report
