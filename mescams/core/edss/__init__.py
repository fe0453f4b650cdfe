"""EDSS: the scale, and the step derived from Kurtzke functional systems and the Neurostatus ambulation score.

Modules: :mod:`.scale` (valid steps), :mod:`.functional_systems` (FS grades and conversions),
:mod:`.ambulation` (ambulation score floors), :mod:`.scoring` (the step, its reason, the rater check).
"""

from __future__ import annotations

from mescams.core.edss.ambulation import AMBULATION, AmbulationLevel, require_ambulation
from mescams.core.edss.functional_systems import (
    BOWEL_BLADDER_CONVERSION,
    FS_MAX_GRADE,
    FS_NAMES,
    VISUAL_CONVERSION,
    Conversion,
    FunctionalSystems,
)
from mescams.core.edss.scale import EDSS_STEPS, is_edss_step, require_edss_step
from mescams.core.edss.scoring import EdssExam, EdssScore, ExamResult, fs_step, score_edss, score_exam

__all__ = [
    "AMBULATION",
    "BOWEL_BLADDER_CONVERSION",
    "EDSS_STEPS",
    "FS_MAX_GRADE",
    "FS_NAMES",
    "VISUAL_CONVERSION",
    "AmbulationLevel",
    "Conversion",
    "EdssExam",
    "EdssScore",
    "ExamResult",
    "FunctionalSystems",
    "fs_step",
    "is_edss_step",
    "require_ambulation",
    "require_edss_step",
    "score_edss",
    "score_exam",
]
