"""``--emit-sql`` without a SOURCE: the SQL resolves the concept sets itself (joining the file's codes to concept
and concept_ancestor), and run on the test CDM gives every person the statuses of the source-resolved query,
including where a set does not resolve in that vocabulary (unknown, never met)."""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path

import duckdb
import numpy as np
import pytest
from typer.testing import CliRunner

from mescams.cli import app
from mescams.core.eligibility import Criterion, criterion_column
from mescams.prescreen.omop.concepts import ConceptFile, load_concepts
from mescams.prescreen.omop.engine import compile_sourceless_sql, open_source, run_sql

from .conftest import ON


def _statuses(cdm: Path, sql: str) -> dict[str, np.ndarray]:  # type: ignore[type-arg]
    con = duckdb.connect(str(cdm), read_only=True)
    try:
        table = con.sql(sql).to_arrow_table()
    finally:
        con.close()
    return {name: np.asarray(table.column(name).to_pylist(), dtype=object) for name in table.column_names}


def _broken_hiv(concepts: ConceptFile) -> ConceptFile:
    """HIV with a code no vocabulary holds: the set resolves to nothing."""
    hiv = concepts.sets["condition:hiv"]
    wrong = dataclasses.replace(hiv, concepts=(dataclasses.replace(hiv.concepts[0], code="0-none"),))
    return dataclasses.replace(concepts, sets={**concepts.sets, "condition:hiv": wrong})


@pytest.mark.parametrize(("local", "on", "broken"), [(True, ON, False), (False, ON, False),
                                                     (True, dt.date(2015, 2, 28), False), (True, ON, True)])
def test_sourceless_sql_gives_the_source_resolved_statuses(cdm: Path, criteria: tuple[Criterion, ...], local: bool,
                                                           on: dt.date, broken: bool) -> None:
    concepts = _broken_hiv(load_concepts()) if broken else load_concepts()
    sql, _ = compile_sourceless_sql(criteria, on, "duckdb", concepts=concepts, allow_local=local)
    got = _statuses(cdm, sql)
    source = open_source(str(cdm))
    try:
        expected = run_sql(source, on, criteria, concepts=concepts, allow_local=local)
    finally:
        source.close()
    assert list(got["patient_id"]) == list(expected.verdicts.patient_ids)
    for cid, codes in expected.verdicts.status.items():
        column = np.array([-1 if v is None else int(v) for v in got[criterion_column(cid)]], dtype=np.int8)
        mismatch = (column != codes).nonzero()[0]
        assert len(mismatch) == 0, f"{cid}: persons {list(got['patient_id'][mismatch[:5]])} differ"
    if broken:
        assert (expected.verdicts.status["E4"] != 0).all()  # HIV missing: E4 never "not met"


def test_emit_sql_needs_no_source(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["feasibility", "omop", "--on", "2016-03-01", "--emit-sql", "postgres"])
    assert result.exit_code == 0, result.output
    assert "concept_ancestor" in result.output and "omop_concept_sets" in result.output
    refused = CliRunner().invoke(app, ["feasibility", "omop", "--on", "2016-03-01"])
    assert refused.exit_code == 2 and "SOURCE" in refused.output


@pytest.mark.parametrize("local", [True, False])
def test_the_sql_resolves_each_set_to_the_sources_ids(cdm: Path, local: bool) -> None:
    """The concept sets the SQL resolves itself hold exactly the ids resolved beforehand in the source."""
    from mescams.prescreen.omop.engine import resolve_in
    from mescams.prescreen.omop.members import RuntimeMembers

    concepts = load_concepts()
    ctes = RuntimeMembers(concepts, allow_local=local).prelude()
    sql = "WITH " + ", ".join(f"{name} AS ({body})" for name, body in ctes) + \
        " SELECT kind || ':' || name, concept_id FROM omop_concept_sets"
    source = open_source(str(cdm))
    try:
        rows = source.rows(sql)
        expected = resolve_in(source, concepts, allow_local=local)
    finally:
        source.close()
    got: dict[str, set[int]] = {}
    for key, cid in rows:
        got.setdefault(key, set()).add(int(cid))
    assert got == {key: set(ids) for key, ids in expected.items()}
    assert ("fact:relapse" in got) is local
