"""The analysis-data reader: every broken rule names file, line and column."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from mescams.errors import AnalysisDataError
from mescams.stats.analysis_data import folder_hash, read_analysis_data
from mescams.stats.synthetic import SyntheticTrial, write_synthetic_folder


@pytest.fixture()
def folder(tmp_path: Path) -> Path:
    return write_synthetic_folder(tmp_path / "data", SyntheticTrial(seed=3, n_participants=8, missing_scan_prob=0.1))


def _edit(path: Path, line: int, column: str, value: str) -> None:
    rows = list(csv.reader(path.open(encoding="utf-8")))
    rows[line - 1][rows[0].index(column)] = value
    with path.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows(rows)


def test_reads_typed_tables(folder: Path, protocol) -> None:
    data = read_analysis_data(folder, protocol)
    assert len(data.participants) == 8
    assert data.mri["gel_count"].dtype.kind == "i"
    assert set(data.mri["week"]) <= {0, 4, 12, 24, 28, 36, 48}
    assert data.source_hash == folder_hash(folder)


@pytest.mark.parametrize(
    ("file", "line", "column", "value", "rule"),
    [
        ("participants.csv", 3, "sequence", "MSC-MSC", "must be one of"),
        ("participants.csv", 2, "baseline_edss", "3.25", "steps of 0.5"),
        ("participants.csv", 3, "baseline_edss", "0.25", "steps of 0.5"),
        ("participants.csv", 4, "randomization_date", "2015-13-01", "ISO 8601"),
        ("participants.csv", 2, "weight_kg", "-3", "must be >"),
        ("mri.csv", 5, "gel_count", "-1", ">= 0"),
        ("mri.csv", 2, "week", "5", "must be one of"),
        ("mri.csv", 3, "gel_volume_mm3", "abc", "expected a number"),
        ("edss.csv", 2, "score", "10.5", "<= 10"),
        ("relapses.csv", 2, "confirmed", "yes", "'true' or 'false'"),
    ],
)
def test_bad_cell_names_file_line_and_column(folder: Path, protocol, file, line, column, value, rule) -> None:
    _edit(folder / file, line, column, value)
    with pytest.raises(AnalysisDataError) as caught:
        read_analysis_data(folder, protocol)
    assert caught.value.field == f"{file} line {line}, column {column}"
    assert rule in caught.value.rule


def test_unknown_participant_is_rejected(folder: Path, protocol) -> None:
    _edit(folder / "mri.csv", 4, "participant_id", "NOBODY")
    with pytest.raises(AnalysisDataError, match=r"mri.csv line 4, column participant_id: .*NOBODY"):
        read_analysis_data(folder, protocol)


def test_duplicate_scan_is_rejected(folder: Path, protocol) -> None:
    rows = list(csv.reader((folder / "mri.csv").open(encoding="utf-8")))
    rows.append(rows[2])
    with (folder / "mri.csv").open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows(rows)
    with pytest.raises(AnalysisDataError, match=f"mri.csv line {len(rows)}, column week: duplicate"):
        read_analysis_data(folder, protocol)


def test_missing_file_and_column(folder: Path, protocol) -> None:
    (folder / "relapses.csv").unlink()
    with pytest.raises(AnalysisDataError, match="relapses.csv: file missing"):
        read_analysis_data(folder, protocol)
    write_synthetic_folder(folder, SyntheticTrial(seed=3, n_participants=8))
    text = (folder / "edss.csv").read_text().replace("score", "edss_score", 1)
    (folder / "edss.csv").write_text(text)
    with pytest.raises(AnalysisDataError, match="edss.csv line 1: missing column"):
        read_analysis_data(folder, protocol)


def test_second_infusion_before_first(folder: Path, protocol) -> None:
    _edit(folder / "participants.csv", 2, "infusion2_date", "2010-01-01")
    with pytest.raises(AnalysisDataError, match="participants.csv line 2, column infusion2_date"):
        read_analysis_data(folder, protocol)


def test_edss_half_point_is_accepted_as_the_contract_allows(folder: Path, protocol) -> None:
    """The contract admits any multiple of 0.5 from 0 to 10, so 0.5 (absent from Kurtzke's scale) is read."""
    _edit(folder / "participants.csv", 2, "baseline_edss", "0.5")
    data = read_analysis_data(folder, protocol)
    assert 0.5 in set(data.participants["baseline_edss"])
