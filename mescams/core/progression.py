"""Sustained (confirmed) disability progression from a participant's EDSS history.

The MESCAMS definition (protocol ``disability_progression``, outcome O7): an EDSS increase from baseline of at
least 1.0 when the baseline is <= 5.0, or at least 0.5 when the baseline is >= 5.5, *confirmed* at the next
assessment at least ``confirmation_weeks`` (12, or 24 in a sensitivity analysis) after the increased one, which
must itself still show the required increase over baseline. Assessments in between are not judged: the rule
reads "confirmed at the next scheduled assessment at least 12 weeks later".

- The event day is the day of the *first increased* assessment of the first confirmed increase.
- An increase without such a confirming assessment (it falls back, or follow-up ends first) is not an event;
  the search goes on from the next assessment.
- Without an event the participant is censored at the last assessment.

The baseline is fixed (never re-based after an improvement), as recommended for randomised data. It is the
``baseline`` argument when given, else the first assessment, which then is not itself a candidate.

The result agrees with ``pymsprog.MSprog`` run with ``event='firstCDW'``, ``baseline='fixed'``,
``check_intermediate=False``, ``conf_tol_days=[0, inf]`` and a ``delta_fun`` giving these thresholds (see
tests/unit/core/test_progression_pymsprog.py).
"""

from __future__ import annotations

import datetime as dt
import operator
from collections.abc import Sequence
from dataclasses import dataclass

from mescams.core.edss.scale import require_edss_step
from mescams.core.protocol import DisabilityProgression
from mescams.core.schedule import study_day
from mescams.errors import EdssInputError

__all__ = ["EdssAssessment", "ProgressionOutcome", "ProgressionRule", "sustained_progression"]

DAYS_PER_WEEK = 7


@dataclass(frozen=True)
class EdssAssessment:
    """One EDSS assessment. ``day`` is the study day (day 1 = first infusion) or any other day scale."""

    day: int
    score: float

    @classmethod
    def on(cls, assessed_on: dt.date, score: float, *, first_infusion: dt.date) -> EdssAssessment:
        """An assessment dated by calendar date, placed on the study-day scale (day 1 = first infusion)."""
        return cls(study_day(assessed_on, first_infusion), score)


@dataclass(frozen=True)
class ProgressionRule:
    """Thresholds of the sustained-progression definition (defaults: the MESCAMS protocol's values)."""

    min_increase_low_baseline: float = 1.0
    min_increase_high_baseline: float = 0.5
    high_baseline_from: float = 5.5
    confirmation_weeks: int = 12

    def __post_init__(self) -> None:
        if self.min_increase_low_baseline <= 0:
            raise EdssInputError("min_increase_low_baseline", f"must be > 0, got {self.min_increase_low_baseline}")
        if self.min_increase_high_baseline <= 0:
            raise EdssInputError("min_increase_high_baseline", f"must be > 0, got {self.min_increase_high_baseline}")
        if self.confirmation_weeks <= 0:
            raise EdssInputError("confirmation_weeks", f"must be > 0 weeks, got {self.confirmation_weeks}")

    @classmethod
    def from_protocol(cls, dp: DisabilityProgression, confirmation_weeks: int | None = None) -> ProgressionRule:
        """The protocol's rule; ``confirmation_weeks`` overrides the protocol's interval (e.g. 24 weeks)."""
        return cls(
            min_increase_low_baseline=dp.min_increase_low_baseline,
            min_increase_high_baseline=dp.min_increase_high_baseline,
            high_baseline_from=dp.high_baseline_from,
            confirmation_weeks=dp.confirmation_weeks if confirmation_weeks is None else confirmation_weeks,
        )

    @property
    def confirmation_days(self) -> int:
        return self.confirmation_weeks * DAYS_PER_WEEK

    def required_increase(self, baseline: float) -> float:
        """Minimum increase over ``baseline`` that counts: 0.5 from ``high_baseline_from`` up, else 1.0."""
        if baseline >= self.high_baseline_from:
            return self.min_increase_high_baseline
        return self.min_increase_low_baseline

    def is_increase(self, score: float, baseline: float) -> bool:
        """True when ``score`` is at least the required increase above ``baseline``."""
        return score - baseline >= self.required_increase(baseline)


