"""A participant's own report of new or worsening symptoms, and what the site must do about it.

MESCAMS counts relapses (a secondary outcome) by the protocol's definition: new or worsening neurological
symptoms lasting at least ``min_duration_hours`` (24 h), at least ``min_days_since_previous_onset`` after the
previous onset, not explained by fever or infection. A participant's report is not a relapse; it is a reason for
an unscheduled visit, where the investigator and the blinded rater examine them, within the protocol's window
(``ParticipantPortal.unscheduled_visit_within_days`` of the onset), so the relapse can be confirmed on time.
A report with fever or infection still asks for contact: the site decides (a pseudo-relapse is not a relapse).

Symptoms are grouped by the Kurtzke functional systems, the ones the EDSS rater scores.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from pydantic import BaseModel, ConfigDict, Field

from mescams.core.messages import DomainMessage, MessageTemplate
from mescams.errors import InputValidationError

__all__ = ["FUNCTIONAL_SYSTEMS", "ParticipantPortal", "ReportAssessment", "SymptomReport", "assess_report"]

FUNCTIONAL_SYSTEMS: dict[str, MessageTemplate] = {
    code: MessageTemplate(f"fs.{code}", english)
    for code, english in [
        ("visual", "Vision (blurred or lost sight, pain moving the eye)"),
        ("brainstem", "Double vision, dizziness, trouble speaking or swallowing"),
        ("pyramidal", "Weakness of an arm or leg"),
        ("cerebellar", "Balance, coordination, tremor"),
        ("sensory", "Numbness, tingling, loss of feeling"),
        ("bowel_bladder", "Bladder or bowel control"),
        ("cerebral", "Thinking, memory, mood or unusual fatigue"),
    ]
}
"""The Kurtzke functional systems, each described as a participant would notice it (message ids ``fs.<code>``)."""

VISIT_BY = MessageTemplate(
    "portal.report.visit_by",
    "Your study site has been told and will call you to arrange a visit on or before {visit_by}.",
)
VISIT_NOW = MessageTemplate(
    "portal.report.visit_now",
    "Your study site has been told and will call you to arrange a visit as soon as possible.",
)
FEVER_NOTE = MessageTemplate(
    "portal.report.fever",
    "You reported a fever or an infection: if you feel very unwell, call your doctor or go to an emergency "
    "department now.",
)
MAX_REPORT_AGE_DAYS = 365
ONSET_FUTURE = MessageTemplate("portal.report.onset_future", "The start date must not be in the future.")
ONSET_OLD = MessageTemplate("portal.report.onset_old", "The start date must be within the last {days} days.")
NO_SYSTEM = MessageTemplate("portal.report.no_system", "Choose at least one kind of symptom.")


def _invalid(field: str, message: DomainMessage) -> InputValidationError:
    """A refusal naming the field, carrying its message id so the portal can say it in the reader's language."""
    error = InputValidationError(field, message.english())
    error.message = message  # type: ignore[attr-defined]
    return error


class ParticipantPortal(BaseModel):
    """The participant portal of a trial: off unless the protocol file turns it on."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    enabled: bool = False
    unscheduled_visit_within_days: int = Field(default=7, ge=1, le=60)
    """A reported relapse is examined at an unscheduled visit within this many days of the onset."""
    ae_diary_days_after_infusion: int = Field(default=14, ge=1, le=90)
    """Days after each infusion during which the participant keeps an adverse-event diary."""
    invitation_valid_days: int = Field(default=14, ge=1, le=60)


@dataclass(frozen=True)
class SymptomReport:
    """What the participant reported."""

    onset_date: dt.date
    systems: frozenset[str]
    lasted_24_hours: bool
    fever_or_infection: bool
    description: str = ""


@dataclass(frozen=True)
class ReportAssessment:
    """What follows from a report: whether it may be a relapse, the date the visit is due by, what to tell them."""

    possible_relapse: bool
    visit_by: dt.date
    overdue: bool
    messages: tuple[DomainMessage, ...]


def assess_report(report: SymptomReport, *, portal: ParticipantPortal, min_duration_hours: int,
                  exclude_fever_or_infection: bool, today: dt.date) -> ReportAssessment:
    """Check ``report`` and say when the unscheduled visit is due (``onset + unscheduled_visit_within_days``).

    A possible relapse needs symptoms lasting ``min_duration_hours`` (the form asks about 24 hours; a protocol
    asking for longer treats every report as possible) and, where the protocol excludes them, no fever or infection.
    """
    if report.onset_date > today:
        raise _invalid("onset_date", ONSET_FUTURE())
    if (today - report.onset_date).days > MAX_REPORT_AGE_DAYS:
        raise _invalid("onset_date", ONSET_OLD(days=MAX_REPORT_AGE_DAYS))
    if not report.systems:
        raise _invalid("systems", NO_SYSTEM())
    unknown = sorted(report.systems - FUNCTIONAL_SYSTEMS.keys())
    if unknown:
        raise InputValidationError("systems", f"unknown functional systems {unknown}")
    lasted = report.lasted_24_hours or min_duration_hours > 24
    possible = lasted and not (exclude_fever_or_infection and report.fever_or_infection)
    visit_by = report.onset_date + dt.timedelta(days=portal.unscheduled_visit_within_days)
    overdue = visit_by < today
    messages = [VISIT_NOW() if overdue else VISIT_BY(visit_by=visit_by.isoformat())]
    if report.fever_or_infection:
        messages.append(FEVER_NOTE())
    return ReportAssessment(possible_relapse=possible, visit_by=max(visit_by, today), overdue=overdue,
                            messages=tuple(messages))
