"""Is a reported episode a protocol relapse? A classification helper for the relapse eCRF.

The protocol's ``relapse_definition``: new or worsening neurological symptoms lasting more than
``min_duration_hours`` (24 h), starting at least ``min_days_since_previous_onset`` (30) days after the onset of
the previous relapse, and (``exclude_fever_or_infection``) not explained by fever or infection (a
pseudo-relapse). An episode starting sooner after a previous onset belongs to that relapse.

The verdict is three-valued, like eligibility: ``relapse``, ``not_relapse`` (some condition fails), or
``undetermined`` (none fails but a needed item is missing, e.g. duration or fever status not yet known).
Missing data never makes an episode "not a relapse".
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from mescams.core.protocol import RelapseDefinition
from mescams.errors import InputValidationError

__all__ = ["RelapseEpisode", "RelapseInputError", "RelapseVerdict", "classify_relapse"]

Status = Literal["relapse", "not_relapse", "undetermined"]
Check = Literal["met", "not_met", "unknown"]


class RelapseInputError(InputValidationError):
    """A relapse report with an impossible value (negative duration, ...)."""


@dataclass(frozen=True)
class RelapseEpisode:
    """What the relapse eCRF records about one episode. ``None`` means not (yet) known."""

    onset: dt.date
    new_or_worsening_symptoms: bool | None
    duration_hours: float | None
    fever_or_infection: bool | None
    previous_onsets: Sequence[dt.date] = ()

    def __post_init__(self) -> None:
        if not isinstance(self.onset, dt.date):
            raise RelapseInputError("onset", f"expected a date, got {self.onset!r}")
        if self.duration_hours is not None and (
            isinstance(self.duration_hours, bool)
            or not isinstance(self.duration_hours, int | float)
            or not math.isfinite(self.duration_hours)
            or self.duration_hours < 0
        ):
            raise RelapseInputError("duration_hours", f"expected hours >= 0, got {self.duration_hours!r}")
        for i, d in enumerate(self.previous_onsets):
            if not isinstance(d, dt.date):
                raise RelapseInputError(f"previous_onsets[{i}]", f"expected a date, got {d!r}")


@dataclass(frozen=True)
class RelapseVerdict:
    status: Status
    reason: str
    checks: tuple[tuple[str, Check, str], ...]

    @property
    def is_relapse(self) -> bool | None:
        return {"relapse": True, "not_relapse": False, "undetermined": None}[self.status]


def _symptoms(ep: RelapseEpisode) -> tuple[Check, str]:
    if ep.new_or_worsening_symptoms is None:
        return "unknown", "whether symptoms are new or worsening is not recorded"
    if ep.new_or_worsening_symptoms:
        return "met", "new or worsening neurological symptoms"
    return "not_met", "no new or worsening neurological symptoms"


def _duration(ep: RelapseEpisode, rule: RelapseDefinition) -> tuple[Check, str]:
    if ep.duration_hours is None:
        return "unknown", "duration not recorded"
    if ep.duration_hours > rule.min_duration_hours:
        return "met", f"lasted {ep.duration_hours:g} h (> {rule.min_duration_hours} h)"
    return "not_met", f"lasted {ep.duration_hours:g} h (needs > {rule.min_duration_hours} h)"


def _interval(ep: RelapseEpisode, rule: RelapseDefinition) -> tuple[Check, str]:
    earlier = [d for d in ep.previous_onsets if d <= ep.onset]
    if not earlier:
        return "met", "no previous relapse onset"
    last = max(earlier)
    days = (ep.onset - last).days
    gap = rule.min_days_since_previous_onset
    if days >= gap:
        return "met", f"onset {days} days after previous onset {last.isoformat()} (>= {gap})"
    return "not_met", f"onset {days} days after previous onset {last.isoformat()} (needs >= {gap}; same relapse)"


def _fever(ep: RelapseEpisode, rule: RelapseDefinition) -> tuple[Check, str]:
    if not rule.exclude_fever_or_infection:
        return "met", "fever or infection not an exclusion in this protocol"
    if ep.fever_or_infection is None:
        return "unknown", "fever or infection status not recorded"
    if ep.fever_or_infection:
        return "not_met", "with fever or infection (pseudo-relapse)"
    return "met", "without fever or infection"


def classify_relapse(episode: RelapseEpisode, *, definition: RelapseDefinition) -> RelapseVerdict:
    """Classify one episode by the protocol's relapse definition, with the reason for the verdict."""
    checks = (
        ("symptoms", *_symptoms(episode)),
        ("duration", *_duration(episode, definition)),
        ("interval", *_interval(episode, definition)),
        ("fever_or_infection", *_fever(episode, definition)),
    )
    failed = [text for _, status, text in checks if status == "not_met"]
    unknown = [text for _, status, text in checks if status == "unknown"]
    if failed:
        return RelapseVerdict("not_relapse", "not a relapse: " + "; ".join(failed), checks)
    if unknown:
        return RelapseVerdict("undetermined", "undetermined: " + "; ".join(unknown), checks)
    return RelapseVerdict("relapse", "relapse: " + "; ".join(text for _, _, text in checks), checks)
