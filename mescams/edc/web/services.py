"""Read models the pages need (visit status, data-entry status, missing data) and the page-side save call.

Nothing here writes trial data: :func:`save_dated_form` hands over to the EDC's audited ``save_form``, which
owns every rule (dates not before consent included). Everything else reads through the EDC's visibility
rules (``visible_participants``), so a page can never list a participant its user may not see.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Collection
from dataclasses import dataclass, field
from typing import Any

from mescams.core.lifecycle import ParticipantState
from mescams.core.schedule import PlannedVisit, visit_plan_for
from mescams.edc.crfs.models import FORMS, Consent, MriScan, ParticipantRecord
from mescams.edc.crfs.services import save_form
from mescams.edc.trial.models import Participant
from mescams.protocols import default_protocol

__all__ = ["ACTIVITY_FORMS", "VisitStatus", "consent_date_of", "data_entry_matrix", "missing_data",
           "save_dated_form", "visit_statuses"]

ACTIVITY_FORMS: dict[str, str] = {
    "vital_signs": "vital_signs",
    "infusion": "infusion",
    "mri_gadolinium": "mri",
    "edss": "edss",
    "safety_labs": "safety_lab",
}
"""Protocol activities whose eCRF belongs to one visit (counted as due, entered or missing)."""

EVENT_FORMS: dict[str, str] = {
    "ae_review": "adverse_event",
    "relapse_review": "relapse",
    "concomitant_medications": "conmed",
}
"""Activities reviewed at a visit whose eCRFs are events (entered when something happened, never 'missing')."""

SCREENING_FORMS = ("consent", "demographics", "vital_signs")
"""What screening expects as eCRFs; the screening EDSS, MRI and labs live in the screening record."""

def today() -> dt.date:
    return dt.datetime.now(dt.UTC).date()


def consent_date_of(participant: Participant) -> dt.date | None:
    consent = Consent.objects.filter(participant=participant).order_by("consent_date").first()
    return consent.consent_date if consent else None


def save_dated_form(*, user: Any, participant: Participant, form: str, values: dict[str, Any],
                    record_pk: int | None = None, reason: str = "", confirm_checks: Collection[str] = (),
                    confirm_dose_change: bool = False) -> ParticipantRecord:
    """The EDC's audited ``save_form`` for a participant the page already holds.

    The service owns every rule and edit check, the dates-after-consent one included, so the pages and the API
    agree; ``confirm_checks`` are the soft checks the person confirms with ``reason``.
    """
    return save_form(user=user, participant_id=participant.participant_id, form=form, values=values,
                     record_pk=record_pk, reason=reason, confirm_checks=confirm_checks,
                     confirm_dose_change=confirm_dose_change)


def forms_due_at(visit_code: str) -> list[str]:
    visit = default_protocol().visit(visit_code)
    if visit.week is None:
        return list(SCREENING_FORMS)
    return [ACTIVITY_FORMS[a] for a in visit.activities if a in ACTIVITY_FORMS]


def event_forms_at(visit_code: str) -> list[str]:
    return [EVENT_FORMS[a] for a in default_protocol().visit(visit_code).activities if a in EVENT_FORMS]


@dataclass
class VisitStatus:
    """One visit of one participant: its window, the eCRFs due, those entered, and where it stands today."""

    plan: PlannedVisit | None
    code: str
    name: str
    due_forms: list[str]
    entered: dict[str, int] = field(default_factory=dict)
    state: str = "upcoming"  # done, partial, due, overdue, upcoming, not_expected
    out_of_window: dict[str, int] = field(default_factory=dict)  # forms entered outside the window: days outside

    @property
    def deviating(self) -> bool:
        return bool(self.out_of_window)

    @property
    def missing(self) -> list[str]:
        return [f for f in self.due_forms if not self.entered.get(f)]

    @property
    def completion(self) -> float:
        if not self.due_forms:
            return 1.0
        return sum(1 for f in self.due_forms if self.entered.get(f)) / len(self.due_forms)


def _entered_by_visit(participant: Participant) -> tuple[dict[tuple[str, str], int], dict[tuple[str, str], int]]:
    """How many records of each (visit, form), and for those dated outside the window, the days outside."""
    counts: Counter[tuple[str, str]] = Counter()
    outside: dict[tuple[str, str], int] = {}
    plans = {pv.code: pv for pv in (visit_plan_for(v, participant.week0_date) for v in default_protocol().visits)
             } if participant.week0_date else {}
    for form in {*ACTIVITY_FORMS.values(), *SCREENING_FORMS}:
        model = FORMS[form]
        date_field = model.date_field or "created_at"
        rows = model.objects.filter(participant=participant).values_list("visit_code", "out_of_window", date_field)
        for code, out_of_window, on in rows:
            counts[(code or "SCR", form)] += 1
            if out_of_window and code in plans:
                outside[(code, form)] = plans[code].days_outside(on)
    return counts, outside


def visit_statuses(participant: Participant, *, on: dt.date | None = None) -> list[VisitStatus]:
    """Every visit of the participant's plan with what is due, what is entered and its state on ``on``."""
    on = on or today()
    protocol = default_protocol()
    entered, outside = _entered_by_visit(participant)
    stopped = participant.status in (ParticipantState.SCREEN_FAILED, ParticipantState.WITHDRAWN)
    out = []
    for visit in protocol.visits:
        plan = visit_plan_for(visit, participant.week0_date) if participant.week0_date else None
        due = forms_due_at(visit.code)
        status = VisitStatus(plan, visit.code, visit.name, due, {f: entered.get((visit.code, f), 0) for f in due},
                             out_of_window={f: outside[(visit.code, f)] for f in due if (visit.code, f) in outside})
        if not status.missing:
            status.state = "done"
        elif visit.week is None:
            status.state = "partial" if any(status.entered.values()) else "due"
        elif plan is None or (stopped and (participant.withdrawal_date is None
                                           or plan.window_start > participant.withdrawal_date)):
            status.state = "not_expected"
        elif on > plan.window_end:
            status.state = "overdue"
        elif on >= plan.window_start:
            status.state = "due"
        else:
            status.state = "upcoming"
        out.append(status)
    return out


