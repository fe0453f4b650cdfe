"""EDC API under load: 50 concurrent clients entering eCRFs against PostgreSQL for 60 s.

Runs the real server (``mescams serve``: gunicorn, 127.0.0.1 only) on a fresh database ``mescams_bench`` on the
local PostgreSQL, logs 50 clients in (session + CSRF, as a browser would), warms the server up for 10 s (not
timed), and has each client enter vital signs and adverse events for its own participant: first for 60 s at one
save a second each on average, with random think times (a data-entry load far above a real trial's; see
:mod:`bench.load_clients`), the run the target applies to; then back to back for 20 s (capacity). Prints
throughput and p50/p95/p99 latency of each, against a baseline of one client alone measured in the same run, then
counts rows and audit entries in the database: every 2xx answer must be a saved row with its audit entries (zero
failed or lost saves), and the audit chain must verify.

Environment: ``MESCAMS_BENCH_SECONDS`` (default 60), ``MESCAMS_BENCH_SATURATE_S`` (20), ``MESCAMS_BENCH_CLIENTS`` (50),
``MESCAMS_BENCH_PG`` (``postgresql://postgres@127.0.0.1:5432``), ``MESCAMS_BENCH_WORKERS`` (4),
``MESCAMS_BENCH_THREADS`` (4).
"""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from bench.load_clients import Outcome, Request, run_clients, summary_line
from tests.e2e.reliability.server import free_port, login

REPO = Path(__file__).resolve().parent.parent
DB_NAME = "mescams_bench"
PASSWORD = "bench password 2015"
WEEK0 = dt.date(2016, 2, 1)


def _prepare(env: dict[str, str], clients: int) -> list[str]:
    """Fresh database, migrations, one coordinator per client and one randomised participant each."""
    import psycopg

    base = env["MESCAMS_BENCH_PG"]
    with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {DB_NAME} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {DB_NAME}")
    os.environ.update(env)
    from mescams.edc.settings import configure

    configure()
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)
    from mescams.edc.accounts.services import create_user
    from mescams.edc.crfs.services import save_form
    from mescams.edc.randomisation.services import generate_list, randomise
    from mescams.edc.trial.consent import record_consent
    from mescams.edc.trial.services import run_eligibility, screen
    from mescams.edc.trial.sites import sync_sites
    from tests.integration.edc.factories import eligible_record, icf_version

    sync_sites()
    stat = create_user(username="statistician", password=PASSWORD, role="unblinded_statistician")
    generate_list(actor=stat, seed="be" * 32, slots_per_site=clients + 4)
    pids = []
    for i in range(clients):
        user = create_user(username=f"coord{i}", password=PASSWORD, role="site_coordinator", site_codes=["OTT"])
        pid = record_consent(user=user, site_code="OTT", consent_date=WEEK0 - dt.timedelta(days=28),
                             consent_time=dt.time(9), form_version=icf_version()).participant_id
        screen(user=user, participant_id=pid, screening_date=WEEK0 - dt.timedelta(days=28),
               record=eligible_record(WEEK0))
        run_eligibility(user=user, participant_id=pid, on=WEEK0)
        save_form(user=user, participant_id=pid, form="vital_signs",
                  values={"visit_code": "SCR", "assessment_date": WEEK0 - dt.timedelta(days=28), "weight_kg": 70.0})
        randomise(user=user, participant_id=pid, on=WEEK0)
        pids.append(pid)
    return pids


def _saves(pids: list[str]) -> Request:
    """Client ``index`` enters vital signs (two in three) and adverse events for its own participant."""

    def request(http: Any, index: int, n: int, rng: object) -> tuple[str, Any]:
        pid = pids[index]
        if n % 3:
            body = {"visit_code": "W4", "assessment_date": (WEEK0 + dt.timedelta(weeks=4)).isoformat(),
                    "weight_kg": 60 + n % 30, "systolic_mmhg": 120, "diastolic_mmhg": 80}
            return "vitals", http.post(f"/api/participants/{pid}/forms/vital_signs", json=body)
        body = {"term": f"Headache {n}", "onset_date": (WEEK0 + dt.timedelta(days=3)).isoformat(),
                "severity_grade": 1, "serious": False, "serious_criteria": [], "related": False, "action": "none",
                "outcome": "recovered"}
        return "ae", http.post(f"/api/participants/{pid}/forms/adverse_event", json=body)

    return request


def _summary(label: str, out: Outcome, seconds: float) -> dict[str, float]:
    line, figures = summary_line(label, out, seconds)
    print(line, flush=True)
    return figures


