"""Kurtzke FS grades and a Neurostatus ambulation score that give a wanted EDSS step, changing little from the
participant's previous exam.

Why: the virtual patient model (:mod:`mescams.sim.clinical_course`) gives EDSS steps, but the EDC's rater enters
FS grades and ambulation and the core derives the step. A random exam per visit would make FS pictures jump
about; walking from the previous exam one grade at a time keeps a participant's picture recognisable from visit
to visit, as a rater's would be. The step of every exam is the core's (:func:`mescams.core.edss.score_edss`).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from mescams.core.edss import AMBULATION, FS_MAX_GRADE, FS_NAMES, EdssExam, require_edss_step, score_exam

__all__ = ["Exam", "exam_for"]

MOTOR_FIRST = ("pyramidal", "sensory", "cerebellar", "bowel_bladder", "brainstem", "visual", "cerebral")
"""FS most often worse in MS first (pyramidal and sensory), for a slight preference when a grade goes up."""
MAX_MOVES = 400


@dataclass(frozen=True)
class Exam:
    """One EDSS exam as the rater enters it."""

    grades: dict[str, int] = field(default_factory=lambda: dict.fromkeys(FS_NAMES, 0))
    ambulation: int = 0

    @property
    def step(self) -> float:
        return score_exam(EdssExam.from_mapping(self.values())).score.step

    def values(self) -> dict[str, int]:
        """The EDSS form's fields."""
        return {**self.grades, "ambulation": self.ambulation}


def _fs_step(grades: dict[str, int]) -> float:
    return score_exam(EdssExam.from_mapping({**grades, "ambulation": 0})).score.fs_step


def _walk_fs(grades: dict[str, int], target: float, rng: np.random.Generator) -> dict[str, int]:
    """Change one FS grade at a time until the FS alone give ``target`` (at most 5.0)."""
    cap = 5 if target >= 5.0 else 4
    for _ in range(MAX_MOVES):
        current = _fs_step(grades)
        if current == target:
            return grades
        up = current < target
        options, weights = [], []
        for rank, name in enumerate(MOTOR_FIRST):
            grade = grades[name] + (1 if up else -1)
            if not 0 <= grade <= min(FS_MAX_GRADE[name], cap):
                continue
            moved = {**grades, name: grade}
            overshoots = (_fs_step(moved) > target) if up else (_fs_step(moved) < target)
            options.append(moved)
            # worsening: motor systems first; improving: the worst systems first; overshooting: rarely
            weight = (3.0 - 0.3 * rank) if up else (1.0 + grades[name])
            weights.append(weight * (0.1 if overshoots else 1.0))
        p = np.array(weights)
        grades = options[int(rng.choice(len(options), p=p / p.sum()))]
    raise RuntimeError(f"no FS pattern for EDSS {target} within {MAX_MOVES} moves")  # pragma: no cover


def exam_for(step: float, rng: np.random.Generator, previous: Exam | None = None) -> Exam:
    """An exam whose derived EDSS is ``step``, changed from ``previous`` (all FS 0 if None) as little as it takes.

    From 5.5 up the ambulation score decides the step: the nearest ambulation score with that floor is taken and
    the FS picture kept. Below, the ambulation score is lowered until its floor allows the step (4.5 and 5.0 take
    the restricted walking range of that step half of the time), and FS grades move one at a time.
    """
    target = require_edss_step(step, "step")
    exam = previous or Exam()
    if exam.step == target:
        return exam
    if target >= 5.5:
        levels = [a for a, level in AMBULATION.items() if level.floor == target]
        amb = min(levels, key=lambda a: (abs(a - exam.ambulation), a))
        if _fs_step(exam.grades) > target:  # pragma: no cover - FS alone never exceed 5.0
            raise RuntimeError("FS grades above the ambulation step")
        return Exam(exam.grades, amb)
    amb = exam.ambulation
    while AMBULATION[amb].floor > target:
        amb -= 1
    if target >= 4.5 and AMBULATION[amb].floor < target and rng.random() < 0.5:
        amb = next(a for a, level in AMBULATION.items() if level.floor == target)
    if AMBULATION[amb].floor == target and _fs_step(exam.grades) <= target:
        return Exam(exam.grades, amb)
    return Exam(_walk_fs(dict(exam.grades), target, rng), amb)
