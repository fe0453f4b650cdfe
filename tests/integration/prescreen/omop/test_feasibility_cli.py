"""``mescams feasibility omop`` as its user runs it: the funnel, suppression, emitted SQL and Circe, and who may
have person ids."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import sqlglot
from typer.testing import CliRunner

from mescams.cli import app

runner = CliRunner()


def _run(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, ["feasibility", "omop", *args])
    return result.exit_code, result.output


def _json(cdm: Path, *extra: str) -> dict:  # type: ignore[type-arg]
    code, out = _run(str(cdm), "--on", "2016-03-01", "--json", "--local-concepts", *extra)
    assert code == 0, out
    return json.loads(out)  # type: ignore[no-any-return]


def test_funnel_json_has_every_criterion_sites_and_gaps(cdm: Path) -> None:
    report = _json(cdm)
    assert [row["id"] for row in report["criteria"]][:6] == ["I1", "I2", "I3", "I4", "I5", "E1"]
    assert report["unknown_for_everyone"] == ["I5", "E11", "E15", "E16", "E17", "E18"]
    gaps = {g["input"]: g["criteria"] for g in report["unavailable"]}
    assert gaps["consent"] == ["I5", "E16"]
    assert set(report["sites"]) == {"1", "2", "3", "4", "5", "6"}
    steps = [row["still_possible"] for row in report["criteria"]]
    numbers = [s for s in steps if isinstance(s, int)]
    assert numbers == sorted(numbers, reverse=True)  # a funnel only narrows
    assert "person_id" not in json.dumps(report) and "patient_id" not in json.dumps(report)


def test_small_counts_are_suppressed_and_configurable(cdm: Path) -> None:
    shown = _json(cdm)
    e12 = next(r for r in shown["criteria"] if r["id"] == "E12")
    raw = _json(cdm, "--min-count", "1")
    e12_raw = next(r for r in raw["criteria"] if r["id"] == "E12")
    assert isinstance(e12_raw["met"], int)
    assert e12["met"] == ("<5" if 0 < e12_raw["met"] < 5 else e12_raw["met"])
    cells = [v for site in shown["sites"].values() for row in site["criteria"] for v in row.values()]
    assert not any(isinstance(v, int) and 0 < v < 5 for v in cells)
    assert any(v == "<5" for v in cells)


def test_one_site(cdm: Path) -> None:
    report = _json(cdm, "--site", "3")
    assert report["site"] == "3" and list(report["sites"]) == ["3"]
    assert report["persons"] == report["sites"]["3"]["persons"]
    code, out = _run(str(cdm), "--on", "2016-03-01", "--site", "99")
    assert code == 2 and "--site" in out


@pytest.mark.parametrize("dialect", ["duckdb", "postgres", "spark"])
def test_emit_sql_parses_in_its_dialect(cdm: Path, dialect: str) -> None:
    code, out = _run(str(cdm), "--on", "2016-03-01", "--emit-sql", dialect)
    assert code == 0, out
    tree = sqlglot.parse_one(out.rstrip().rstrip(";"), read=dialect)
    assert "condition_occurrence" in {t.name for t in tree.find_all(sqlglot.exp.Table)}


def test_emit_circe_writes_a_cohort_definition(cdm: Path, tmp_path: Path) -> None:
    target = tmp_path / "cohort.json"
    code, out = _run(str(cdm), "--on", "2016-03-01", "--local-concepts", "--emit-circe", str(target), "--json")
    assert code == 0, out
    definition = json.loads(target.read_text())
    assert {"ConceptSets", "PrimaryCriteria", "InclusionRules"} <= set(definition)
    assert definition["PrimaryCriteria"]["CriteriaList"][0]["ObservationPeriod"]["UserDefinedPeriod"] == {
        "StartDate": "2016-03-01", "EndDate": "2016-03-01"}
    left_out = json.loads(out)["circe_left_out"]  # one line of why per criterion left out
    assert "I3" not in left_out and "latest" in left_out["I4"]
    code, text = _run(str(cdm), "--on", "2016-03-01", "--local-concepts", "--emit-circe", str(target))
    assert code == 0 and f"not in the Circe definition: I4: {left_out['I4']}" in " ".join(text.split())


@pytest.mark.parametrize("role", ["data_manager", "unblinded_statistician", "dsmb", "edss_rater", "administrator"])
def test_candidates_refused_to_roles_not_recruiting_at_a_site(cdm: Path, tmp_path: Path, role: str) -> None:
    target = tmp_path / "ids.txt"
    code, out = _run(str(cdm), "--on", "2016-03-01", "--site", "3", "--candidates", str(target), "--role", role)
    assert code == 2 and "--role" in out
    assert not target.exists()


def test_candidates_need_a_site(cdm: Path, tmp_path: Path) -> None:
    code, out = _run(str(cdm), "--on", "2016-03-01", "--candidates", str(tmp_path / "x"), "--role",
                     "site_coordinator")
    assert code == 2 and "--site" in out


def test_candidates_are_the_sites_possible_people_only(cdm: Path, tmp_path: Path) -> None:
    from mescams.core.eligibility import build_criteria
    from mescams.prescreen.omop.engine import open_source, run_sql
    from mescams.protocols import default_protocol

    from .conftest import ON

    target = tmp_path / "ids.txt"
    code, out = _run(str(cdm), "--on", "2016-03-01", "--local-concepts", "--site", "3", "--candidates",
                     str(target), "--role", "investigator")
    assert code == 0, out
    ids = target.read_text().split()
    source = open_source(str(cdm))
    try:
        run = run_sql(source, ON, build_criteria(default_protocol()), allow_local=True)
    finally:
        source.close()
    position = {pid: i for i, pid in enumerate(run.verdicts.patient_ids)}
    assert ids and all(run.sites[position[p]] == "3" and run.verdicts.eligible[position[p]] != 0 for p in ids)
    expected = ((run.sites == "3") & (run.verdicts.eligible != 0)).sum()
    assert len(ids) == expected


def test_bad_source_names_the_problem(tmp_path: Path) -> None:
    code, out = _run(str(tmp_path / "nowhere"), "--on", "2016-03-01")
    assert code == 2 and "SOURCE" in out
    (tmp_path / "cdm").mkdir()
    code, out = _run(str(tmp_path / "cdm"), "--on", "2016-03-01")
    assert code == 2 and "person.parquet" in out
