"""The SQL emitted for PostgreSQL runs on PostgreSQL and gives the DuckDB engine's verdicts.

The registry's tables are COPYed into temporary tables (psycopg), which the unqualified names in the emitted
query resolve to, so nothing outlives the test's connection.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pyarrow.parquet as pq
import pytest

from mescams.core.eligibility import Criterion, compile_sql, criterion_column
from mescams.prescreen import REGISTRY_COLUMNS, Verdicts, run_duckdb
from mescams.prescreen.registry import table_path
from tests.conftest import require

from .conftest import AS_OF

PG_TYPES = {"date": "date", "bool": "boolean", "string": "text", "number": "double precision", "integer": "bigint"}
DSN = "host=127.0.0.1 port=5432 dbname=test user=postgres connect_timeout=3"

pytestmark = pytest.mark.postgres


@pytest.fixture(scope="module")
def pg():  # type: ignore[no-untyped-def]
    try:
        import psycopg

        conn = psycopg.connect(DSN, autocommit=True)
    except Exception as exc:  # noqa: BLE001 - any failure to connect means the server is absent
        require(False, f"PostgreSQL not reachable at 127.0.0.1:5432 ({exc})")
    yield conn
    conn.close()


@pytest.fixture(scope="module")
def loaded(pg, registry: Path):  # type: ignore[no-untyped-def]
    """The connection, with the registry COPYed into its temporary tables (once per module)."""
    _load(pg, registry)
    return pg


def _load(conn, registry: Path) -> None:  # type: ignore[no-untyped-def]
    for table, columns in REGISTRY_COLUMNS.items():
        ddl = ", ".join(f"{name} {PG_TYPES[kind]}" for name, kind in columns.items())
        conn.execute(f"DROP TABLE IF EXISTS pg_temp.{table}")
        conn.execute(f"CREATE TEMP TABLE {table} ({ddl})")
        data = pq.read_table(table_path(registry, table), columns=list(columns))
        rows = zip(*(data.column(c).to_pylist() for c in columns), strict=True)
        with conn.cursor() as cur, cur.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
        conn.execute(f"ANALYZE {table}")


def _codes(values: list[bool | None]) -> np.ndarray:
    return np.array([-1 if v is None else int(v) for v in values], dtype=np.int8)


@pytest.mark.parametrize("on", [AS_OF, dt.date(2015, 10, 31)])
def test_postgres_sql_gives_the_same_verdicts(loaded, registry: Path,  # type: ignore[no-untyped-def]
                                              criteria: tuple[Criterion, ...], on: dt.date) -> None:
    rows = loaded.execute(compile_sql(criteria, on, "postgres")).fetchall()
    rows.sort(key=lambda r: r[0])
    columns = list(zip(*rows, strict=True))
    postgres = Verdicts(np.array(columns[0], dtype=object), {c.id: c.kind for c in criteria},
                        {c.id: _codes(list(columns[i + 1])) for i, c in enumerate(criteria)},
                        _codes(list(columns[len(criteria) + 1])))
    duck = run_duckdb(registry, on, criteria)
    assert postgres.funnel() == duck.funnel()
    assert (postgres.patient_ids == duck.patient_ids).all()
    for c in criteria:
        assert (postgres.status[c.id] == duck.status[c.id]).all(), criterion_column(c.id)
