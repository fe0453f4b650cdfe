"""Participant characteristics missing from participants.csv (empty cells) never break the analysis: the plan
handles each as MISSING_HANDLED says, and the report (JSON and HTML) warns, naming the participants."""

from __future__ import annotations

import csv
import warnings
from pathlib import Path

from mescams.stats.analysis import run_analysis
from mescams.stats.analysis_data import read_analysis_data
from mescams.stats.report.render import render_html
from mescams.stats.survival import progression_times
from mescams.stats.synthetic import SyntheticTrial, write_synthetic_folder


def _blank(path: Path, line: int, *columns: str) -> str:
    rows = list(csv.reader(path.open(encoding="utf-8")))
    for column in columns:
        rows[line - 1][rows[0].index(column)] = ""
    with path.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows(rows)
    return rows[line - 1][0]


def _without_week0_edss(folder: Path, pid: str) -> None:
    rows = list(csv.reader((folder / "edss.csv").open(encoding="utf-8")))
    kept = [r for r in rows if not (r[0] == pid and r[1] == "0")]
    with (folder / "edss.csv").open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows(kept)


def test_missing_characteristics_are_analysed_as_planned_with_a_warning(tmp_path: Path, protocol) -> None:
    folder = write_synthetic_folder(tmp_path, SyntheticTrial(seed=7, n_participants=12))
    no_demographics = _blank(folder / "participants.csv", 2, "sex", "age", "ms_course")
    no_baseline = _blank(folder / "participants.csv", 3, "baseline_edss", "weight_kg")
    _without_week0_edss(folder, no_baseline)
    data = read_analysis_data(folder, protocol)
    times = progression_times(data, protocol, analysis="period1")
    assert no_baseline not in set(times["participant_id"])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        analysis = run_analysis(data, protocol)
    results = analysis.results()
    assert results["missing_data"] == {"sex": [no_demographics], "age": [no_demographics],
                                       "ms_course": [no_demographics], "weight_kg": [no_baseline],
                                       "baseline_edss": [no_baseline]}
    texts = [w for w in results["warnings"] if w.startswith("participants.csv: ")]
    assert len(texts) == 5 and any(no_baseline in w and "week-0 EDSS" in w for w in texts)
    assert results["gel_crossover"]["n_participants"] == 12  # nobody left out of the primary analysis
    html = render_html(analysis, results)
    assert "Not recorded: sex, n" in html and f"sex missing for 1 participant(s) ({no_demographics})" in html


def test_a_missing_baseline_edss_falls_back_to_the_week0_score(tmp_path: Path, protocol) -> None:
    folder = write_synthetic_folder(tmp_path, SyntheticTrial(seed=7, n_participants=6))
    pid = _blank(folder / "participants.csv", 2, "baseline_edss")
    data = read_analysis_data(folder, protocol)
    times = progression_times(data, protocol, analysis="period1")
    assert pid in set(times["participant_id"])
