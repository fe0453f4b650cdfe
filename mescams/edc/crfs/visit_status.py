"""Where each visit of a participant stands: the eCRFs due, those entered (and out of window), and its state today.

One definition for every reader: the pages' data-entry views (:mod:`mescams.edc.web.services`, which re-exports these
names) and the casebook's completeness before the investigator signs (:mod:`mescams.edc.queries.casebook`).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field

from mescams.core.lifecycle import ParticipantState
from mescams.core.schedule import PlannedVisit, visit_plan_for
from mescams.edc.crfs.models import FORMS
from mescams.edc.field_rules import today
from mescams.edc.trial.models import Participant
from mescams.protocols import default_protocol

__all__ = ["ACTIVITY_FORMS", "EVENT_FORMS", "SCREENING_FORMS", "VisitStatus", "event_forms_at", "forms_due_at",
           "next_due", "visit_statuses"]

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
