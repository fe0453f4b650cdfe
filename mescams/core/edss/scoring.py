"""EDSS step from the functional systems and the ambulation score, with the reason, and the rater check.

Steps 0 to 5.0 come from the combination of (converted) FS grades of a fully ambulatory person, as the EDSS
step definitions state them (Kurtzke 1983; Neurostatus definitions 04/10.2 and the Neurostatus-EDSS scoring
table of L. Kappos, University Hospital Basel):

====  ==========================================================================================
0     all FS 0
1.0   one FS grade 1
1.5   more than one FS grade 1
2.0   one FS grade 2, others 0 or 1
2.5   two FS grade 2, others 0 or 1
3.0   one FS grade 3, others 0 or 1; or three or four FS grade 2, others 0 or 1
3.5   one FS grade 3 and one or two FS grade 2; or two FS grade 3, others 0 or 1; or five FS grade 2
4.0   one FS grade 4, others 0 or 1; or lesser grades beyond 3.5 (six or more FS grade 2; one FS grade 3
      with three or more FS grade 2; two FS grade 3 with any FS grade 2; three or four FS grade 3)
4.5   one FS grade 4 with any FS grade 2 or one or two FS grade 3; or five FS grade 3
5.0   an FS grade 5 or more; or two FS grade 4; or one FS grade 4 with three or more FS grade 3;
      or six or more FS grade 3
====  ==========================================================================================

The ambulation score sets a floor under the step (see :mod:`mescams.core.edss.ambulation`); the EDSS is the
higher of the FS step and that floor. From 5.5 up the ambulation score therefore decides, and a worse FS
picture can raise a step but never lower it: the result is monotone in every grade and in the ambulation score.

Every FS counts alike, cerebral included: Kurtzke (1983) let a cerebral grade 1 pass as normal for steps 0-1.5,
but the Neurostatus definitions and the EDSS contract list only the visual and bowel/bladder conversions.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass

from mescams.core.edss.ambulation import AMBULATION, require_ambulation
from mescams.core.edss.functional_systems import FS_NAMES, Conversion, FunctionalSystems
from mescams.core.edss.scale import require_edss_step
from mescams.errors import EdssInputError

__all__ = ["EdssExam", "EdssScore", "ExamResult", "describe_pattern", "fs_step", "score_edss", "score_exam"]

_WORDS = ("no", "one", "two", "three", "four", "five", "six", "seven")


def fs_step(converted: Mapping[str, int]) -> float:
    """The EDSS step 0-5.0 that the converted FS grades give for a fully ambulatory person (table above)."""
    n = Counter(min(g, 5) for g in converted.values())
    if n[5]:
        return 5.0
    if n[4] >= 2:
        return 5.0
    if n[4] == 1:
        if n[3] >= 3:
            return 5.0
        return 4.5 if n[3] or n[2] else 4.0
    if n[3] >= 6:
        return 5.0
    if n[3] == 5:
        return 4.5
    if n[3] >= 3:
        return 4.0
    if n[3] == 2:
        return 4.0 if n[2] else 3.5
    if n[3] == 1:
        if n[2] >= 3:
            return 4.0
        return 3.5 if n[2] else 3.0
    if n[2] >= 6:
        return 4.0
    if n[2] == 5:
        return 3.5
    if n[2] >= 3:
        return 3.0
    if n[2] == 2:
        return 2.5
    if n[2] == 1:
        return 2.0
    if n[1] >= 2:
        return 1.5
    return 1.0 if n[1] == 1 else 0.0


def describe_pattern(converted: Mapping[str, int]) -> str:
    """Readable FS pattern, e.g. ``one FS grade 2 (pyramidal), others 0 or 1``."""
    by_grade: dict[int, list[str]] = {}
    for name in FS_NAMES:
        by_grade.setdefault(converted[name], []).append(name.replace("_", "/"))
    high = sorted((g for g in by_grade if g >= 2), reverse=True)
    parts = [f"{_WORDS[len(by_grade[g])]} FS grade {g} ({', '.join(by_grade[g])})" for g in high]
    if parts:
        rest = sum(len(by_grade.get(g, [])) for g in (0, 1))
        text = " and ".join(parts)
        if rest:
            text += ", others 0 or 1" if by_grade.get(1) else ", others 0"
        return text
    ones = by_grade.get(1, [])
    if not ones:
        return "all FS 0"
    return f"{_WORDS[len(ones)]} FS grade 1 ({', '.join(ones)})" + (", others 0" if len(ones) < 7 else "")


@dataclass(frozen=True)
class EdssScore:
    """The derived step, what decided it, and why."""

    step: float
    fs_step: float
    ambulation_floor: float
    conversions: tuple[Conversion, ...]
    reason: str


def score_edss(functional_systems: FunctionalSystems, ambulation: int) -> EdssScore:
    """Derive the EDSS step from the recorded FS grades and the Neurostatus ambulation score (0-16)."""
    ambulation = require_ambulation(ambulation)
    converted = functional_systems.converted()
    from_fs = fs_step(converted)
    level = AMBULATION[ambulation]
    step = max(from_fs, level.floor)
    reason = f"{describe_pattern(converted)}; {level.description}"
    if level.floor > from_fs and ambulation >= 1:
        reason += f" (ambulation score {ambulation}: EDSS {level.floor:.1f}; FS alone give {from_fs:.1f})"
    elif from_fs > level.floor > 0:
        reason += f" (FS picture raises the ambulation's {level.floor:.1f} to {from_fs:.1f})"
    conversions = tuple(functional_systems.conversions())
    if conversions:
        reason += "; " + ", ".join(c.describe() for c in conversions)
    return EdssScore(step, from_fs, level.floor, conversions, reason)


@dataclass(frozen=True)
class EdssExam:
    """One EDSS assessment as the contract's input: id, the seven FS, ambulation, optional rater's EDSS."""

    id: object
    functional_systems: FunctionalSystems
    ambulation: int
    recorded_edss: float | None = None

    @classmethod
    def from_mapping(cls, record: Mapping[str, object]) -> EdssExam:
        """Validate one input object; every error names the field (``visual``, ``ambulation``, ...)."""
        if not isinstance(record, Mapping):
            raise EdssInputError("assessment", f"expected a JSON object, got {type(record).__name__}")
        fs = FunctionalSystems.from_mapping(record)
        if "ambulation" not in record or record["ambulation"] is None:
            raise EdssInputError("ambulation", "missing Neurostatus ambulation score (integer 0-16)")
        ambulation = require_ambulation(record["ambulation"])
        recorded = record.get("recorded_edss")
        recorded_step = None if recorded is None else require_edss_step(recorded, "recorded_edss")
        return cls(record.get("id"), fs, ambulation, recorded_step)


@dataclass(frozen=True)
class ExamResult:
    id: object
    score: EdssScore
    consistent: bool | None

    def as_contract(self) -> dict[str, object]:
        """The output object of the EDSS contract."""
        return {"id": self.id, "edss": self.score.step, "consistent": self.consistent, "reason": self.score.reason}


def score_exam(exam: EdssExam) -> ExamResult:
    """Score one exam and check the rater's EDSS: ``consistent`` is None when none was recorded."""
    score = score_edss(exam.functional_systems, exam.ambulation)
    consistent = None if exam.recorded_edss is None else exam.recorded_edss == score.step
    return ExamResult(exam.id, score, consistent)
