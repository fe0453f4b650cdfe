"""The two pre-screening engines: the compiled SQL in DuckDB, and the core's Python rules record by record.

Both take the registry folder, the evaluation date and the criteria, and return :class:`Verdicts` sorted by
patient id. The DuckDB engine never sees a rule, only the SQL the rules compiled to; the Python engine never sees
SQL. That is what makes their agreement (tested on a generated registry) a check of the SQL compiler.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from mescams.core.eligibility import (
    Condition,
    Criterion,
    EdssAssessment,
    LabResult,
    MriScan,
    MsHistory,
    PatientRecord,
    Relapse,
    Status,
    Therapy,
    assess,
    compile_sql,
    criterion_column,
)
from mescams.prescreen.registry import REGISTRY_COLUMNS, load_tables, table_path, validate_registry
from mescams.prescreen.verdicts import Verdicts

__all__ = ["ENGINES", "records_from_tables", "run_duckdb", "run_python"]

Progress = Callable[[int], None]
_CODE = {Status.MET: 1, Status.NOT_MET: 0, Status.UNKNOWN: -1}
_ELIGIBLE = {True: 1, False: 0, None: -1}


def _columns(table: pa.Table, names: Sequence[str]) -> list[list[Any]]:
    return [table.column(n).to_pylist() for n in names]


def _bounds(table: pa.Table, keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    rows = table.column("patient_key").to_numpy()
    return np.searchsorted(rows, keys, "left"), np.searchsorted(rows, keys, "right")


def records_from_tables(tables: dict[str, pa.Table]) -> Iterator[PatientRecord]:
    """One :class:`PatientRecord` per patient row, with its child rows; tables must be sorted by patient_key."""
    patients = tables["patients"]
    ids = patients.column("patient_id").to_pylist()
    keys = patients.column("patient_key").to_numpy()
    p = {name: patients.column(name).to_pylist() for name in REGISTRY_COLUMNS["patients"]}
    builders: dict[str, tuple[Callable[..., Any], list[str]]] = {
        "relapses": (Relapse, ["onset_date", "clinically_documented"]),
        "mri": (MriScan, ["scan_date", "gel_count"]),
        "edss": (EdssAssessment, ["assessment_date", "score"]),
        "therapies": (Therapy, ["drug", "start_date", "end_date", "accelerated_elimination"]),
        "conditions": (Condition, ["code", "start_date", "remission_date", "active"]),
        "allergies": (str, ["substance"]),
        "labs": (LabResult, ["sample_date", "test", "value", "unit", "clinically_significant"]),
    }
    children = {}
    for name, (make, cols) in builders.items():
        lo, hi = _bounds(tables[name], keys)
        rows = list(zip(*_columns(tables[name], cols), strict=True))
        children[name] = (make, rows, lo, hi, p[f"{name}_recorded"])

    for i, pid in enumerate(ids):
        lists: dict[str, Any] = {}
        for name, (make, rows, lo, hi, recorded) in children.items():
            a, b = lo[i], hi[i]
            lists[name] = tuple(make(*r) for r in rows[a:b]) if (recorded[i] or b > a) else None
        yield PatientRecord(
            id=pid, site=p["site"][i], sex=p["sex"][i], birth_date=p["birth_date"][i],
            consent_date=p["consent_date"][i], able_to_consent=p["able_to_consent"][i],
            ms=MsHistory(p["ms_course"][i], p["ms_onset_date"][i], p["ms_diagnosis_date"][i],
                         p["ms_csf_oligoclonal_bands"][i]),
            pregnant=p["pregnant"][i], childbearing_potential=p["childbearing_potential"][i],
            willing_to_use_contraception=p["willing_to_use_contraception"][i],
            can_undergo_mri=p["can_undergo_mri"][i], in_other_trial=p["in_other_trial"][i],
            able_to_adhere=p["able_to_adhere"][i], **lists,
        )


def run_python(registry: Path, on: dt.date, criteria: Sequence[Criterion], *, limit: int | None = None,
               progress: Progress | None = None) -> Verdicts:
    """Evaluate every patient with the core's Python rules (``limit``: only the first patients)."""
    validate_registry(registry)
    tables = load_tables(registry, limit)
    n = tables["patients"].num_rows
    status = {c.id: np.empty(n, dtype=np.int8) for c in criteria}
    eligible = np.empty(n, dtype=np.int8)
    ids = []
    for i, record in enumerate(records_from_tables(tables)):
        result = assess(record, on, criteria)
        ids.append(record.id)
        for v in result.criteria:
            status[v.id][i] = _CODE[v.status]
        eligible[i] = _ELIGIBLE[result.eligible]
        if progress is not None and (i + 1) % 1000 == 0:
            progress(1000)
    if progress is not None:
        progress(n % 1000)
    return Verdicts(np.array(ids, dtype=object), {c.id: c.kind for c in criteria}, status, eligible)


