"""Load: 100 concurrent API clients mixing reads and writes on PostgreSQL, 10 on the SQLite default.

The real server (``mescams serve``: gunicorn, 4 workers x 4 threads, 127.0.0.1) on a fresh database with 50
randomised participants. Each client has its own session (all logged in before the clock starts); two requests in
three are reads (participant list, one participant, its vital signs, the query list) and one is a write, as a
coordinator enters eCRFs (:mod:`bench.data_entry`): the first client of each participant enters its vital signs
once per visit and then corrects them with a reason, and every client adds adverse events and concomitant
medications (a second client on the same participant enters log forms only, as a second single form at the same
visit would rightly be refused with 409). Three runs per database, in one server:

0. warm-up: the clients of run 2 for 10 s, not timed (every worker process and thread serves its first requests,
   connects to the database and fills its caches; a server runs for days, the benchmark measures it warm);
1. baseline: one client back to back for 5 s (the service time alone);
2. the target run: every client thinks for an exponentially distributed time (mean ``MESCAMS_LOAD_THINK_S``,
   1 s: each client sends about one request a second, far faster than a person fills in forms) between requests,
   starting at random moments, with latency counted from the scheduled send (see :mod:`bench.load_clients`);
3. capacity: every client back to back for ``MESCAMS_LOAD_SATURATE_S`` (20 s); its throughput is the server's
   capacity on this machine, and its latency is queueing (clients / throughput), not a property of the server.

Prints throughput and p50/p95/p99 latency (all, reads, writes) and errors; the target on PostgreSQL is p95 < 100 ms
in run 2 with zero errors (any refusal, a 409 included, is an error). After the runs, every acknowledged create
is counted in the database, every acknowledged change in the audit trail (one ``update`` entry each), and the audit
trail verified.

``MESCAMS_BENCH_DURATION`` (or ``DURATION``) seconds of run 2, default 120; ``MESCAMS_LOAD_CLIENTS_PG`` (100),
``MESCAMS_LOAD_CLIENTS_SQLITE`` (10), ``MESCAMS_LOAD_WORKERS`` (4), ``MESCAMS_LOAD_THREADS`` (4).
"""

from __future__ import annotations

import datetime as dt
import os
import random
import sqlite3
import sys
import tempfile
from pathlib import Path
from typing import Any

from bench.data_entry import Casebook, kind_counts
from bench.load_clients import Outcome, Request, run_clients, summary_line
from tests.e2e.reliability.server import Server, database_env, login, prepare, run_cli

WEEK0 = dt.date(2016, 2, 1)  # the seeded participants' randomisation (tests.factories.edc)


def _mix(pids: list[str]) -> Request:
    """Each client's mix: two reads in three requests, one write (see the module docstring). The casebooks, and each
    client's count of writes, last across the runs of one server."""
    books = {pid: Casebook(pid, WEEK0) for pid in pids}
    writes: dict[int, int] = {}

    def request(http: Any, index: int, n: int, rng: random.Random) -> tuple[str, Any]:
        pid = pids[index % len(pids)]
        if n % 3:
            path = rng.choice(["/api/participants", f"/api/participants/{pid}",
                               f"/api/participants/{pid}/forms/vital_signs", "/api/queries"])
            return "read", http.get(path)
        writes[index] = writes.get(index, 0) + 1
        return books[pid].enter(http, writes[index], f"c{index} w{writes[index]}", single_forms=index < len(pids))

    return request


def _run(base: str, mix: Request, clients: int, seconds: float, think_s: float) -> Outcome:
    # log every client in before the clock starts: argon2 is deliberately slow, and a storm of 100 simultaneous
    # log-ins is not the steady data entry this measures
    sessions = [login(base, "coord") for _ in range(clients)]
    try:
        return run_clients(sessions, mix, seconds, think_s)
    finally:
        for http in sessions:
            http.close()  # type: ignore[attr-defined]


def _report(label: str, out: Outcome, seconds: float) -> dict[str, float]:
    line, figures = summary_line(label, out, seconds)
    print(line, flush=True)
    return figures


TABLES = {"vital_signs": "crfs_vitalsigns", "adverse_event": "crfs_adverseevent",
          "conmed": "crfs_concomitantmedication"}


def _count_writes(env: dict[str, str]) -> dict[str, int]:
    """Rows of each form written by the clients, and ``changes``: audit ``update`` entries of vital signs."""
    queries = {form: f"SELECT count(*) FROM {table}" for form, table in TABLES.items()}  # noqa: S608
    queries["changes"] = ("SELECT count(*) FROM audit_auditentry WHERE action = 'update' AND \"table\" = "
                          "'crfs_vitalsigns'")
    if "MESCAMS_DATABASE_URL" in env:
        import psycopg

        with psycopg.connect(env["MESCAMS_DATABASE_URL"]) as conn:
            return {name: int(conn.execute(q).fetchone()[0]) for name, q in queries.items()}  # type: ignore[index]
    with sqlite3.connect(Path(env["MESCAMS_DATA_DIR"]) / "mescams.sqlite3") as conn:
        return {name: int(conn.execute(q).fetchone()[0]) for name, q in queries.items()}