def main() -> None:
    seconds = float(os.environ.get("MESCAMS_BENCH_SECONDS", "60"))
    saturate_s = float(os.environ.get("MESCAMS_BENCH_SATURATE_S", "20"))
    clients = int(os.environ.get("MESCAMS_BENCH_CLIENTS", "50"))
    pg = os.environ.get("MESCAMS_BENCH_PG", "postgresql://postgres@127.0.0.1:5432")
    workers = os.environ.get("MESCAMS_BENCH_WORKERS", "4")
    threads = os.environ.get("MESCAMS_BENCH_THREADS", "4")
    env = {"MESCAMS_DATABASE_URL": f"{pg}/{DB_NAME}", "MESCAMS_SECRET_KEY": "bench-secret-" + "x" * 40,
           "MESCAMS_DEMO": "", "MESCAMS_INSECURE_HTTP": "1", "MESCAMS_BENCH_PG": pg, "MESCAMS_LOG_LEVEL": "ERROR",
           "MESCAMS_LOGIN_RATE": "100000/60"}  # 50 log-ins from one address before the clock starts
    try:
        pids = _prepare(env, clients)
    except Exception as exc:  # noqa: BLE001 - no PostgreSQL here: say so and skip
        print(f"skipped: PostgreSQL not available at {pg} ({exc})")
        return
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server = subprocess.Popen(  # noqa: S603
        [str(REPO / ".venv" / "bin" / "mescams"), "serve", "--host", "127.0.0.1", "--port", str(port),
         "--workers", workers, "--threads", threads],
        env={**os.environ, **env}, cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        import httpx

        for _ in range(100):
            try:
                httpx.get(f"{base}/api/auth/csrf", timeout=1)
                break
            except httpx.HTTPError:
                time.sleep(0.2)
        from mescams.edc.audit.models import AuditEntry
        from mescams.edc.crfs.models import AdverseEvent, VitalSigns

        before = (VitalSigns.objects.count(), AdverseEvent.objects.count(), AuditEntry.objects.count())
        print(f"server: gunicorn, {workers} workers x {threads} threads on {base}; PostgreSQL {DB_NAME}; "
              f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f} (clients run on the same machine)",
              flush=True)
        sessions = [login(base, f"coord{i}", PASSWORD) for i in range(len(pids))]  # log-ins are not timed
        saves = _saves(pids)
        warm_out = run_clients(sessions, saves, 10.0, think_s=1.0)  # every worker warm before the clock starts
        baseline_out = run_clients(sessions[:1], saves, 5.0)
        baseline = _summary("baseline, 1 client back to back, 5 s", baseline_out, 5.0)
        paced_out = run_clients(sessions, saves, seconds, think_s=1.0)
        paced = _summary(f"{clients} clients, one save a second each (mean; random think times), {seconds:.0f} s",
                         paced_out, seconds)
        loaded_out = run_clients(sessions, saves, saturate_s)
        loaded = _summary(f"{clients} clients back to back (capacity), {saturate_s:.0f} s", loaded_out, saturate_s)
        print(f"ratios vs 1 client: throughput x{loaded['throughput'] / baseline['throughput']:.1f}, "
              f"p95 x{loaded['p95'] / baseline['p95']:.1f}; target p95 < 100 ms ({clients} clients entering eCRFs): "
              f"{'met' if paced['p95'] < 100 else 'NOT met'} ({paced['p95']:.1f} ms); at saturation p95 is queueing "
              f"({clients} / {loaded['throughput']:.0f} per s = {clients / loaded['throughput'] * 1000:.0f} ms mean)")
        after = (VitalSigns.objects.count(), AdverseEvent.objects.count(), AuditEntry.objects.count())
        vitals_fields = len([f for f in VitalSigns._meta.concrete_fields if not f.primary_key])
        ae_fields = len([f for f in AdverseEvent._meta.concrete_fields if not f.primary_key])
        saved_vitals, saved_ae = after[0] - before[0], after[1] - before[1]
        runs = (warm_out, baseline_out, paced_out, loaded_out)
        acknowledged = (sum(r.acked.get("vitals", 0) for r in runs), sum(r.acked.get("ae", 0) for r in runs))
        failed = [status for r in runs for status in r.errors]
        print(f"rows: vital signs +{saved_vitals}, adverse events +{saved_ae}; 2xx answers (all runs) "
              f"{acknowledged[0]} + {acknowledged[1]}", flush=True)
        expected_audit = saved_vitals * vitals_fields + saved_ae * ae_fields
        print(f"audit entries: +{after[2] - before[2]} (expected {expected_audit} for the rows saved)")
        from mescams.edc.audit.verify import verify_audit_trail

        report = verify_audit_trail()
        print(f"load average at the end: {os.getloadavg()[0]:.1f}")
        lost = acknowledged[0] - saved_vitals + acknowledged[1] - saved_ae
        print(f"audit chain verified: {report.entries} entries, {report.records} records; failed saves "
              f"{len(failed)}; lost saves {lost}")
        if lost or failed or after[2] - before[2] != expected_audit:
            sys.exit("bench_edc_api: failed or lost saves")
    finally:
        server.terminate()
        server.wait(timeout=30)


if __name__ == "__main__":
    main()
