"""The compiled SQL runs on PostgreSQL (psycopg 3) over a synthetic CDM and gives the reference engine's statuses.

The CDM is COPYed into a schema of its own in the test database, reached through the URL's search_path, and
dropped afterwards."""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterator

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from mescams.core.eligibility import Criterion, criterion_column
from mescams.prescreen.omop.engine import OMOP_TABLES, compile_sourceless_sql, open_source, run_reference, run_sql
from mescams.prescreen.omop.synthetic import SyntheticShape, write_parquet
from tests.conftest import require
from tests.integration.prescreen.omop.same_verdicts import assert_same_verdicts

pytestmark = pytest.mark.postgres

ON = dt.date(2016, 3, 1)
BASE = os.environ.get("MESCAMS_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")
_TYPES = {pa.int64(): "bigint", pa.int32(): "integer", pa.date32(): "date", pa.float64(): "double precision",
          pa.string(): "text", pa.timestamp("us"): "timestamp"}


@pytest.fixture(scope="module")
def pg_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    try:
        import psycopg

        conn = psycopg.connect(BASE, autocommit=True, connect_timeout=3)
    except Exception as exc:  # noqa: BLE001 - any failure to connect means the server is absent
        require(False, f"PostgreSQL not reachable at {BASE} ({exc})")
    schema = f"mescams_omop_{os.getpid()}"
    folder = tmp_path_factory.mktemp("pg_cdm")
    write_parquet(folder, SyntheticShape(400, seed=3, on=ON))
    conn.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE")
    conn.execute(f"CREATE SCHEMA {schema}")
    for table in OMOP_TABLES:
        data = pq.read_table(folder / f"{table}.parquet")
        ddl = ", ".join(f"{f.name} {_TYPES[f.type]}" for f in data.schema)
        conn.execute(f"CREATE TABLE {schema}.{table} ({ddl})")
        columns = data.column_names
        with conn.cursor() as cur, cur.copy(f"COPY {schema}.{table} ({', '.join(columns)}) FROM STDIN") as copy:
            for row in zip(*(data.column(c).to_pylist() for c in columns), strict=True):
                copy.write_row(row)
    separator = "&" if "?" in BASE else "?"
    yield f"{BASE}{separator}options=-csearch_path%3D{schema}"
    conn.execute(f"DROP SCHEMA {schema} CASCADE")
    conn.close()


def test_postgres_sql_equals_reference(pg_url: str, criteria: tuple[Criterion, ...]) -> None:
    source = open_source(pg_url)
    try:
        assert source.dialect == "postgres"
        sql = run_sql(source, ON, criteria, allow_local=True)
        ref = run_reference(source, ON, criteria, allow_local=True)
    finally:
        source.close()
    assert_same_verdicts(sql, ref)
    assert (sql.verdicts.status["I1"] == 1).any()


def test_postgres_runs_the_sourceless_sql(pg_url: str, criteria: tuple[Criterion, ...]) -> None:
    """The SQL emitted without a source resolves the concept sets in PostgreSQL's copy of the vocabulary."""
    sql_text, _ = compile_sourceless_sql(criteria, ON, "postgres", allow_local=True)
    source = open_source(pg_url)
    try:
        got = source.arrow(sql_text)
        expected = run_sql(source, ON, criteria, allow_local=True)
    finally:
        source.close()
    assert got.column("patient_id").to_pylist() == list(expected.verdicts.patient_ids)
    for cid, codes in expected.verdicts.status.items():
        values = [-1 if v is None else int(v) for v in got.column(criterion_column(cid)).to_pylist()]
        assert values == [int(c) for c in codes], cid
