"""Durations and treatment periods read from the free text of a ClinicalTrials.gov record.

The registry has no structured period lengths: they are in the arm descriptions ("4 weeks of treatment, a 2-week
washout, then 4 weeks") and the outcome time frames ("Baseline; Weeks 2, 4, 8 and 12", "up to 56 days",
"Annually for three years"). :func:`weeks_in` reads the longest duration a text names, in whole weeks;
:func:`period_bounds` turns the record's texts into period boundaries and says where they came from, or returns
None when the record names no duration at all, so the import flags the periods instead of drafting "weeks 0-0".
"""

from __future__ import annotations

import math
import re

__all__ = ["durations_in", "period_bounds", "weeks_in"]

WORDS = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9, "ten": 10,
    "eleven": 11, "twelve": 12, "fifteen": 15, "eighteen": 18, "twenty": 20, "thirty": 30,
}  # fmt: skip
NUMBER = r"(\d+(?:\.\d+)?|" + "|".join(WORDS) + r")"
UNIT_WEEKS = {"minute": 1 / 10080, "hour": 1 / 168, "day": 1 / 7, "week": 1.0, "month": 52 / 12, "year": 52.0}
DURATION = re.compile(NUMBER + r"\s*(?:-|\s)?\s*(minute|hour|day|week|month|year)s?\b", re.IGNORECASE)
NAMED = re.compile(
    r"\b(day|week|month|year)s?\s+(\d+(?:\s*(?:,\s*(?:and\s+|or\s+)?|and|or|-|to)\s*\d+)*)", re.IGNORECASE
)
WASHOUT = re.compile(
    NUMBER
    + r"\s*(?:-|\s)?\s*(day|week|month)s?\s*(?:\w+\s+){0,2}wash-?out|wash-?out\s+(?:period\s+)?(?:of\s+)?"
    + NUMBER
    + r"\s*(?:-|\s)?\s*(day|week|month)s?",
    re.IGNORECASE,
)


def _value(token: str) -> float:
    return float(WORDS.get(token.lower(), token) if token.lower() in WORDS else token)


def _weeks(amount: float, unit: str) -> int:
    """Whole weeks, rounded up: a 'day 5' or '2 hours' time frame lies within week 1."""
    return max(1, math.ceil(amount * UNIT_WEEKS[unit.lower()] - 1e-9))


def durations_in(text: str) -> list[int]:
    """Every duration ('12 weeks', '2-year', 'three years', '56 days') and named time ('week 24', 'day 5') in
    ``text``, in whole weeks, in the order they appear."""
    found: list[tuple[int, int]] = []
    for m in DURATION.finditer(text):
        found.append((m.start(), _weeks(_value(m.group(1)), m.group(2))))
    for m in NAMED.finditer(text):
        for n in re.findall(r"\d+", m.group(2)):
            found.append((m.start(), _weeks(float(n), m.group(1)) if int(n) else 0))
    return [w for _, w in sorted(found)]


def weeks_in(text: str) -> int | None:
    """The longest duration or latest time a text names, in whole weeks; None when it names none."""
    weeks = durations_in(text or "")
    return max(weeks) if weeks else None


def _washout(texts: list[str]) -> int:
    for t in texts:
        if m := WASHOUT.search(t):
            amount, unit = (m.group(1), m.group(2)) if m.group(1) else (m.group(3), m.group(4))
            return _weeks(_value(amount), unit)
    return 0


def period_bounds(
    crossover: bool, arm_texts: list[str], frame_texts: list[str], named_switch: list[int]
) -> tuple[list[int] | None, str]:
    """(week boundaries of the periods, where they came from); (None, why) when the record names no duration.

    A crossover's switch week is, in this order: a week number the arm descriptions name before the end
    (``named_switch``), the treatment length the arm descriptions give plus any washout, or half the longest time
    frame. A parallel or single-group design has one period from week 0 to the longest duration named.
    """
    arm_weeks = [w for t in arm_texts for w in durations_in(t) if w > 0]
    frame_weeks = [w for t in frame_texts if (w := weeks_in(t))]
    end = max(arm_weeks + frame_weeks, default=0)
    if not crossover:
        if end:
            return [0, end], "from the longest duration in the arm descriptions and outcome time frames"
        return None, "neither the arm descriptions nor the outcome time frames name a duration"
    switch = sorted(w for w in named_switch if 0 < w < end)
    if switch:
        return [0, switch[0], end], f"switch at week {switch[0]}, named in the arm descriptions"
    treatment_weeks = [w for t in arm_texts for w in durations_in(WASHOUT.sub(" ", t)) if w > 0]
    if treatment_weeks:
        length, washout = min(treatment_weeks), _washout(arm_texts)
        return (
            [0, length + washout, max(end, 2 * length + washout)],
            f"treatment of {length} week(s)"
            + (f" and a {washout}-week washout" if washout else "")
            + " read from the arm descriptions",
        )
    if end >= 2:
        return [0, end // 2, end], f"the arm descriptions give no period length: the {end}-week time frame halved"
    return None, "neither the arm descriptions nor the outcome time frames name a duration"
