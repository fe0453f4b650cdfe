"""``mescams power`` end to end, locally and on a Dask cluster (a LocalCluster of 2 workers): same numbers."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from mescams.cli import app
from mescams.sim.power import GridCell, run_grid

runner = CliRunner()
GRID = ["--participants", "16,31", "--rate-ratios", "0.5,1", "--trials", "150", "--chunk-size", "50",
        "--seed", "42"]


@pytest.mark.heavy_sim
def test_power_writes_table_csv_json_and_figure(tmp_path: Path) -> None:
    out_csv, out_json, fig = tmp_path / "p.csv", tmp_path / "p.json", tmp_path / "p.png"
    result = runner.invoke(app, ["power", *GRID, "--workers", "2", "--csv", str(out_csv), "--json",
                                 str(out_json), "--figure", str(fig)])
    assert result.exit_code == 0, result.output
    assert "type I" in result.output and "crossover" in result.output
    rows = list(csv.DictReader(out_csv.open(encoding="utf-8")))
    assert len(rows) == 2 * 2 * 2  # sizes x rate ratios x analyses
    assert json.loads(out_json.read_text(encoding="utf-8"))[0]["trials"] == 150
    assert fig.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_bad_grid_values_name_the_option() -> None:
    result = runner.invoke(app, ["power", "--rate-ratios", "0.5,abc"])
    assert result.exit_code == 2 and "--rate-ratios" in result.output


@pytest.fixture(scope="module")
def cluster():  # type: ignore[no-untyped-def]
    from distributed import LocalCluster

    with LocalCluster(n_workers=2, threads_per_worker=1, processes=False, dashboard_address=None) as c:
        yield c


@pytest.mark.heavy_sim
def test_dask_cluster_gives_the_local_numbers(cluster, vp_params, scan_design) -> None:  # type: ignore[no-untyped-def]
    from distributed import Client

    from mescams.sim.dask_grid import run_grid_on_dask

    cells = [GridCell(20, 0.6, 1.5), GridCell(31, 1.0, 1.0, 0.3)]
    local = run_grid(cells, n_trials=200, seed=5, params=vp_params, design=scan_design, chunk_size=50, workers=1)
    done: list[object] = []
    with Client(cluster) as client:
        remote = run_grid_on_dask(cells, address=client, n_trials=200, seed=5, params=vp_params,
                                  design=scan_design, chunk_size=50, on_chunk_done=done.append)
    assert len(done) == 8
    for a, b in zip(local, remote, strict=True):
        assert (a.analysis, a.trials, a.not_converged, a.rejection_rate) == (
            b.analysis, b.trials, b.not_converged, b.rejection_rate)
        for name in ("bias_log_rr", "coverage", "median_rate_ratio"):
            assert getattr(a, name) == pytest.approx(getattr(b, name), rel=1e-9, abs=1e-12)


@pytest.mark.heavy_sim
def test_power_command_on_the_cluster(cluster, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    local, remote = tmp_path / "local.json", tmp_path / "remote.json"
    assert runner.invoke(app, ["power", *GRID, "--workers", "1", "--json", str(local)]).exit_code == 0
    result = runner.invoke(app, ["power", *GRID, "--dask-scheduler", cluster.scheduler_address, "--json",
                                 str(remote)])
    assert result.exit_code == 0, result.output
    a, b = json.loads(local.read_text()), json.loads(remote.read_text())
    assert [r["rejection_rate"] for r in a] == [r["rejection_rate"] for r in b]


def test_unreachable_scheduler_is_a_clear_error() -> None:
    result = runner.invoke(app, ["power", *GRID, "--dask-scheduler", "tcp://127.0.0.1:9", "--dask-timeout", "1"])
    assert result.exit_code == 2
    assert "--dask-scheduler" in result.output
