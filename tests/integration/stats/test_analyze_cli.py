"""``mescams analyze``: the contract's results file, the report and the PDF, end to end on generated data."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

from typer.testing import CliRunner

from mescams.cli import build_app
from mescams.stats.synthetic import SyntheticTrial, write_synthetic_folder

CONTRACT_CROSSOVER = {"rate_ratio", "ci_low", "ci_high", "p_value", "theta", "random_intercept_sd",
                      "n_participants", "n_periods"}
CONTRACT_PERIOD1 = {"rate_ratio", "ci_low", "ci_high", "p_value", "theta", "n_participants"}
CONTRACT_AE = {"participants_with_ae", "events", "serious_events", "participants_with_serious_ae",
               "events_by_grade"}


def test_analyze_writes_contract_json_report_and_pdf(tmp_path: Path) -> None:
    folder = write_synthetic_folder(tmp_path / "data", SyntheticTrial(seed=7, missing_scan_prob=0.1,
                                                                      dropout_prob=0.1))
    out, html, pdf = tmp_path / "results.json", tmp_path / "report.html", tmp_path / "report.pdf"
    result = CliRunner().invoke(build_app(), ["analyze", str(folder), "--json", str(out), "--report", str(html),
                                              "--pdf", str(pdf)])
    assert result.exit_code == 0, result.output
    results = json.loads(out.read_text())
    assert CONTRACT_CROSSOVER <= set(results["gel_crossover"])
    assert CONTRACT_PERIOD1 <= set(results["gel_period1"])
    for treatment in ("MSC", "PLACEBO", "PRE_TREATMENT"):
        assert CONTRACT_AE <= set(results["adverse_events"][treatment])
        assert set(results["adverse_events"][treatment]["events_by_grade"]) == {"1", "2", "3", "4", "5"}
    crossover = results["gel_crossover"]
    assert crossover["converged"] and crossover["n_participants"] == 31
    assert crossover["ci_low"] < crossover["rate_ratio"] < crossover["ci_high"]
    text = html.read_text()
    for heading in ("Participant flow (CONSORT)", "Baseline characteristics", "forest plot", "Adverse events",
                    "Methods (generated from the fits)", results["input_folder_sha256"], "statsmodels"):
        assert heading in text
    assert text.count("data:image/png;base64,") >= 5
    assert pdf.read_bytes()[:5] == b"%PDF-"


def test_a_fit_that_cannot_be_estimated_prints_no_number(tmp_path: Path) -> None:
    """Every MSC period has zero GEL: the MSC rate ratio has no finite estimate; JSON and report say so."""
    trial = replace(SyntheticTrial(seed=11), msc_zero_prob=1.0)
    folder = write_synthetic_folder(tmp_path / "data", trial)
    out, html = tmp_path / "results.json", tmp_path / "report.html"
    result = CliRunner().invoke(build_app(), ["analyze", str(folder), "--json", str(out), "--report", str(html)])
    assert result.exit_code == 0, result.output
    crossover = json.loads(out.read_text())["gel_crossover"]
    assert crossover["converged"] is False
    assert crossover["rate_ratio"] is None and crossover["p_value"] is None
    assert "all counts are zero where treatmentMSC = 1" in crossover["message"]
    assert "not estimated" in html.read_text()
    assert "not estimated" in result.output


def test_bad_folder_exits_2_naming_file_line_and_column(tmp_path: Path) -> None:
    folder = write_synthetic_folder(tmp_path / "data", SyntheticTrial(seed=2, n_participants=6))
    mri = folder / "mri.csv"
    lines = mri.read_text().splitlines()
    cells = lines[3].split(",")
    cells[3] = "-2"
    lines[3] = ",".join(cells)
    mri.write_text("\n".join(lines) + "\n")
    result = CliRunner().invoke(build_app(), ["analyze", str(folder), "--json", str(tmp_path / "r.json")])
    assert result.exit_code == 2
    assert "mri.csv line 4, column gel_count" in result.output
    assert not (tmp_path / "r.json").exists()
