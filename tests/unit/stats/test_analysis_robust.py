"""The whole plan runs on degenerate data and reports what it could not estimate, never a number."""

from __future__ import annotations

import warnings
from pathlib import Path

import pytest

from mescams.stats.analysis import run_analysis
from mescams.stats.analysis_data import read_analysis_data
from mescams.stats.synthetic import SyntheticTrial, write_synthetic_folder


@pytest.mark.parametrize("n_participants", [1, 3])
def test_tiny_trials_and_empty_event_files(tmp_path: Path, protocol, n_participants: int) -> None:
    folder = write_synthetic_folder(tmp_path, SyntheticTrial(seed=5, n_participants=n_participants,
                                                             rate_per_scan=0.0001, progression_rate=0.0))
    (folder / "relapses.csv").write_text("participant_id,onset_date,confirmed\n")
    (folder / "adverse_events.csv").write_text(
        "participant_id,ae_id,term,onset_date,end_date,severity_grade,serious,related\n")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        results = run_analysis(read_analysis_data(folder, protocol), protocol).results()
    for key in ("gel_crossover", "gel_period1", "relapses"):
        assert results[key]["converged"] is False
        assert results[key]["rate_ratio"] is None and results[key]["p_value"] is None
    assert results["progression_period1"]["hazard_ratio"] is None
    assert results["adverse_events"]["MSC"]["events"] == 0
    assert results["adverse_events"]["MSC"]["events_by_grade"] == {g: 0 for g in "12345"}
    assert results["warnings"]