@dataclass(frozen=True)
class ProgressionOutcome:
    """Time-to-event result for one participant: either an event day or a censoring day, never both."""

    event: bool
    event_day: int | None
    censor_day: int | None
    baseline: float | None
    reason: str

    @property
    def time_day(self) -> int | None:
        """The event day when there is an event, else the censoring day."""
        return self.event_day if self.event else self.censor_day


def _ordered(assessments: Sequence[EdssAssessment]) -> list[EdssAssessment]:
    """Validated copies (plain int day, float score: numpy scalars accepted) sorted by day."""
    clean: list[EdssAssessment] = []
    for i, a in enumerate(assessments):
        score = require_edss_step(a.score, f"assessments[{i}].score")
        if isinstance(a.day, bool):
            raise EdssInputError(f"assessments[{i}].day", f"expected an integer day, got {a.day!r}")
        try:
            day = operator.index(a.day)
        except TypeError:
            raise EdssInputError(f"assessments[{i}].day", f"expected an integer day, got {a.day!r}") from None
        clean.append(EdssAssessment(day, score))
    ordered = sorted(clean, key=lambda a: a.day)
    for earlier, later in zip(ordered, ordered[1:], strict=False):
        if earlier.day == later.day:
            raise EdssInputError("assessments", f"two assessments on day {later.day}; keep one per day")
    return ordered


def sustained_progression(
    assessments: Sequence[EdssAssessment],
    *,
    rule: ProgressionRule,
    baseline: float | None = None,
) -> ProgressionOutcome:
    """Find the first confirmed EDSS progression, or the censoring day.

    Parameters
    ----------
    assessments
        The participant's EDSS assessments, in any order, at most one per day.
    rule
        Thresholds and confirmation interval (``ProgressionRule.from_protocol(protocol.disability_progression)``).
    baseline
        The baseline EDSS when it was measured outside ``assessments`` (then every assessment is follow-up);
        without it the first assessment is the baseline.

    Returns
    -------
    ProgressionOutcome
        ``event`` with ``event_day`` (day of the first increased assessment), or censored at the last
        assessment (``censor_day``); with no assessment at all, neither day is known.
    """
    ordered = _ordered(assessments)
    if baseline is not None:
        base = require_edss_step(baseline, "baseline")
        follow_up = ordered
    elif ordered:
        base = ordered[0].score
        follow_up = ordered[1:]
    else:
        return ProgressionOutcome(False, None, None, None, "no EDSS assessment: nothing to censor at")

    if not ordered:
        return ProgressionOutcome(False, None, None, base, "no follow-up EDSS assessment: nothing to censor at")

    needed = rule.required_increase(base)
    unconfirmed: list[str] = []
    for i, candidate in enumerate(follow_up):
        if not rule.is_increase(candidate.score, base):
            continue
        confirmation = next(
            (a for a in follow_up[i + 1:] if a.day - candidate.day >= rule.confirmation_days), None
        )
        if confirmation is None:
            unconfirmed.append(
                f"increase to {candidate.score:g} on day {candidate.day} has no assessment "
                f"{rule.confirmation_weeks} weeks later"
            )
            continue
        if rule.is_increase(confirmation.score, base):
            return ProgressionOutcome(
                True,
                candidate.day,
                None,
                base,
                f"EDSS {base:g} -> {candidate.score:g} on day {candidate.day} (increase >= {needed:g}), "
                f"confirmed by {confirmation.score:g} on day {confirmation.day} "
                f"(>= {rule.confirmation_weeks} weeks later)",
            )
        unconfirmed.append(
            f"increase to {candidate.score:g} on day {candidate.day} not confirmed "
            f"({confirmation.score:g} on day {confirmation.day})"
        )

    last = ordered[-1]
    detail = "; ".join(unconfirmed) if unconfirmed else f"no increase >= {needed:g} over baseline {base:g}"
    return ProgressionOutcome(False, None, last.day, base, f"censored at day {last.day}: {detail}")
