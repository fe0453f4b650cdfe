"""The Neurostatus ambulation score (0-16) and the lowest EDSS step each one allows.

From EDSS 4.5 upwards the step is read from walking range and assistance (Kurtzke 1983; Neurostatus
definitions 04/10.2). Each ambulation score sets a floor under the step; the FS picture can raise the step
above that floor (up to 5.0), never lower it. Score 0 (unrestricted) sets no floor; score 1 (fully ambulatory
but not unrestricted) is incompatible with steps 0-1.5, which require an unrestricted walking range.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

from mescams.errors import EdssInputError

__all__ = ["AMBULATION", "MAX_AMBULATION_SCORE", "AmbulationLevel", "require_ambulation"]

MAX_AMBULATION_SCORE = 16


@dataclass(frozen=True)
class AmbulationLevel:
    score: int
    floor: float
    description: str


AMBULATION: Mapping[int, AmbulationLevel] = MappingProxyType({
    level.score: level
    for level in (
        AmbulationLevel(0, 0.0, "fully ambulatory"),
        AmbulationLevel(1, 2.0, "fully ambulatory, walking range restricted but >= 500 m"),
        AmbulationLevel(2, 4.5, "walks 300-499 m without help or rest"),
        AmbulationLevel(3, 5.0, "walks 200-299 m without help or rest"),
        AmbulationLevel(4, 5.5, "walks 100-199 m without help or rest"),
        AmbulationLevel(5, 6.0, "walks < 100 m without help"),
        AmbulationLevel(6, 6.0, "unilateral assistance, >= 50 m"),
        AmbulationLevel(7, 6.0, "bilateral assistance, >= 120 m"),
        AmbulationLevel(8, 6.5, "unilateral assistance, < 50 m"),
        AmbulationLevel(9, 6.5, "bilateral assistance, 5-119 m"),
        AmbulationLevel(10, 7.0, "wheelchair without help; unable to walk 5 m even with aid"),
        AmbulationLevel(11, 7.5, "wheelchair with help; unable to take more than a few steps"),
        AmbulationLevel(12, 8.0, "restricted to bed or chair, out of bed most of the day"),
        AmbulationLevel(13, 8.5, "restricted to bed much of the day"),
        AmbulationLevel(14, 9.0, "helpless bed patient; can communicate and eat"),
        AmbulationLevel(15, 9.5, "totally helpless bed patient"),
        AmbulationLevel(16, 10.0, "death due to MS"),
    )
})


def require_ambulation(value: object, field: str = "ambulation") -> int:
    """Return the ambulation score as an int 0-16, or raise :class:`EdssInputError` naming ``field``."""
    rule = f"expected the Neurostatus ambulation score, an integer 0-{MAX_AMBULATION_SCORE}"
    if isinstance(value, bool):
        raise EdssInputError(field, f"{rule}, got {value!r}")
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if not isinstance(value, int) or not 0 <= value <= MAX_AMBULATION_SCORE:
        raise EdssInputError(field, f"{rule}, got {value!r}")
    return value
