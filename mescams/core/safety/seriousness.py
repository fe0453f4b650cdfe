"""The seriousness criteria of ICH E2A (and Health Canada C.05.001's "serious adverse drug reaction").

An event is serious when it results in death, is life-threatening, requires or prolongs hospitalisation,
results in persistent or significant disability or incapacity, is a congenital anomaly or birth defect, or is
another medically important event. A serious event names at least one criterion; a non-serious one names none.
"""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum

from mescams.errors import InputValidationError

__all__ = ["SERIOUSNESS_CRITERIA", "SeriousnessCriterion", "check_seriousness", "is_fatal_or_life_threatening"]


class SeriousnessCriterion(StrEnum):
    DEATH = "death"
    LIFE_THREATENING = "life_threatening"
    HOSPITALISATION = "hospitalisation"
    DISABILITY = "disability"
    CONGENITAL_ANOMALY = "congenital_anomaly"
    OTHER_MEDICALLY_IMPORTANT = "important_medical_event"

    @property
    def label(self) -> str:
        return {
            "death": "Results in death",
            "life_threatening": "Life-threatening",
            "hospitalisation": "Requires or prolongs hospitalisation",
            "disability": "Persistent or significant disability or incapacity",
            "congenital_anomaly": "Congenital anomaly or birth defect",
            "important_medical_event": "Other medically important event",
        }[self.value]


SERIOUSNESS_CRITERIA: tuple[SeriousnessCriterion, ...] = tuple(SeriousnessCriterion)


def check_seriousness(serious: bool, criteria: Iterable[str], field: str = "serious_criteria") -> None:
    """Refuse unknown criteria, a serious event without one, and criteria on a non-serious event."""
    given = list(criteria)
    allowed = ", ".join(c.value for c in SERIOUSNESS_CRITERIA)
    unknown = [c for c in given if c not in {s.value for s in SERIOUSNESS_CRITERIA}]
    if unknown:
        raise InputValidationError(field, f"unknown criteria {unknown}; allowed: {allowed}")
    if serious and not given:
        raise InputValidationError(field, f"a serious event needs at least one criterion of seriousness ({allowed})")
    if not serious and given:
        raise InputValidationError("serious", "must be true when seriousness criteria are given")


def is_fatal_or_life_threatening(criteria: Iterable[str]) -> bool:
    """True when the criteria include death or life-threatening (the 7-day clock of C.05.014)."""
    given = set(criteria)
    return SeriousnessCriterion.DEATH.value in given or SeriousnessCriterion.LIFE_THREATENING.value in given
