"""Load: 100 concurrent API clients mixing reads and writes on PostgreSQL, 10 on the SQLite default.

The real server (``mescams serve``: gunicorn, 4 workers x 16 threads, 127.0.0.1) on a fresh database with 50
randomised participants. Each client has its own session (all logged in before the clock starts) and loops with
no pause (a saturation test): two reads in three requests (participant list, one participant, its vital signs,
the query list) and one write (vital signs or an adverse event for one participant). A baseline of one client
alone for 5 s is measured first in the same run. Prints throughput and p50/p95/p99 latency (all, reads, writes)
and errors; the target on PostgreSQL is p95 < 100 ms with zero errors. After the run, every acknowledged write is
counted in the database and the audit trail verified.

``MESCAMS_BENCH_DURATION`` (or ``DURATION``) seconds per run, default 120; ``MESCAMS_LOAD_CLIENTS_PG`` (100) and
``MESCAMS_LOAD_CLIENTS_SQLITE`` (10).
"""

from __future__ import annotations

import os
import random
import sqlite3
import sys
import tempfile
import threading
import time
from pathlib import Path

from tests.e2e.reliability.server import Server, database_env, login, prepare, run_cli

W4 = "2016-02-29"


def _percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q / 100 * (len(ordered) - 1))))]


def _client(http: object, index: int, pids: list[str], stop: threading.Event, out: dict[str, list]) -> None:
    import httpx

    rng = random.Random(index)
    pid = pids[index % len(pids)]
    n = 0
    while not stop.is_set():
        n += 1
        kind = "write" if n % 3 == 0 else "read"
        if kind == "read":
            path = rng.choice(["/api/participants", f"/api/participants/{pid}",
                               f"/api/participants/{pid}/forms/vital_signs", "/api/queries"])
            call = lambda path=path: http.get(path)  # noqa: E731
        elif n % 2:
            body = {"visit_code": "W4", "assessment_date": W4, "weight_kg": 60 + n % 30, "systolic_mmhg": 120,
                    "diastolic_mmhg": 80}
            call = lambda body=body: http.post(f"/api/participants/{pid}/forms/vital_signs", json=body)  # noqa: E731
        else:
            body = {"term": f"Headache {index}.{n}", "onset_date": "2016-02-04", "severity_grade": 1,
                    "serious": False, "serious_criteria": [], "related": False, "action": "none",
                    "outcome": "recovered"}
            call = lambda body=body: http.post(f"/api/participants/{pid}/forms/adverse_event", json=body)  # noqa: E731
        started = time.perf_counter()
        try:
            status = call().status_code
        except httpx.HTTPError:
            status = 0
        elapsed = time.perf_counter() - started
        out[kind].append(elapsed)
        if 200 <= status < 300:
            if kind == "write":
                out["acked"].append(1)
        else:
            out["errors"].append(status)


def _run(base: str, pids: list[str], clients: int, seconds: float) -> dict[str, list]:
    out: dict[str, list] = {"read": [], "write": [], "errors": [], "acked": []}
    stop = threading.Event()
    # log every client in before the clock starts: argon2 is deliberately slow, and a storm of 100 simultaneous
    # log-ins is not the steady data entry this measures
    sessions = [login(base, "coord") for _ in range(clients)]
    threads = [threading.Thread(target=_client, args=(sessions[i], i, pids, stop, out), daemon=True)
               for i in range(clients)]
    for t in threads:
        t.start()
    time.sleep(seconds)
    stop.set()
    for t in threads:
        t.join(timeout=60)
    return out


def _summary(label: str, out: dict[str, list], seconds: float) -> dict[str, float]:
    both = out["read"] + out["write"]
    figures = {"throughput": len(both) / seconds, "p50": _percentile(both, 50) * 1000,
               "p95": _percentile(both, 95) * 1000, "p99": _percentile(both, 99) * 1000}
    print(f"{label}: {len(both)} requests in {seconds:.0f} s = {figures['throughput']:.1f}/s; p50 "
          f"{figures['p50']:.1f} ms, p95 {figures['p95']:.1f} ms, p99 {figures['p99']:.1f} ms "
          f"(reads p95 {_percentile(out['read'], 95) * 1000:.1f} ms, writes p95 "
          f"{_percentile(out['write'], 95) * 1000:.1f} ms); errors {len(out['errors'])} "
          f"{sorted(set(out['errors']))[:5]}", flush=True)
    return figures


def _count_writes(env: dict[str, str]) -> int:
    query = "SELECT (SELECT count(*) FROM crfs_vitalsigns) + (SELECT count(*) FROM crfs_adverseevent)"
    if "MESCAMS_DATABASE_URL" in env:
        import psycopg

        with psycopg.connect(env["MESCAMS_DATABASE_URL"]) as conn:
            return int(conn.execute(query).fetchone()[0])  # type: ignore[index]
    with sqlite3.connect(Path(env["MESCAMS_DATA_DIR"]) / "mescams.sqlite3") as conn:
        return int(conn.execute(query).fetchone()[0])


def bench(engine: str, clients: int, seconds: float) -> bool:
    env = database_env(engine, Path(tempfile.mkdtemp(prefix=f"mescams-load-{engine}-")), name="mescams_load")
    pids = prepare(env, per_site=25)
    server = Server(env, workers=4, threads=16)
    server.start()
    try:
        before = _count_writes(env)
        base_out = _run(server.base, pids, 1, 5.0)
        baseline = _summary(f"{engine} baseline, 1 client, 5 s", base_out, 5.0)
        out = _run(server.base, pids, clients, seconds)
        loaded = _summary(f"{engine}, {clients} clients, {seconds:.0f} s", out, seconds)
    finally:
        server.stop()
    saved = _count_writes(env) - before
    acked = len(base_out["acked"]) + len(out["acked"])
    verify = run_cli(env, "audit", "verify")
    print(f"{engine}: ratios vs 1 client: throughput x{loaded['throughput'] / baseline['throughput']:.1f}, p95 "
          f"x{loaded['p95'] / baseline['p95']:.1f}; writes acknowledged {acked}, rows added {saved}; "
          f"{(verify.stdout or verify.stderr).strip()}", flush=True)
    errors = len(base_out["errors"]) + len(out["errors"])
    ok = saved == acked and verify.returncode == 0 and errors == 0
    if engine == "postgresql":
        print(f"postgresql target p95 < 100 ms: {'met' if loaded['p95'] < 100 else 'NOT met'} "
              f"({loaded['p95']:.1f} ms); zero errors: {'met' if errors == 0 else 'NOT met'}", flush=True)
    return ok


def main() -> None:
    seconds = float(os.environ.get("MESCAMS_BENCH_DURATION") or os.environ.get("DURATION") or "120")
    from mescams.edc.testing import postgres_available

    ok = True
    if postgres_available():
        ok &= bench("postgresql", int(os.environ.get("MESCAMS_LOAD_CLIENTS_PG", "100")), seconds)
    else:
        print("postgresql: skipped (no server at 127.0.0.1:5432)")
    ok &= bench("sqlite", int(os.environ.get("MESCAMS_LOAD_CLIENTS_SQLITE", "10")), seconds)
    if not ok:
        sys.exit("bench_load: errors, lost writes or a broken audit trail")


if __name__ == "__main__":
    main()