def bench(engine: str, clients: int, seconds: float, think_s: float, saturate_s: float, warm_s: float = 10.0) -> bool:
    env = database_env(engine, Path(tempfile.mkdtemp(prefix=f"mescams-load-{engine}-")), name="mescams_load")
    pids = prepare(env, per_site=25)
    workers = int(os.environ.get("MESCAMS_LOAD_WORKERS", "4"))
    threads = int(os.environ.get("MESCAMS_LOAD_THREADS", "4"))
    server = Server(env, workers=workers, threads=threads)
    server.start()
    print(f"{engine}: gunicorn {workers} workers x {threads} threads; {os.cpu_count()} CPUs shared with the clients; "
          f"load average {os.getloadavg()[0]:.1f}", flush=True)
    runs: list[Outcome] = []
    mix = _mix(pids)
    try:
        before = _count_writes(env)
        runs.append(_run(server.base, mix, clients, warm_s, think_s))
        print(f"{engine}: warm-up, {clients} clients for {warm_s:.0f} s (not timed): {len(runs[-1].errors)} errors",
              flush=True)
        runs.append(_run(server.base, mix, 1, 5.0, 0.0))
        baseline = _report(f"{engine} baseline, 1 client back to back, 5 s", runs[-1], 5.0)
        runs.append(_run(server.base, mix, clients, seconds, think_s))
        paced = _report(f"{engine}, {clients} clients, think time {think_s:g} s (mean), {seconds:.0f} s", runs[-1],
                        seconds)
        if saturate_s > 0:
            runs.append(_run(server.base, mix, clients, saturate_s, 0.0))
            saturated = _report(f"{engine}, {clients} clients back to back (capacity), {saturate_s:.0f} s", runs[-1],
                                saturate_s)
            print(f"{engine}: capacity x{saturated['throughput'] / baseline['throughput']:.1f} one client's "
                  f"throughput; at saturation p95 is queueing: {clients} / {saturated['throughput']:.0f} per s = "
                  f"{clients / saturated['throughput'] * 1000:.0f} ms mean wait (Little's law)", flush=True)
    finally:
        server.stop()
    after = _count_writes(env)
    saved = {name: after[name] - before[name] for name in after}
    counts = kind_counts(runs)
    acked = {form: counts.get(f"create {form}", 0) for form in TABLES}
    acked["changes"] = counts.get("change vital_signs", 0)
    errors = [status for r in runs for status in r.errors]
    verify = run_cli(env, "audit", "verify")
    print(f"{engine}: p95 x{paced['p95'] / baseline['p95']:.1f} the single client's; acknowledged "
          f"{', '.join(f'{name} {n}' for name, n in acked.items())}; in the database "
          f"{', '.join(f'{name} +{n}' for name, n in saved.items())}; errors {len(errors)} {sorted(set(errors))[:5]}; "
          f"{(verify.stdout or verify.stderr).strip()}", flush=True)
    ok = saved == acked and verify.returncode == 0 and not errors
    if engine == "postgresql":
        print(f"postgresql target p95 < 100 ms at {clients} clients: {'met' if paced['p95'] < 100 else 'NOT met'} "
              f"({paced['p95']:.1f} ms); zero errors: {'met' if not errors else 'NOT met'}", flush=True)
    return ok


def main() -> None:
    seconds = float(os.environ.get("MESCAMS_BENCH_DURATION") or os.environ.get("DURATION") or "120")
    think_s = float(os.environ.get("MESCAMS_LOAD_THINK_S", "1.0"))
    saturate_s = float(os.environ.get("MESCAMS_LOAD_SATURATE_S", "20"))
    from mescams.edc.testing import postgres_available

    ok = True
    if postgres_available():
        ok &= bench("postgresql", int(os.environ.get("MESCAMS_LOAD_CLIENTS_PG", "100")), seconds, think_s,
                    saturate_s)
    else:
        print("postgresql: skipped (no server at 127.0.0.1:5432)")
    ok &= bench("sqlite", int(os.environ.get("MESCAMS_LOAD_CLIENTS_SQLITE", "10")), seconds, think_s, saturate_s)
    if not ok:
        sys.exit("bench_load: errors, lost writes or a broken audit trail")


if __name__ == "__main__":
    main()
