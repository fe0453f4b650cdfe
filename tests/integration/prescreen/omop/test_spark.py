"""The Spark SQL emitted by ``mescams feasibility omop --emit-sql spark`` runs in a local Spark session over a
synthetic CDM (Parquet) and gives DuckDB's statuses for every person and criterion."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from mescams.core.eligibility import Criterion, criterion_column
from mescams.prescreen.omop.engine import (
    OMOP_TABLES,
    compile_omop_sql,
    compile_sourceless_sql,
    open_source,
    run_sql,
)
from mescams.prescreen.omop.synthetic import SyntheticShape, write_parquet
from tests.conftest import require

pytestmark = pytest.mark.spark

ON = dt.date(2016, 3, 1)


def _spark() -> Any:
    try:
        from pyspark.sql import SparkSession
    except ImportError:
        require(False, "pyspark is not installed (it is in the test extra)")
    try:
        return (SparkSession.builder.master("local[1]").appName("mescams-feasibility-test")
                .config("spark.ui.enabled", "false").config("spark.sql.shuffle.partitions", "2").getOrCreate())
    except Exception as exc:  # noqa: BLE001 - no JVM, no session: the reason is in the message
        require(False, f"no local Spark session (Java 17 needed): {exc}")


def test_spark_sql_gives_duckdbs_statuses(tmp_path: Path, criteria: tuple[Criterion, ...]) -> None:
    folder = tmp_path / "cdm"
    write_parquet(folder, SyntheticShape(800, seed=7, on=ON))
    source = open_source(str(folder))
    try:
        duck = run_sql(source, ON, criteria, allow_local=True)
        sql = compile_omop_sql(duck.prepared, ON, "spark")
    finally:
        source.close()
    sourceless, _ = compile_sourceless_sql(criteria, ON, "spark", allow_local=True)  # resolves concepts in Spark
    spark = _spark()
    try:
        for table in OMOP_TABLES:
            spark.read.parquet(str(folder / f"{table}.parquet")).createOrReplaceTempView(table)
        results = [spark.sql(sql).collect(), spark.sql(sourceless).collect()]
    finally:
        spark.stop()
    for rows in results:
        assert [r["patient_id"] for r in rows] == list(duck.verdicts.patient_ids)
        for c in duck.prepared.restriction.criteria:
            got = np.array([-1 if r[criterion_column(c.id)] is None else int(r[criterion_column(c.id)])
                            for r in rows])
            assert (got == duck.verdicts.status[c.id]).all(), c.id
        eligible = np.array([-1 if r["eligible"] is None else int(r["eligible"]) for r in rows])
        assert (eligible == duck.verdicts.eligible).all()
