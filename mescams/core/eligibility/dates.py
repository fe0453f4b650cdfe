"""Date arithmetic of the eligibility contract: calendar windows and whole completed years.

"Within N days/months before ``on``" is the half-open span ``on - N < d <= on``; calendar months clamp to the end
of a shorter month (one month before 2016-03-31 is 2016-02-29). Ages and durations are whole completed years, so
a birthday or anniversary falling on ``on`` counts. The SQL compiler uses these same functions to compute the
boundary dates it writes as literals, so Python and SQL cannot disagree about a window's edge.
"""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass

__all__ = ["Window", "add_months", "completed_years"]


def add_months(day: dt.date, months: int) -> dt.date:
    """``day`` shifted by ``months`` calendar months, clamped to the last day of the target month."""
    index = day.year * 12 + (day.month - 1) + months
    year, month0 = divmod(index, 12)
    last = calendar.monthrange(year, month0 + 1)[1]
    return dt.date(year, month0 + 1, min(day.day, last))


def completed_years(start: dt.date, end: dt.date) -> int:
    """Whole years completed from ``start`` to ``end``; the anniversary itself counts (negative if end < start)."""
    years = end.year - start.year
    if (end.month, end.day) < (start.month, start.day):
        years -= 1
    return years


@dataclass(frozen=True, slots=True)
class Window:
    """A look-back span of ``days`` or calendar ``months`` ending on (and including) the evaluation date."""

    days: int | None = None
    months: int | None = None

    def __post_init__(self) -> None:
        if (self.days is None) == (self.months is None):
            raise ValueError("a window needs exactly one of days or months")
        if (self.days or self.months or 0) <= 0:
            raise ValueError("a window must be positive")

    def start(self, on: dt.date) -> dt.date:
        """The exclusive lower bound: a date d is inside when start < d <= on."""
        if self.days is not None:
            return on - dt.timedelta(days=self.days)
        if self.months is None:  # unreachable: __post_init__ requires days or months
            raise ValueError("a window needs exactly one of days or months")
        return add_months(on, -self.months)

    def contains(self, day: dt.date, on: dt.date) -> bool:
        return self.start(on) < day <= on

    def describe(self) -> str:
        return f"{self.days} days" if self.days is not None else f"{self.months} months"
