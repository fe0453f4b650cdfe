"""Property: for any screening records (hypothesis), the SQL compiled from the rules gives the Python verdicts.

The generated registry explores realistic data; this explores the awkward corners (ties on a date, empty versus
absent lists, Feb 29, events after the evaluation date) that a realistic generator rarely produces.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mescams.core.eligibility import Criterion, PatientRecord
from mescams.prescreen import run_duckdb, run_python
from mescams.prescreen.registry import tables_from_records, write_tables
from tests.factories.eligibility import CRITERIA
from tests.factories.eligibility_strategies import ON, records


def _compare(batch: list[PatientRecord], on: dt.date, criteria: tuple[Criterion, ...]) -> None:
    batch = [dataclasses.replace(r, id=f"H{i:03d}") for i, r in enumerate(batch)]
    with tempfile.TemporaryDirectory() as tmp:
        write_tables(Path(tmp), tables_from_records(batch))
        sql, python = run_duckdb(Path(tmp), on, criteria), run_python(Path(tmp), on, criteria)
    for cid in sql.status:
        for i in (sql.status[cid] != python.status[cid]).nonzero()[0]:
            raise AssertionError(f"{cid} differs for {batch[i]}: sql {sql.status[cid][i]}, python "
                                 f"{python.status[cid][i]}")
    assert (sql.eligible == python.eligible).all()


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(batch=st.lists(records(), min_size=1, max_size=30), shift=st.integers(-400, 400))
def test_sql_verdicts_equal_python_verdicts(batch: list[PatientRecord], shift: int) -> None:
    _compare(batch, ON + dt.timedelta(days=shift), CRITERIA)


def test_edge_cases_by_hand() -> None:
    from mescams.core.eligibility.record import EdssAssessment, LabResult, MsHistory

    leap = PatientRecord(id="L", birth_date=dt.date(1980, 2, 29), consent_date=None,
                         ms=MsHistory("SPMS", dt.date(2012, 2, 29), None, True),
                         edss=(EdssAssessment(dt.date(2016, 2, 1), 4.0), EdssAssessment(dt.date(2016, 2, 1), 6.0),
                               EdssAssessment(dt.date(2015, 3, 2), 5.5)),
                         labs=(LabResult(dt.date(2016, 2, 1), "egfr", 70.0),
                               LabResult(dt.date(2016, 2, 1), "egfr", 50.0),
                               LabResult(dt.date(2016, 2, 1), "wbc", 5.0, None, None),
                               LabResult(dt.date(2016, 2, 1), "wbc", 5.0, None, True)))
    empty = PatientRecord(id="E", relapses=(), mri=(), edss=(), therapies=(), conditions=(), allergies=(), labs=())
    for on in (dt.date(2016, 2, 28), dt.date(2016, 2, 29), dt.date(2016, 3, 1), dt.date(2017, 2, 28)):
        _compare([leap, empty, PatientRecord(id="N")], on, CRITERIA)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(batch=st.lists(records(), min_size=1, max_size=10))
def test_records_survive_the_registry_tables(batch: list[PatientRecord]) -> None:
    """What the property above compares is the records themselves: writing them as tables loses nothing."""
    from mescams.core.eligibility.record import MsHistory
    from mescams.prescreen.engines import records_from_tables

    batch = [dataclasses.replace(r, id=f"H{i:03d}", ms=r.ms or MsHistory()) for i, r in enumerate(batch)]
    tables = {name: table.sort_by("patient_key") for name, table in tables_from_records(batch).items()}
    back = list(records_from_tables(tables))

    def canonical(rec: PatientRecord) -> PatientRecord:  # row order inside a list is not kept, nor meaningful
        lists = {f: None if getattr(rec, f) is None else tuple(sorted(getattr(rec, f), key=repr))
                 for f in ("relapses", "mri", "edss", "therapies", "conditions", "allergies", "labs")}
        return dataclasses.replace(rec, **lists)

    assert [canonical(r) for r in back] == [canonical(r) for r in batch]
