"""Crash safety: kill the server with SIGKILL while 20 clients enter eCRFs; no acknowledged write may be lost.

For each database (PostgreSQL, then SQLite): a fresh database with 10 randomised participants; the real server
(``mescams serve``: gunicorn on 127.0.0.1); 20 client threads (each its own session, logged in before the first
kill), entering adverse events and concomitant medications for the participants (log forms: a participant has
any number of them, so every entry is a new record; a coordinator's adverse event carries no causality, the
investigator's judgement), every entry carrying a unique marker. Any refusal (a 409 or 422 included) fails the
run. At random
moments the whole server (master and workers) is killed with SIGKILL and started again; the clients keep going
(their requests fail while it is down). At the end every entry that got a 2xx answer must be in the database
with its audit "create" entry, every row must be complete and audited (no half-written record), and
``mescams audit verify`` must pass.

``python -m bench.crash`` runs the full version (20 kills per database); ``MESCAMS_CRASH_KILLS``,
``MESCAMS_CRASH_CLIENTS`` override. The short version is tests/e2e/reliability/test_crash.py.
"""

from __future__ import annotations

import json
import os
import random
import sqlite3
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from tests.e2e.reliability.server import Server, database_env, login, prepare, run_cli

FORMS = {"adverse_event": ("crfs_adverseevent", "term"), "conmed": ("crfs_concomitantmedication", "drug")}


@dataclass
class CrashReport:
    engine: str
    kills: int = 0
    attempts: int = 0
    acknowledged: int = 0
    failed_while_down: int = 0
    refused: list[str] = field(default_factory=list)
    lost: list[str] = field(default_factory=list)
    unaudited: list[str] = field(default_factory=list)
    verify: str = ""

    @property
    def ok(self) -> bool:
        return not self.lost and not self.unaudited and not self.refused and self.verify.startswith("audit trail")

    def line(self) -> str:
        return (f"{self.engine}: {self.kills} SIGKILLs survived; {self.attempts} writes attempted, "
                f"{self.acknowledged} acknowledged (2xx) and all checked: lost {len(self.lost)}, without audit entry "
                f"{len(self.unaudited)}, refused {len(self.refused)}, failed while down {self.failed_while_down}; "
                f"{self.verify}")


def _client(base: str, http: object | None, index: int, pid: str, stop: threading.Event,
            acked: list[tuple[str, str]], report: CrashReport, lock: threading.Lock) -> None:
    import httpx

    n = 0
    while not stop.is_set():
        try:
            if http is None:
                http = login(base, "coord")  # one account, a session per client
            n += 1
            form = "adverse_event" if n % 2 else "conmed"
            marker = f"crash c{index} n{n}"
            body = ({"term": marker, "onset_date": "2016-02-04", "severity_grade": 1, "serious": False,
                     "serious_criteria": [], "action": "none", "outcome": "recovered", "severity": "mild"}
                    if form == "adverse_event" else {"drug": marker, "start_date": "2015-01-01"})
            with lock:
                report.attempts += 1
            r = http.post(f"/api/participants/{pid}/forms/{form}", json=body)  # type: ignore[attr-defined]
            if 200 <= r.status_code < 300:
                with lock:
                    acked.append((form, marker))
            elif r.status_code in (401, 403) and "csrf" in r.text.lower():
                http = None  # log in again
            else:
                with lock:
                    report.refused.append(f"{r.status_code} {r.text[:200]}")
        except httpx.HTTPError:
            with lock:
                report.failed_while_down += 1
            stop.wait(0.2)


def _rows(env: dict[str, str]) -> dict[str, dict[str, str]]:
    """{form: {marker: record id}} and the audit trail's created records, read straight from the database."""
    queries = {form: f"SELECT id, {col} FROM {table}" for form, (table, col) in FORMS.items()}
    audit = "SELECT \"table\", record_id FROM audit_auditentry WHERE action = 'create'"
    if "MESCAMS_DATABASE_URL" in env:
        import psycopg

        with psycopg.connect(env["MESCAMS_DATABASE_URL"]) as conn:
            rows = {form: {m: str(i) for i, m in conn.execute(q).fetchall()} for form, q in queries.items()}
            created = {f"{t}/{r}" for t, r in conn.execute(audit).fetchall()}
    else:
        with sqlite3.connect(Path(env["MESCAMS_DATA_DIR"]) / "mescams.sqlite3") as conn:
            rows = {form: {m: str(i) for i, m in conn.execute(q).fetchall()} for form, q in queries.items()}
            created = {f"{t}/{r}" for t, r in conn.execute(audit).fetchall()}
    rows["_created"] = {key: key for key in created}
    return rows


def run(engine: str, *, kills: int, clients: int = 20, seed: int = 20150601, workdir: Path | None = None,
        max_gap: float = 2.0, participants_per_site: int = 5) -> CrashReport:
    rng = random.Random(seed)
    workdir = workdir or Path(tempfile.mkdtemp(prefix=f"mescams-crash-{engine}-"))
    env = database_env(engine, workdir, name="mescams_crash")
    pids = prepare(env, per_site=participants_per_site)
    report = CrashReport(engine)
    acked: list[tuple[str, str]] = []
    lock = threading.Lock()
    stop = threading.Event()
    server = Server(env, workers=2, threads=max(4, clients // 2))
    server.start()
    # every client logged in before the first kill: argon2 log-ins of 20 clients on a busy machine could otherwise
    # take longer than the gaps between kills, and the harness measures writes, not log-ins
    sessions = [login(server.base, "coord") for _ in range(clients)]
    threads = [threading.Thread(target=_client, args=(server.base, sessions[i], i, pids[i % len(pids)], stop, acked,
                                                      report, lock), daemon=True) for i in range(clients)]
    for t in threads:
        t.start()
    try:
        for _ in range(kills):
            time.sleep(rng.uniform(0.2, max_gap))
            server.kill()
            report.kills += 1
            time.sleep(rng.uniform(0.0, 0.3))
            server.start()
        time.sleep(rng.uniform(0.2, max_gap))
    finally:
        stop.set()
        for t in threads:
            t.join(timeout=60)
        server.stop()
    report.acknowledged = len(acked)
    rows = _rows(env)
    for form, marker in acked:
        record = rows[form].get(marker)
        if record is None:
            report.lost.append(f"{form} {marker}")
        elif f"{FORMS[form][0]}/{record}" not in rows["_created"]:
            report.unaudited.append(f"{form} {marker}")
    done = run_cli(env, "audit", "verify")
    report.verify = (done.stdout or done.stderr).strip().splitlines()[-1] if (done.stdout or done.stderr) else ""
    return report


def main() -> None:
    kills = int(os.environ.get("MESCAMS_CRASH_KILLS", "20"))
    clients = int(os.environ.get("MESCAMS_CRASH_CLIENTS", "20"))
    engines = ["postgresql", "sqlite"]
    failed = False
    for engine in engines:
        if engine == "postgresql":
            from mescams.edc.testing import postgres_available

            if not postgres_available():
                print("postgresql: skipped (no server at 127.0.0.1:5432)")
                continue
        started = time.perf_counter()
        report = run(engine, kills=kills, clients=clients)
        print(report.line() + f" ({time.perf_counter() - started:.0f} s)", flush=True)
        for problem in (report.lost + report.unaudited + report.refused)[:10]:
            print("  ", problem)
        failed |= not report.ok
    print(json.dumps({"kills_per_engine": kills, "clients": clients}))
    if failed:
        sys.exit("crash: acknowledged writes lost or audit trail broken")


if __name__ == "__main__":
    main()
