"""The exported ATLAS cohort definition, run by an independent Circe implementation (duckcdm: a Python port of
OHDSI circe-be and SqlRender), counts the same people as our SQL: per criterion it can state (disease duration and
eight exclusions), for the MS rule, and for the whole definition; every other criterion has one line of why."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import duckdb
import numpy as np
import pytest

from mescams.core.eligibility import Criterion
from mescams.prescreen.omop.circe import cohort_definition, exportable, unstateable
from mescams.prescreen.omop.engine import OmopRun, open_source, prepare, run_sql

from .conftest import ON

circe = pytest.importorskip("duckcdm.circe", reason="duckcdm (Circe in Python) is in the test extra")


def _circe_count(db: Path, definition: dict, cohort_id: int) -> int:  # type: ignore[type-arg]
    from duckcdm.sqlrender import render, split_sql, translate

    sql = circe.build_cohort_query(json.dumps(definition), cdm_schema="main", target_table="mescams_cohort",
                                   cohort_id=cohort_id, generate_stats=False)
    con = duckdb.connect(str(db))
    try:
        con.execute("CREATE TABLE IF NOT EXISTS mescams_cohort (cohort_definition_id BIGINT, subject_id BIGINT, "
                    "cohort_start_date DATE, cohort_end_date DATE)")
        for statement in split_sql(translate(render(sql), "duckdb")):
            con.execute(statement)
        row = con.execute("SELECT COUNT(DISTINCT subject_id) FROM mescams_cohort "
                          f"WHERE cohort_definition_id = {cohort_id}").fetchone()
        assert row is not None
        return int(row[0])
    finally:
        con.close()


@pytest.fixture(scope="module")
def ours(cdm: Path, criteria: tuple[Criterion, ...]) -> tuple[OmopRun, np.ndarray[Any, Any]]:
    source = open_source(str(cdm))
    try:
        run = run_sql(source, ON, criteria, allow_local=True)
        observed = {int(r[0]) for r in source.rows(
            "SELECT DISTINCT person_id FROM observation_period WHERE observation_period_start_date <= "
            f"DATE '{ON}' AND observation_period_end_date >= DATE '{ON}'")}
    finally:
        source.close()
    ids = np.array([int(p) for p in run.verdicts.patient_ids])
    return run, np.isin(ids, sorted(observed))


@pytest.fixture(scope="module")
def scratch(cdm: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the CDM for Circe to write its cohort table into."""
    target = tmp_path_factory.mktemp("circe") / "cdm.duckdb"
    shutil.copyfile(cdm, target)
    return target


STATED = ["I3", "E4", "E5", "E6", "E7", "E8", "E9", "E12", "E13"]


def test_the_criteria_circe_can_state_and_why_not_the_others(ours: tuple[OmopRun, np.ndarray[Any, Any]]) -> None:
    run, _ = ours
    assert list(exportable(run.prepared, ON)) == STATED
    why = unstateable(run.prepared, ON)
    assert set(why) | set(STATED) == set(run.verdicts.status) and not set(why) & set(STATED)
    assert all(reason and "\n" not in reason for reason in why.values())
    assert "union of exposure intervals" in why["I1"] and "calendar years" in why["I2"] and "consent" in why["I5"]
    assert "observation period" in why["I4"] and "observation period" in why["E14"]
    description = cohort_definition(run.prepared, ON)["Description"]
    assert all(f"{cid}: {reason}" in description.splitlines() for cid, reason in why.items())


@pytest.mark.parametrize("only", ["MS", *STATED])
def test_circe_counts_each_rule_like_our_sql(ours: tuple[OmopRun, np.ndarray[Any, Any]], scratch: Path,
                                             only: str) -> None:
    run, observed = ours
    status = run.verdicts.status
    # I3 (disease duration) is known exactly when an MS record dates on or before the evaluation date
    expected = observed & (status["I3"] != -1) if only == "MS" else observed & (status[only] == 1)
    definition = cohort_definition(run.prepared, ON, only=only)
    assert _circe_count(scratch, definition, cohort_id=10) == int(expected.sum()) > 0


def test_circe_counts_the_whole_definition_like_our_sql(ours: tuple[OmopRun, np.ndarray[Any, Any]], scratch: Path,
                                                        cdm: Path, criteria: tuple[Criterion, ...]) -> None:
    run, observed = ours
    keep = observed & (run.verdicts.status["I3"] != -1)
    for cid in exportable(run.prepared, ON):
        kind = run.verdicts.kinds[cid]
        keep &= (run.verdicts.status[cid] == 1) if kind == "inclusion" else (run.verdicts.status[cid] != 1)
    source = open_source(str(cdm))
    try:
        definition = cohort_definition(prepare(source, criteria, allow_local=True), ON)
    finally:
        source.close()
    assert [r["name"].split(":")[0] for r in definition["InclusionRules"]][1:] == list(exportable(run.prepared, ON))
    assert _circe_count(scratch, definition, cohort_id=11) == int(keep.sum()) > 0
