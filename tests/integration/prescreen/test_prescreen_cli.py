"""``mescams prescreen`` and ``mescams sim registry`` from the command line, on a small generated registry."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
import pytest
import sqlglot
from typer.testing import CliRunner

from mescams.cli import app

runner = CliRunner()
GOLDEN = Path(__file__).parent / "golden"
CRITERIA = [f"I{n}" for n in range(1, 6)] + [f"E{n}" for n in range(1, 19)]


@pytest.fixture(scope="module")
def small(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("small")
    result = runner.invoke(app, ["sim", "registry", str(folder), "--patients", "3000", "--seed", "11"])
    assert result.exit_code == 0, result.output
    assert "patients: 3,000" in result.stdout
    return folder


def _json(*args: str) -> dict[str, object]:
    result = runner.invoke(app, ["prescreen", *args])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_json_funnel_is_the_same_for_both_engines(small: Path) -> None:
    duck = _json(str(small), "--on", "2016-03-01", "--json")
    python = _json(str(small), "--on", "2016-03-01", "--json", "--engine", "python")
    assert duck == python
    assert list(duck) == ["patients", "eligible", "ineligible", "undetermined", "criteria"]
    assert duck["patients"] == 3000
    assert duck["eligible"] + duck["ineligible"] + duck["undetermined"] == 3000  # type: ignore[operator]
    criteria = duck["criteria"]
    assert isinstance(criteria, dict) and list(criteria) == CRITERIA
    assert all(sum(c.values()) == 3000 and list(c) == ["met", "not_met", "unknown"] for c in criteria.values())


def test_table_and_candidates_file(small: Path, tmp_path: Path) -> None:
    out = tmp_path / "candidates.parquet"
    result = runner.invoke(app, ["prescreen", str(small), "--on", "2016-03-01", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "still possible" in result.stdout and "E18" in result.stdout and "eligible" in result.stdout
    funnel = _json(str(small), "--on", "2016-03-01", "--json")
    table = pq.read_table(out)
    assert table.column_names == ["patient_id", "eligible", *CRITERIA]
    assert table.num_rows == funnel["eligible"] + funnel["undetermined"]  # type: ignore[operator]
    assert table.column("eligible").to_pylist().count(True) == funnel["eligible"]
    assert pc.all(pc.is_in(table.column("E9"), pa.array(["met", "not_met", "unknown"]))).as_py()


def test_same_seed_same_registry(small: Path, tmp_path: Path) -> None:
    again = tmp_path / "again"
    assert runner.invoke(app, ["sim", "registry", str(again), "--patients", "3000", "--seed", "11"]).exit_code == 0
    for name in ("patients", "edss", "therapies"):
        assert pq.read_table(small / f"{name}.parquet").equals(pq.read_table(again / f"{name}.parquet")), name


def test_bad_registry_names_table_column_and_row(small: Path, tmp_path: Path) -> None:
    bad = tmp_path / "bad"
    bad.mkdir()
    for file in small.iterdir():
        (bad / file.name).write_bytes(file.read_bytes())
    edss = pq.read_table(bad / "edss.parquet")
    scores = edss.column("score").to_pylist()
    scores[4] = 7.3
    pq.write_table(edss.set_column(2, "score", pa.array(scores)), bad / "edss.parquet")
    for engine in ("duckdb", "python"):
        result = runner.invoke(app, ["prescreen", str(bad), "--on", "2016-03-01", "--engine", engine])
        assert result.exit_code == 2 and "edss.score (row 5)" in result.stderr, result.stderr
    (bad / "labs.parquet").unlink()
    result = runner.invoke(app, ["prescreen", str(bad), "--on", "2016-03-01"])
    assert result.exit_code == 2 and "labs.parquet" in result.stderr


def test_bad_options(small: Path) -> None:
    for args, field in ((["--on", "2016-02-30"], "--on"), (["--on", "2016-03-01", "--engine", "spark"], "--engine")):
        result = runner.invoke(app, ["prescreen", str(small), *args])
        assert result.exit_code == 2 and field in result.stderr
    result = runner.invoke(app, ["prescreen", "--emit-sql", "oracle", "--on", "2016-03-01"])
    assert result.exit_code == 2 and "--emit-sql" in result.stderr


@pytest.mark.parametrize("dialect", ["postgres", "spark", "duckdb"])
def test_emitted_sql_matches_golden_file_and_parses(dialect: str) -> None:
    """Golden SQL per dialect: a change of the compiled SQL is seen in review (MESCAMS_UPDATE_GOLDEN=1 rewrites)."""
    result = runner.invoke(app, ["prescreen", "--emit-sql", dialect, "--on", "2016-03-01"])
    assert result.exit_code == 0, result.output
    sql = result.stdout
    sqlglot.parse_one(sql.rstrip().rstrip(";"), read=dialect)
    golden = GOLDEN / f"prescreen-2016-03-01.{dialect}.sql"
    if os.environ.get("MESCAMS_UPDATE_GOLDEN") == "1":
        golden.parent.mkdir(exist_ok=True)
        golden.write_text(sql)
    assert golden.is_file(), f"missing {golden}: run with MESCAMS_UPDATE_GOLDEN=1"
    assert sql == golden.read_text()
    assert "CAST('2015-03-01' AS DATE)" in sql  # the 12-month window's exclusive edge, computed in Python