def next_due(statuses: list[VisitStatus]) -> VisitStatus | None:
    return next((s for s in statuses if s.plan and s.state in ("due", "upcoming")), None)


def data_entry_matrix(participants: list[Participant], *, on: dt.date | None = None) -> list[dict[str, Any]]:
    """Per visit and form: how many participants had it due by ``on``, how many have it entered, and how many of
    those entered outside the window."""
    rows: dict[tuple[str, str], dict[str, Any]] = {}
    for p in participants:
        for s in visit_statuses(p, on=on):
            if s.state in ("not_expected", "upcoming") or (s.plan is None and s.code != "SCR"):
                continue
            for form in s.due_forms:
                row = rows.setdefault((s.code, form), {"visit": s.code, "form": form, "expected": 0, "entered": 0,
                                                       "out_of_window": 0})
                row["expected"] += 1
                row["entered"] += 1 if s.entered.get(form) else 0
                row["out_of_window"] += 1 if form in s.out_of_window else 0
    order = {v.code: i for i, v in enumerate(default_protocol().visits)}
    return sorted(rows.values(), key=lambda r: (order[r["visit"]], r["form"]))


def missing_data(participants: list[Participant], *, on: dt.date | None = None) -> list[dict[str, Any]]:
    """Forms missing at visits whose window has closed, forms present but dated outside their window (a protocol
    deviation), and scans registered but not yet read."""
    out: list[dict[str, Any]] = []
    for p in participants:
        for s in visit_statuses(p, on=on):
            for form, days in s.out_of_window.items():
                out.append({"participant_id": p.participant_id, "site": p.site.code, "visit": s.code, "form": form,
                            "what": f"entered, out of window ({days:+d} days): protocol deviation",
                            "window_end": s.plan.window_end if s.plan else None})
            if s.state == "overdue" or (s.code == "SCR" and s.state == "partial"):
                for form in s.missing:
                    out.append({"participant_id": p.participant_id, "site": p.site.code, "visit": s.code,
                                "form": form, "what": "not entered",
                                "window_end": s.plan.window_end if s.plan else None})
        for scan in MriScan.objects.filter(participant=p, read_at__isnull=True).order_by("pk"):
            out.append({"participant_id": p.participant_id, "site": p.site.code, "visit": scan.visit_code,
                        "form": "mri", "what": "scan not read", "window_end": None})
    return out