def _codes(column: pa.ChunkedArray) -> np.ndarray:
    return np.asarray(pc.fill_null(pc.cast(column, pa.int8()), -1).to_numpy(), dtype=np.int8)


def _run_with_progress(con: Any, sql: str, total: int, progress: Progress | None) -> pa.Table:
    """Execute ``sql``; with ``progress``, poll DuckDB's own progress from this thread while another runs it."""
    import threading

    if progress is None:
        return con.sql(sql).to_arrow_table()
    con.execute("SET enable_progress_bar = true")
    con.execute("SET enable_progress_bar_print = false")  # track, but draw nothing: the caller draws on stderr
    outcome: dict[str, Any] = {}

    def work() -> None:
        try:
            outcome["table"] = con.sql(sql).to_arrow_table()
        except Exception as exc:  # noqa: BLE001 - re-raised below, in the caller's thread
            outcome["error"] = exc

    worker = threading.Thread(target=work, name="duckdb-prescreen")
    worker.start()
    done = 0
    while worker.is_alive():
        worker.join(0.2)
        percent = con.query_progress()
        if percent > 0:
            now = min(total, int(total * percent / 100))
            if now > done:
                progress(now - done)
                done = now
    if "error" in outcome:
        raise outcome["error"]
    progress(total - done)
    table: pa.Table = outcome["table"]
    return table


def run_duckdb(registry: Path, on: dt.date, criteria: Sequence[Criterion], *, limit: int | None = None,
               progress: Progress | None = None, threads: int | None = None) -> Verdicts:
    """Run the SQL compiled from the rules in an in-memory DuckDB over the Parquet files."""
    import duckdb
    import pyarrow.parquet as pq

    validate_registry(registry)
    total = pq.ParquetFile(table_path(registry, "patients")).metadata.num_rows
    total = min(total, limit) if limit is not None else total
    con = duckdb.connect(config={"threads": threads} if threads else {})
    try:
        con.execute("SET enable_progress_bar = false")  # our own bar is on stderr; keep stdout clean for --json
        con.execute("SET preserve_insertion_order = false")  # the query orders its result itself
        for table in REGISTRY_COLUMNS:
            path = str(table_path(registry, table).resolve()).replace("'", "''")
            source = f"read_parquet('{path}')"
            # S608: the table names are our constants, the path quoted as above, the limit an int;
            # DuckDB takes no parameters in a view's definition
            if limit is not None and table == "patients":
                source = f"(SELECT * FROM {source} LIMIT {int(limit)})"  # noqa: S608
            con.execute(f"CREATE VIEW {table} AS SELECT * FROM {source}")  # noqa: S608
        result = _run_with_progress(con, compile_sql(criteria, on, "duckdb", pretty=False), total, progress)
    finally:
        con.close()
    status = {c.id: _codes(result.column(criterion_column(c.id))) for c in criteria}
    return Verdicts(result.column("patient_id").to_numpy(zero_copy_only=False), {c.id: c.kind for c in criteria},
                    status, _codes(result.column("eligible")))


ENGINES: dict[str, Callable[..., Verdicts]] = {"duckdb": run_duckdb, "python": run_python}
