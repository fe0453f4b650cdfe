"""Registry pre-screening at scale: DuckDB (SQL compiled from the rules) against the pure-Python engine.

Generates 1,000,000 patients (``mescams sim registry``), screens all of them with the DuckDB engine, and times
the Python engine on a 50,000-patient sample of the same registry (its first 50,000 patients and their rows,
copied out untimed), scaled to 1,000,000. Targets: DuckDB under 10 s; at least 50x the Python engine.
Both timings include reading and checking the Parquet files. Set ``BENCH_PRESCREEN_PATIENTS`` to change the size.
"""

from __future__ import annotations

import datetime as dt
import os
import statistics
import tempfile
import time
from pathlib import Path

import pyarrow.parquet as pq

from mescams.core.eligibility import build_criteria
from mescams.prescreen import load_tables, run_duckdb, run_python
from mescams.prescreen.registry import table_path
from mescams.protocols import default_protocol
from mescams.sim.registry import RegistryShape, write_registry

ON = dt.date(2016, 3, 1)


def main() -> None:
    patients = int(os.environ.get("BENCH_PRESCREEN_PATIENTS", "1000000"))
    sample = min(50_000, patients)
    criteria = build_criteria(default_protocol())
    with tempfile.TemporaryDirectory(prefix="mescams-bench-") as tmp:
        full, part = Path(tmp) / "registry", Path(tmp) / "sample"
        t0 = time.perf_counter()
        rows = write_registry(full, RegistryShape(patients, seed=2016, as_of=ON))
        print(f"generated {patients:,} patients ({sum(rows.values()):,} rows) in {time.perf_counter() - t0:.1f} s")

        part.mkdir()
        for name, table in load_tables(full, limit=sample).items():
            pq.write_table(table, table_path(part, name))

        duck_times, duck_cpu = [], []
        for _ in range(3):
            t0, c0 = time.perf_counter(), time.process_time()
            verdicts = run_duckdb(full, ON, criteria)
            duck_times.append(time.perf_counter() - t0)
            duck_cpu.append(time.process_time() - c0)
        duck = statistics.median(duck_times)
        funnel = verdicts.funnel()

        t0, c0 = time.perf_counter(), time.process_time()
        python_sample = run_python(part, ON, criteria)
        python = (time.perf_counter() - t0) * patients / sample
        python_cpu = (time.process_time() - c0) * patients / sample

        same = run_duckdb(part, ON, criteria).funnel() == python_sample.funnel()
    runs = ", ".join(f"{t:.2f}" for t in duck_times)
    print(f"duckdb engine: {patients:,} patients in {duck:.2f} s (median of {runs})"
          f" -> {funnel['eligible']:,} eligible, {funnel['undetermined']:,} undetermined")
    print(f"python engine: {sample:,}-patient sample, scaled to {patients:,}: {python:.1f} s")
    print(f"cpu time (all threads): duckdb {statistics.median(duck_cpu):.2f} s, python {python_cpu:.1f} s (scaled); "
          f"load average {', '.join(f'{x:.1f}' for x in os.getloadavg())} on {os.cpu_count()} cores")
    print(f"ratio python/duckdb: {python / duck:.1f}x (target >= 50x); duckdb target < 10 s: "
          f"{'met' if duck < 10 else 'MISSED'}; engines agree on the sample: {same}")


if __name__ == "__main__":
    main()
