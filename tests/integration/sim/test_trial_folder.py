"""``mescams sim trial``: the folder follows the analysis-data contract, the stats area reads it, and its GEL
crossover fit equals the batched fit on the same trial."""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from mescams.cli import app
from mescams.core.schedule import planned_visits
from mescams.sim.trial import TABLES
from mescams.stats.nb2 import fit_crossover_trials

runner = CliRunner()


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("trial") / "sim"
    result = runner.invoke(app, ["sim", "trial", str(out), "--participants", "31", "--rate-ratio", "0.6",
                                 "--seed", "11"])
    assert result.exit_code == 0, result.output
    return out


def _read(folder: Path, name: str) -> list[dict[str, str]]:
    with (folder / name).open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def test_every_contract_file_and_column_is_there(folder: Path) -> None:
    for name, columns in TABLES.items():
        with (folder / name).open(encoding="utf-8") as fh:
            assert next(csv.reader(fh)) == list(columns)
    people = _read(folder, "participants.csv")
    assert len(people) == 31
    assert {p["sequence"] for p in people} == {"MSC-PLACEBO", "PLACEBO-MSC"}


def test_values_follow_the_contract_and_the_protocol(folder: Path, protocol) -> None:  # type: ignore[no-untyped-def]
    people = {p["participant_id"]: p for p in _read(folder, "participants.csv")}
    for p in people.values():
        assert 2.5 <= float(p["baseline_edss"]) <= 6.5 and float(p["baseline_edss"]) * 2 % 1 == 0
        assert 18 <= int(p["age"]) <= 50
        assert p["infusion1_date"] == p["randomization_date"]
    for scan in _read(folder, "mri.csv"):
        p = people[scan["participant_id"]]
        week0 = dt.date.fromisoformat(p["randomization_date"])
        plan = {pv.visit.week: pv for pv in planned_visits(protocol, week0)}
        assert plan[int(scan["week"])].contains(dt.date.fromisoformat(scan["scan_date"]))
        assert int(scan["cua_count"]) >= int(scan["gel_count"]) >= 0
        if int(scan["week"]) == 24 and p["infusion2_date"]:
            assert scan["scan_date"] == p["infusion2_date"]  # one visit: scan and second infusion
    ids = [(a["participant_id"], a["ae_id"]) for a in _read(folder, "adverse_events.csv")]
    assert len(ids) == len(set(ids))
    for ae in _read(folder, "adverse_events.csv"):
        assert ae["serious"] in {"true", "false"} and 1 <= int(ae["severity_grade"]) <= 5


def test_the_same_seed_writes_the_same_bytes(folder: Path, tmp_path: Path) -> None:
    again, other = tmp_path / "again", tmp_path / "other"
    assert runner.invoke(app, ["sim", "trial", str(again), "--seed", "11"]).exit_code == 0
    assert runner.invoke(app, ["sim", "trial", str(other), "--seed", "12"]).exit_code == 0
    for name in TABLES:
        assert (again / name).read_bytes() == (folder / name).read_bytes()
    assert (other / "mri.csv").read_bytes() != (folder / "mri.csv").read_bytes()


def test_a_non_empty_folder_is_refused_and_left_alone(folder: Path) -> None:
    before = (folder / "mri.csv").read_bytes()
    result = runner.invoke(app, ["sim", "trial", str(folder), "--seed", "3"])
    assert result.exit_code == 2
    assert "OUT_DIR" in result.output and "not empty" in result.output
    assert (folder / "mri.csv").read_bytes() == before


def test_bad_rate_ratio_names_the_option(tmp_path: Path) -> None:
    result = runner.invoke(app, ["sim", "trial", str(tmp_path / "x"), "--rate-ratio", "0"])
    assert result.exit_code == 2 and "--rate-ratio" in result.output


def test_the_stats_area_reads_it_and_fits_what_the_batched_fit_fits(folder: Path, protocol) -> None:  # type: ignore[no-untyped-def]
    from mescams.stats.analysis_data import read_analysis_data
    from mescams.stats.crossover import fit_crossover
    from mescams.stats.datasets import period_totals

    data = read_analysis_data(folder, protocol)  # raises on any broken contract rule
    totals = period_totals(data, protocol)
    single = fit_crossover(totals, protocol)
    wide = totals.pivot(index="participant_id", columns="period")
    y = wide["gel_total"].fillna(0).to_numpy(dtype=float)[None]
    n = wide["n_scans"].fillna(0).to_numpy(dtype=float)[None]
    msc = (wide["treatment"] == "MSC").to_numpy(dtype=float)[None]
    batch = fit_crossover_trials(y, n, msc)
    assert single.converged_ and batch.converged[0]
    np.testing.assert_allclose(batch.beta[0], single.params_.to_numpy(), rtol=1e-6, atol=1e-6)
    assert batch.n_periods[0] == len(totals)
    assert isinstance(totals, pd.DataFrame)
