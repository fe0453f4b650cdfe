"""Per-patient, per-criterion results of a pre-screening run, the funnel counts, and the candidates file.

Statuses are stored as small integers, one numpy array per criterion (1 met, 0 not met, -1 unknown), and
``eligible`` likewise (1 true, 0 false, -1 null), so a million patients stay cheap and both engines' results can
be compared with ``==``.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

__all__ = ["CODES", "Verdicts"]

CODES = {1: "met", 0: "not_met", -1: "unknown"}
ELIGIBLE = {1: True, 0: False, -1: None}


@dataclass
class Verdicts:
    """Status codes per criterion (in the contract's order) for every patient (in patient_key order)."""

    patient_ids: np.ndarray
    kinds: dict[str, str]
    status: dict[str, np.ndarray]
    eligible: np.ndarray

    @property
    def criteria(self) -> list[str]:
        return list(self.status)

    def funnel(self) -> dict[str, Any]:
        """The ``--json`` object: totals and met / not_met / unknown per criterion."""
        return {
            "patients": int(len(self.patient_ids)),
            "eligible": int((self.eligible == 1).sum()),
            "ineligible": int((self.eligible == 0).sum()),
            "undetermined": int((self.eligible == -1).sum()),
            "criteria": {cid: {"met": int((codes == 1).sum()), "not_met": int((codes == 0).sum()),
                               "unknown": int((codes == -1).sum())} for cid, codes in self.status.items()},
        }

    def remaining(self) -> list[int]:
        """How many patients are still possibly eligible after each criterion, in order (the funnel's steps)."""
        alive = np.ones(len(self.patient_ids), dtype=bool)
        out = []
        for cid, codes in self.status.items():
            blocking = 0 if self.kinds[cid] == "inclusion" else 1
            alive &= codes != blocking
            out.append(int(alive.sum()))
        return out

    def write_candidates(self, path: Path) -> int:
        """Write the patients who may qualify (eligible or undetermined) with every status; return how many."""
        keep = self.eligible != 0
        columns: dict[str, pa.Array] = {"patient_id": pa.array(self.patient_ids[keep])}
        eligible = self.eligible[keep]
        columns["eligible"] = pa.array(eligible == 1, mask=eligible == -1)
        for cid, codes in self.status.items():
            columns[cid] = pa.array(np.array(["not_met", "met", "unknown"], dtype=object)[codes[keep]])
        pq.write_table(pa.table(columns), path)
        return int(keep.sum())
