"""The dated visit plan: planned dates, windows, window checks and study days.

Week 0 is the first infusion and study day 1 (CDISC convention: the day before is day -1; there is no day 0).
A visit at week ``w`` is planned ``7 * w`` days after week 0, and its window runs from
``window_before_days`` before to ``window_after_days`` after that date, both ends included.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from mescams.core.protocol import Protocol, Visit
from mescams.errors import InputValidationError

__all__ = [
    "PlannedVisit",
    "VisitMatch",
    "date_of_study_day",
    "is_in_window",
    "match_visit",
    "planned_visits",
    "study_day",
    "visit_date_bounds",
    "visit_plan_for",
]


@dataclass(frozen=True)
class PlannedVisit:
    """One visit of a participant's plan, with its window (both ends included)."""

    visit: Visit
    planned_date: dt.date
    window_start: dt.date
    window_end: dt.date

    @property
    def code(self) -> str:
        return self.visit.code

    def contains(self, actual: dt.date) -> bool:
        return self.window_start <= actual <= self.window_end

    def days_outside(self, actual: dt.date) -> int:
        """0 inside the window; otherwise how many days before (negative) or after (positive) it."""
        if actual < self.window_start:
            return (actual - self.window_start).days
        if actual > self.window_end:
            return (actual - self.window_end).days
        return 0


def study_day(on: dt.date, first_infusion: dt.date) -> int:
    """Study day of ``on``: day 1 is the first infusion, the day before is -1 (no day 0)."""
    delta = (on - first_infusion).days
    return delta + 1 if delta >= 0 else delta


def date_of_study_day(day: int, first_infusion: dt.date) -> dt.date:
    """The date of study day ``day`` (the inverse of :func:`study_day`); day 0 does not exist."""
    if isinstance(day, bool) or not isinstance(day, int) or day == 0:
        raise InputValidationError("study_day", f"expected a non-zero integer study day, got {day!r}")
    return first_infusion + dt.timedelta(days=day - 1 if day > 0 else day)


def visit_plan_for(visit: Visit, week0: dt.date) -> PlannedVisit:
    """Plan one visit relative to week 0. Screening (no week) ends the day before week 0."""
    if visit.week is None:
        end = week0 + dt.timedelta(days=min(visit.window_after_days, 0))
        start = week0 - dt.timedelta(days=visit.window_before_days)
        return PlannedVisit(visit, start, start, end)
    planned = week0 + dt.timedelta(weeks=visit.week)
    return PlannedVisit(
        visit,
        planned,
        planned - dt.timedelta(days=visit.window_before_days),
        planned + dt.timedelta(days=visit.window_after_days),
    )


def planned_visits(protocol: Protocol, week0: dt.date) -> list[PlannedVisit]:
    """Every visit of the protocol dated from week 0 (the randomisation day and first infusion)."""
    return [visit_plan_for(v, week0) for v in protocol.visits]


def visit_date_bounds(protocol: Protocol, visit_code: str, week0: dt.date,
                      previous_visit_date: dt.date | None = None) -> tuple[dt.date, dt.date | None]:
    """The dates that can belong to a scheduled visit at all, ``(earliest, latest)``; ``latest`` None: no end.

    A date outside its visit's window is a deviation but still that visit; a date before the previous visit
    (its actual date when known, else its planned date; screening's window start before the first scheduled
    visit) or after the next visit's window would be another visit's, so it cannot be this one's.
    """
    scheduled = sorted((v for v in protocol.visits if v.week is not None), key=lambda v: v.week or 0)
    codes = [v.code for v in scheduled]
    if visit_code not in codes:
        raise InputValidationError("visit_code", f"{visit_code} is not a scheduled visit")
    i = codes.index(visit_code)
    if i == 0:
        screening = [v for v in protocol.visits if v.week is None]
        earliest = visit_plan_for(screening[0], week0).window_start if screening else week0
    else:
        earliest = previous_visit_date or visit_plan_for(scheduled[i - 1], week0).planned_date
    latest = visit_plan_for(scheduled[i + 1], week0).window_end if i + 1 < len(scheduled) else None
    return earliest, latest


def is_in_window(protocol: Protocol, visit_code: str, week0: dt.date, actual: dt.date) -> bool:
    return visit_plan_for(protocol.visit(visit_code), week0).contains(actual)


@dataclass(frozen=True)
class VisitMatch:
    """The visit an actual date most plausibly belongs to, and how it sits against that visit's window."""

    planned: PlannedVisit
    actual: dt.date
    in_window: bool
    days_from_planned: int
    days_outside: int

    @property
    def code(self) -> str:
        return self.planned.code


def match_visit(protocol: Protocol, week0: dt.date, actual: dt.date) -> VisitMatch:
    """Which visit an actual visit date most plausibly belongs to.

    Before week 0 it is screening. Otherwise a visit whose window contains the date wins (the nearest planned
    date among several); with none, the visit with the nearest planned date, reported as out of window.
    Ties go to the earlier visit, so a late visit is never mistaken for the next one's early visit.
    """
    plan = planned_visits(protocol, week0)
    if actual < week0:
        screening = [pv for pv in plan if pv.visit.week is None]
        if screening:
            pv = screening[0]
            return VisitMatch(pv, actual, pv.contains(actual), (actual - pv.window_end).days, pv.days_outside(actual))
    scheduled = [pv for pv in plan if pv.visit.week is not None]
    if not scheduled:
        raise InputValidationError("visits", "the protocol has no scheduled visit to match a date to")
    inside = [pv for pv in scheduled if pv.contains(actual)]
    pool = inside or scheduled
    best = min(pool, key=lambda pv: (abs((actual - pv.planned_date).days), pv.planned_date))
    return VisitMatch(best, actual, best.contains(actual), (actual - best.planned_date).days,
                      best.days_outside(actual))
