"""Three-valued verdicts (met / not met / unknown) with the reason that decided them.

Missing data makes a verdict ``unknown``, never ``not_met`` (a clinicedc habit worth keeping). Combining verdicts
follows Kleene's logic, which is also SQL's logic for TRUE / FALSE / NULL: that is what lets the same rule objects
compile to SQL whose NULL means exactly our ``unknown``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

__all__ = ["Status", "Verdict", "all_of", "any_of", "met", "negate", "not_met", "unknown"]


class Status(StrEnum):
    MET = "met"
    NOT_MET = "not_met"
    UNKNOWN = "unknown"

    @classmethod
    def of(cls, value: bool | None) -> Status:
        """TRUE/FALSE/NULL as a status."""
        if value is None:
            return cls.UNKNOWN
        return cls.MET if value else cls.NOT_MET


@dataclass(frozen=True, slots=True)
class Verdict:
    status: Status
    reason: str

    @property
    def is_met(self) -> bool:
        return self.status is Status.MET

    @property
    def is_not_met(self) -> bool:
        return self.status is Status.NOT_MET

    @property
    def is_unknown(self) -> bool:
        return self.status is Status.UNKNOWN


def met(reason: str) -> Verdict:
    return Verdict(Status.MET, reason)


def not_met(reason: str) -> Verdict:
    return Verdict(Status.NOT_MET, reason)


def unknown(reason: str) -> Verdict:
    return Verdict(Status.UNKNOWN, reason)


def _join(verdicts: Iterable[Verdict]) -> str:
    return "; ".join(v.reason for v in verdicts if v.reason)


def all_of(verdicts: Iterable[Verdict]) -> Verdict:
    """Kleene AND: not met if any part is not met, else unknown if any part is unknown, else met."""
    parts = list(verdicts)
    failed = [v for v in parts if v.is_not_met]
    if failed:
        return not_met(_join(failed))
    open_ = [v for v in parts if v.is_unknown]
    if open_:
        return unknown(_join(open_))
    return met(_join(parts))


def any_of(verdicts: Iterable[Verdict]) -> Verdict:
    """Kleene OR: met if any part is met, else unknown if any part is unknown, else not met."""
    parts = list(verdicts)
    hits = [v for v in parts if v.is_met]
    if hits:
        return met(_join(hits))
    open_ = [v for v in parts if v.is_unknown]
    if open_:
        return unknown(_join(open_))
    return not_met(_join(parts))


def negate(verdict: Verdict) -> Verdict:
    """Kleene NOT: met and not met swap, unknown stays unknown; the reason is kept."""
    flipped = {Status.MET: Status.NOT_MET, Status.NOT_MET: Status.MET, Status.UNKNOWN: Status.UNKNOWN}
    return Verdict(flipped[verdict.status], verdict.reason)
