"""One check that two feasibility runs (two engines, two databases) give the same verdicts person by person."""

from __future__ import annotations

from typing import Any


def assert_same_verdicts(got: Any, expected: Any) -> None:
    """The same persons in the same order, the same status for every criterion, the same overall verdict."""
    assert list(got.verdicts.patient_ids) == list(expected.verdicts.patient_ids)
    assert got.verdicts.status.keys() == expected.verdicts.status.keys()
    for cid in got.verdicts.status:
        mismatch = (got.verdicts.status[cid] != expected.verdicts.status[cid]).nonzero()[0]
        assert len(mismatch) == 0, f"{cid}: persons {list(got.verdicts.patient_ids[mismatch[:5]])} differ"
    assert (got.verdicts.eligible == expected.verdicts.eligible).all()
