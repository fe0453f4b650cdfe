"""The edit checks: every check on entered eCRF data, declared here and nowhere else.

Each check has an id, the forms it reads, a severity and a test returning ``(field, message)`` per failure, the
message naming the values. What a failure does depends on the check:

- ``hard``: the submit is refused (impossible values);
- ``soft`` + ``confirm``: refused until the person confirms the check with a reason; the confirmation is kept as
  an answered query (audited, with that person's reason) for the data manager to review;
- ``soft`` + ``query``: saved, and a query opens for the site to resolve.

============================  =====  =======  ====================================================================
id                            sev.   action   what
============================  =====  =======  ====================================================================
visit_date_impossible         hard   refuse   a date before the previous visit or after the next visit's window
out_of_window                 soft   query    a date outside its visit's window (also a protocol deviation)
vital_signs_possible          hard   refuse   a vital sign beyond what a living adult can have
vital_signs_plausible         soft   confirm  a vital sign beyond what is plausible in this population
edss_recorded_vs_computed     soft   confirm  the rater's EDSS differs from the one computed from FS and ambulation
edss_jump                     soft   query    an EDSS more than 2.0 away from the previous assessment
demographics_vs_screening     soft   confirm  sex, birth year or MS course differ from the screening record
relapse_onset_vs_visits       soft   confirm  a relapse starting before week 0 or after the end of follow-up
ae_end_before_onset           soft   query    an adverse event ending before it began
ae_severity_vs_grade          soft   query    an AE's severity missing, or not the one its CTCAE grade's wording gives
============================  =====  =======  ====================================================================

The registry is a literal tuple (no registration by import), checked once at start-up by :func:`verify_registry`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from mescams.core.safety.severity import severity_for_grade
from mescams.core.schedule import visit_plan_for
from mescams.edc.crfs.models import FORMS, EdssAssessment, ScreeningRecord
from mescams.edc.crfs.visit_window import admissible_dates, planned_window
from mescams.protocols import default_protocol

__all__ = ["CHECKS", "EDSS_JUMP_LIMIT", "VITAL_LIMITS", "EditCheck", "checks_for", "verify_registry"]

Failures = list[tuple[str, str]]
EDSS_JUMP_LIMIT = 2.0

VITAL_LIMITS: dict[str, tuple[float, float, float, float]] = {
    # field: (possible low, possible high, plausible low, plausible high); adults with MS (assumption)
    "weight_kg": (25, 300, 40, 150),
    "height_cm": (100, 230, 140, 205),
    "systolic_mmhg": (60, 260, 85, 180),
    "diastolic_mmhg": (30, 160, 45, 110),
    "heart_rate_bpm": (25, 220, 45, 120),
    "temperature_c": (33, 43, 35.5, 38.5),
}


@dataclass(frozen=True)
class EditCheck:
    """One declared check; ``test(record, participant)`` returns ``(field, message)`` for each failure."""

    id: str
    forms: tuple[str, ...]
    severity: str  # hard | soft
    action: str  # refuse (hard) | confirm | query (soft)
    description: str
    test: Callable[[Any, Any], Failures]


# -- the tests ---------------------------------------------------------------------------------------------------
def _dated(record: Any) -> tuple[str, dt.date] | None:
    name = record.date_field
    value = getattr(record, name, None) if name else None
    return (name, value) if isinstance(value, dt.date) else None


def visit_date_impossible(record: Any, participant: Any) -> Failures:
    dated, bounds = _dated(record), admissible_dates(participant, record)
    if dated is None or bounds is None:
        return []
    (name, actual), (earliest, latest) = dated, bounds
    if actual < earliest:
        return [(name, f"{actual} cannot belong to {record.visit_code}: it is before the previous visit ({earliest})")]
    if latest is not None and actual > latest:
        return [(name, f"{actual} cannot belong to {record.visit_code}: it is after the next visit's window, "
                       f"which ends {latest}")]
    return []


def out_of_window(record: Any, participant: Any) -> Failures:
    dated, window = _dated(record), planned_window(participant, record)
    if dated is None or window is None or window.contains(dated[1]):
        return []
    name, actual = dated
    return [(name, f"{actual} is {window.days_outside(actual):+d} days outside the {record.visit_code} window "
                   f"{window.window_start} to {window.window_end}; please confirm the date")]


def _vital_ranges(record: Any, possible: bool) -> Failures:
    out: Failures = []
    for name, (low, high, plausible_low, plausible_high) in VITAL_LIMITS.items():
        value = getattr(record, name, None)
        if value is None or isinstance(value, bool) or not isinstance(value, int | float):
            continue
        if possible and not low <= value <= high:
            out.append((name, f"must be between {low:g} and {high:g} (possible), got {value:g}"))
        elif not possible and low <= value <= high and not plausible_low <= value <= plausible_high:
            out.append((name, f"{value:g} is outside the plausible {plausible_low:g} to {plausible_high:g}; "
                              "please confirm"))
    return out


def vital_signs_possible(record: Any, participant: Any) -> Failures:
    return _vital_ranges(record, possible=True)


def vital_signs_plausible(record: Any, participant: Any) -> Failures:
    return _vital_ranges(record, possible=False)


def edss_recorded_vs_computed(record: Any, participant: Any) -> Failures:
    if record.recorded_edss is None or record.edss is None or record.recorded_edss == record.edss:
        return []
    return [("recorded_edss", f"recorded EDSS {record.recorded_edss:g} differs from {record.edss:g} computed from "
                              f"the FS scores and ambulation ({record.derivation})")]


def edss_jump(record: Any, participant: Any) -> Failures:
    if record.edss is None or record.assessment_date is None:
        return []
    previous = (EdssAssessment.objects.filter(participant=participant, assessment_date__lt=record.assessment_date,
                                              edss__isnull=False)
                .exclude(pk=record.pk).order_by("-assessment_date").first())
    if previous is None or abs(record.edss - previous.edss) <= EDSS_JUMP_LIMIT:
        return []
    return [("edss", f"EDSS {record.edss:g} differs by more than {EDSS_JUMP_LIMIT:g} from {previous.edss:g} on "
                     f"{previous.assessment_date}; please confirm the FS scores")]


def demographics_vs_screening(record: Any, participant: Any) -> Failures:
    screening = ScreeningRecord.objects.filter(participant=participant).order_by("pk").first()
    source = screening.record if screening is not None and isinstance(screening.record, dict) else {}
    out: Failures = []
    if source.get("sex") and record.sex != source["sex"]:
        out.append(("sex", f"sex {record.sex} differs from the screening record's {source['sex']}"))
    birth = str(source.get("birth_date") or "")[:4]
    if birth.isdigit() and record.birth_date is not None and record.birth_date.year != int(birth):
        out.append(("birth_date", f"birth year {record.birth_date.year} differs from the screening record's {birth}"))
    course = (source.get("ms") or {}).get("course") if isinstance(source.get("ms"), dict) else None
    if course and record.ms_course != course:
        out.append(("ms_course", f"MS course {record.ms_course} differs from the screening record's {course}"))
    return out


def relapse_onset_vs_visits(record: Any, participant: Any) -> Failures:
    week0, onset = participant.week0_date, record.onset_date
    if week0 is None or onset is None:
        return []
    if onset < week0:
        return [("onset_date", f"relapse onset {onset} is before week 0 ({week0}); a relapse before randomisation "
                               "belongs to the screening history")]
    last = max((v for v in default_protocol().visits if v.week is not None), key=lambda v: v.week or 0)
    end = participant.withdrawal_date or visit_plan_for(last, week0).window_end
    if onset > end:
        return [("onset_date", f"relapse onset {onset} is after the end of follow-up ({end})")]
    return []


def ae_end_before_onset(record: Any, participant: Any) -> Failures:
    if record.end_date is None or record.onset_date is None or record.end_date >= record.onset_date:
        return []
    return [("end_date", f"AE end date {record.end_date} is before its onset {record.onset_date}; please correct")]


def ae_severity_vs_grade(record: Any, participant: Any) -> Failures:
    if record.severity_grade not in (1, 2, 3, 4, 5):
        return []
    expected = severity_for_grade(record.severity_grade).value
    if not record.severity:
        return [("severity", f"severity is missing; CTCAE grade {record.severity_grade} reads '{expected}'")]
    if record.severity != expected:
        return [("severity", f"severity '{record.severity}' differs from '{expected}' that CTCAE grade "
                             f"{record.severity_grade} describes; please confirm or correct")]
    return []


DATED_FORMS = ("vital_signs", "infusion", "mri", "edss", "safety_lab")

CHECKS: tuple[EditCheck, ...] = (
    EditCheck("visit_date_impossible", DATED_FORMS, "hard", "refuse",
              "a date before the previous visit or after the next visit's window", visit_date_impossible),
    EditCheck("vital_signs_possible", ("vital_signs",), "hard", "refuse",
              "a vital sign beyond what is possible", vital_signs_possible),
    EditCheck("vital_signs_plausible", ("vital_signs",), "soft", "confirm",
              "a vital sign beyond what is plausible", vital_signs_plausible),
    EditCheck("edss_recorded_vs_computed", ("edss",), "soft", "confirm",
              "the rater's EDSS differs from the computed one", edss_recorded_vs_computed),
    EditCheck("demographics_vs_screening", ("demographics",), "soft", "confirm",
              "sex, birth year or MS course differ from the screening record", demographics_vs_screening),
    EditCheck("relapse_onset_vs_visits", ("relapse",), "soft", "confirm",
              "a relapse starting before week 0 or after the end of follow-up", relapse_onset_vs_visits),
    EditCheck("out_of_window", DATED_FORMS, "soft", "query",
              "a date outside its visit's window (a protocol deviation)", out_of_window),
    EditCheck("edss_jump", ("edss",), "soft", "query",
              f"an EDSS more than {EDSS_JUMP_LIMIT:g} away from the previous assessment", edss_jump),
    EditCheck("ae_end_before_onset", ("adverse_event",), "soft", "query",
              "an adverse event ending before it began", ae_end_before_onset),
    EditCheck("ae_severity_vs_grade", ("adverse_event",), "soft", "query",
              "an AE's severity missing or differing from its CTCAE grade", ae_severity_vs_grade),
)


def checks_for(form: str) -> list[EditCheck]:
    """The checks that read ``form``, hard ones first (their messages come first in an answer)."""
    return sorted((c for c in CHECKS if form in c.forms), key=lambda c: c.severity != "hard")


def verify_registry() -> None:
    """Refuse a malformed registry at start-up: unique ids, known forms, a severity and action that fit."""
    ids = [c.id for c in CHECKS]
    problems = [f"duplicate check id {i}" for i in sorted({i for i in ids if ids.count(i) > 1})]
    for c in CHECKS:
        problems += [f"{c.id}: unknown form {f}" for f in c.forms if f not in FORMS]
        if (c.severity, c.action) not in (("hard", "refuse"), ("soft", "confirm"), ("soft", "query")):
            problems.append(f"{c.id}: severity {c.severity} with action {c.action}")
        if len(c.id) > 40:
            problems.append(f"{c.id}: an id is at most 40 characters (queries.edit_check)")
    if problems:
        raise RuntimeError("invalid edit-check registry: " + "; ".join(problems))
