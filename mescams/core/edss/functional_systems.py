"""Kurtzke functional systems (FS) as scored in Neurostatus, and the two conversions applied before the steps.

Seven FS are graded (Kurtzke 1983, Neurostatus definitions 04/10.2): visual 0-6, brainstem 0-5, pyramidal 0-6,
cerebellar 0-5, sensory 0-6, bowel/bladder 0-6, cerebral 0-5. The visual and bowel/bladder grades are on longer
scales than the EDSS step definitions assume, so both are converted before the steps are read:

- visual        6/5/4/3/2/1/0 -> 4/3/3/2/2/1/0
- bowel/bladder 6/5/4/3/2/1/0 -> 5/4/3/3/2/1/0
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields
from types import MappingProxyType

from mescams.errors import EdssInputError

__all__ = [
    "BOWEL_BLADDER_CONVERSION",
    "FS_MAX_GRADE",
    "FS_NAMES",
    "VISUAL_CONVERSION",
    "Conversion",
    "FunctionalSystems",
    "require_grade",
]

#: Functional systems in Neurostatus order, with their highest grade.
FS_MAX_GRADE: Mapping[str, int] = MappingProxyType({
    "visual": 6,
    "brainstem": 5,
    "pyramidal": 6,
    "cerebellar": 5,
    "sensory": 6,
    "bowel_bladder": 6,
    "cerebral": 5,
})
FS_NAMES: tuple[str, ...] = tuple(FS_MAX_GRADE)

VISUAL_CONVERSION: Mapping[int, int] = MappingProxyType({0: 0, 1: 1, 2: 2, 3: 2, 4: 3, 5: 3, 6: 4})
BOWEL_BLADDER_CONVERSION: Mapping[int, int] = MappingProxyType({0: 0, 1: 1, 2: 2, 3: 3, 4: 3, 5: 4, 6: 5})
_CONVERSIONS: Mapping[str, Mapping[int, int]] = MappingProxyType(
    {"visual": VISUAL_CONVERSION, "bowel_bladder": BOWEL_BLADDER_CONVERSION}
)


def require_grade(value: object, field: str, max_grade: int) -> int:
    """Return ``value`` as an integer grade 0..max_grade, or raise :class:`EdssInputError` naming ``field``."""
    if isinstance(value, bool):
        raise EdssInputError(field, f"expected an integer grade 0-{max_grade}, got {value!r}")
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if not isinstance(value, int):
        raise EdssInputError(field, f"expected an integer grade 0-{max_grade}, got {value!r}")
    if not 0 <= value <= max_grade:
        raise EdssInputError(field, f"expected an integer grade 0-{max_grade}, got {value}")
    return value


@dataclass(frozen=True)
class Conversion:
    """A grade changed before the steps were read (visual or bowel/bladder)."""

    system: str
    recorded: int
    converted: int

    def describe(self) -> str:
        return f"{self.system.replace('_', '/')} {self.recorded} converted to {self.converted}"


@dataclass(frozen=True)
class FunctionalSystems:
    """The seven FS grades as recorded by the rater (before conversion); validated on construction."""

    visual: int
    brainstem: int
    pyramidal: int
    cerebellar: int
    sensory: int
    bowel_bladder: int
    cerebral: int

    def __post_init__(self) -> None:
        for f in fields(self):
            require_grade(getattr(self, f.name), f.name, FS_MAX_GRADE[f.name])

    @classmethod
    def from_mapping(cls, record: Mapping[str, object]) -> FunctionalSystems:
        """Read the seven grades from a mapping; a missing or bad grade raises an error naming it."""
        grades: dict[str, int] = {}
        for name in FS_NAMES:
            if name not in record or record[name] is None:
                raise EdssInputError(name, f"missing functional system score (integer 0-{FS_MAX_GRADE[name]})")
            grades[name] = require_grade(record[name], name, FS_MAX_GRADE[name])
        return cls(**grades)

    def recorded(self) -> dict[str, int]:
        return {name: int(getattr(self, name)) for name in FS_NAMES}

    def converted(self) -> dict[str, int]:
        """Grades as the step definitions read them (visual and bowel/bladder converted)."""
        return {name: _CONVERSIONS[name][g] if name in _CONVERSIONS else g for name, g in self.recorded().items()}

    def conversions(self) -> list[Conversion]:
        """The conversions that changed a grade (a grade converted to itself is not listed)."""
        out: list[Conversion] = []
        for name, table in _CONVERSIONS.items():
            grade = int(getattr(self, name))
            if table[grade] != grade:
                out.append(Conversion(name, grade, table[grade]))
        return out
