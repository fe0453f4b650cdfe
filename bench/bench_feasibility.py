"""Feasibility over a synthetic OMOP CDM: the compiled SQL in DuckDB (2 threads) against the Python reference engine.

Writes ``BENCH_FEASIBILITY_PERSONS`` synthetic persons (default 200,000; 1,000,000 is the issue's target, seconds
to generate) as Parquet with our generator, runs the whole funnel with DuckDB limited to 2 threads (median
of 3, including opening the Parquet views and resolving the concept sets), and times the Python reference engine
on a 20,000-person CDM of the same shape, scaled to the full size. Target: DuckDB under 10 s for 1,000,000 persons.
"""

from __future__ import annotations

import datetime as dt
import os
import statistics
import tempfile
import time
from pathlib import Path

from mescams.core.eligibility import build_criteria
from mescams.prescreen.omop.engine import open_source, run_reference, run_sql
from mescams.prescreen.omop.funnel import funnel
from mescams.prescreen.omop.synthetic import SyntheticShape, write_parquet
from mescams.protocols import default_protocol

ON = dt.date(2016, 3, 1)
THREADS = 2


def _sql(folder: Path, criteria: tuple) -> tuple[float, float, object]:  # type: ignore[type-arg]
    """Wall seconds, CPU seconds (all threads) and the run."""
    t0, c0 = time.perf_counter(), time.process_time()
    source = open_source(str(folder), threads=THREADS)
    try:
        run = run_sql(source, ON, criteria, allow_local=True)
    finally:
        source.close()
    return time.perf_counter() - t0, time.process_time() - c0, run


def main() -> None:
    persons = int(os.environ.get("BENCH_FEASIBILITY_PERSONS", "200000"))
    sample = min(20_000, persons)
    criteria = build_criteria(default_protocol())
    with tempfile.TemporaryDirectory(prefix="mescams-bench-omop-") as tmp:
        full, part = Path(tmp) / "cdm", Path(tmp) / "sample"
        t0 = time.perf_counter()
        rows = write_parquet(full, SyntheticShape(persons, seed=2016, on=ON))
        write_parquet(part, SyntheticShape(sample, seed=2016, on=ON))
        print(f"generated {persons:,} persons ({sum(rows.values()):,} rows) in {time.perf_counter() - t0:.1f} s")

        times, cpu = [], []
        for _ in range(3):
            seconds, cpu_seconds, run = _sql(full, criteria)
            times.append(seconds)
            cpu.append(cpu_seconds)
        duck = statistics.median(times)
        report = funnel(run, on=ON.isoformat(), source="bench", min_count=1)  # type: ignore[arg-type]

        t0 = time.perf_counter()
        source = open_source(str(part))
        try:
            reference = run_reference(source, ON, criteria, allow_local=True)
        finally:
            source.close()
        python = (time.perf_counter() - t0) * persons / sample
        _, _, sql_sample = _sql(part, criteria)
        same = funnel(sql_sample, on="x", source="x") == funnel(reference, on="x", source="x")  # type: ignore[arg-type]
    print(f"duckdb ({THREADS} threads): {persons:,} persons in {duck:.2f} s (median of "
          f"{', '.join(f'{t:.2f}' for t in times)}) -> {report['criteria'][-1]['still_possible']:,} still possible")
    print(f"python reference: {sample:,}-person CDM, scaled to {persons:,}: {python:.1f} s")
    print(f"duckdb cpu time (all threads): {statistics.median(cpu):.2f} s; load average "
          f"{', '.join(f'{x:.1f}' for x in os.getloadavg())} on {os.cpu_count()} cores")
    target = "met" if duck < 10 else "MISSED"
    print(f"ratio python/duckdb: {python / duck:.1f}x; duckdb < 10 s: {target}"
          f"{'' if persons >= 1_000_000 else ' (at this size; set BENCH_FEASIBILITY_PERSONS=1000000)'}; "
          f"engines agree on the sample: {same}")


if __name__ == "__main__":
    main()
