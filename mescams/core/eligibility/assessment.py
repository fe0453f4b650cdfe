"""Evaluating every criterion for one record: the verdicts in order and the overall ``eligible``.

``eligible`` is false if any inclusion is not met or any exclusion is met, otherwise null (``None``) if any
criterion is unknown, otherwise true: Kleene AND over the inclusions and the negated exclusions.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from mescams.core.eligibility.criteria import Criterion, Kind
from mescams.core.eligibility.record import PatientRecord
from mescams.core.eligibility.rules.base import Evaluation
from mescams.core.eligibility.verdict import Status, Verdict

__all__ = ["Assessment", "CriterionVerdict", "assess", "overall"]


@dataclass(frozen=True, slots=True)
class CriterionVerdict:
    id: str
    kind: Kind
    verdict: Verdict

    @property
    def status(self) -> Status:
        return self.verdict.status

    def as_json(self) -> dict[str, Any]:
        return {"id": self.id, "kind": self.kind, "status": self.verdict.status.value, "reason": self.verdict.reason}


def overall(verdicts: Sequence[CriterionVerdict]) -> bool | None:
    """The contract's ``eligible`` from the criterion verdicts."""
    blocking = Status.NOT_MET, Status.MET
    if any(v.status is blocking[0 if v.kind == "inclusion" else 1] for v in verdicts):
        return False
    if any(v.status is Status.UNKNOWN for v in verdicts):
        return None
    return True


@dataclass(frozen=True, slots=True)
class Assessment:
    id: str
    on: dt.date
    eligible: bool | None
    criteria: tuple[CriterionVerdict, ...]

    def verdict(self, criterion_id: str) -> CriterionVerdict:
        for v in self.criteria:
            if v.id == criterion_id:
                return v
        raise KeyError(criterion_id)

    def as_json(self) -> dict[str, Any]:
        """The contract's output object."""
        return {"id": self.id, "on": self.on.isoformat(), "eligible": self.eligible,
                "criteria": [v.as_json() for v in self.criteria]}


def assess(record: PatientRecord, on: dt.date, criteria: Sequence[Criterion]) -> Assessment:
    """Evaluate ``criteria`` in order; later criteria (E1-E3) may read the verdicts of earlier ones (I1)."""
    decided: dict[str, Verdict] = {}
    out = []
    for c in criteria:
        verdict = c.rule.evaluate(Evaluation(record, on, decided))
        decided[c.id] = verdict
        out.append(CriterionVerdict(c.id, c.kind, verdict))
    verdicts = tuple(out)
    return Assessment(record.id, on, overall(verdicts), verdicts)
