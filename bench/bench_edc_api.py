"""EDC API under load: 50 concurrent clients entering eCRFs against PostgreSQL for 60 s.

Runs the real server (``mescams serve``: gunicorn, 127.0.0.1 only) on a fresh database ``mescams_bench`` on the
local PostgreSQL, logs 50 clients in (session + CSRF, as a browser would), warms the server up for 10 s (not
timed), and has each client enter eCRFs for its own participant as a coordinator does (:mod:`bench.data_entry`:
vital signs once per visit, then corrections with a reason; adverse events and concomitant medications): first
for 60 s at one save a second each on average, with random think times (a data-entry load far above a real
trial's; see :mod:`bench.load_clients`), the run the target applies to; then back to back for 20 s (capacity).
Prints throughput and p50/p95/p99 latency of each, against a baseline of one client alone measured in the same
run, then counts rows and audit entries in the database: every acknowledged create must be a saved row with its
audit entries and every acknowledged change one audit ``update`` entry (zero failed or lost saves; any refusal,
a 409 included, is a failed save), and the audit chain must verify.

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

from bench.data_entry import Casebook, kind_counts
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
    from tests.factories.edc import eligible_record, icf_version

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
    """Client ``index`` enters its own participant's eCRFs (one casebook each, kept across the runs)."""
    books = [Casebook(pid, WEEK0) for pid in pids]
    rounds = [0] * len(pids)  # the runs restart ``n``; a client's entries go on numbering across them

    def request(http: Any, index: int, n: int, rng: object) -> tuple[str, Any]:
        rounds[index] += 1
        return books[index].enter(http, rounds[index], f"c{index} n{rounds[index]}")

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
        from mescams.edc.crfs.models import AdverseEvent, ConcomitantMedication, VitalSigns

        models = {"vital_signs": VitalSigns, "adverse_event": AdverseEvent, "conmed": ConcomitantMedication}
        before = {form: model.objects.count() for form, model in models.items()}
        audit_before = (AuditEntry.objects.filter(action="create").count(),
                        AuditEntry.objects.filter(action="update", table=VitalSigns._meta.db_table).count())
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
        saved = {form: model.objects.count() - before[form] for form, model in models.items()}
        acknowledged = kind_counts([warm_out, baseline_out, paced_out, loaded_out])
        failed = [status for r in (warm_out, baseline_out, paced_out, loaded_out) for status in r.errors]
        created = {form: acknowledged.get(f"create {form}", 0) for form in models}
        changed = acknowledged.get("change vital_signs", 0)
        print("rows added: " + ", ".join(f"{form} +{saved[form]} ({created[form]} creates acknowledged)"
                                         for form in models) + f"; {changed} changes acknowledged", flush=True)
        fields = {form: len([f for f in model._meta.concrete_fields if not f.primary_key])
                  for form, model in models.items()}
        expected_audit = (sum(saved[form] * fields[form] for form in models), changed)
        audit = (AuditEntry.objects.filter(action="create").count() - audit_before[0],
                 AuditEntry.objects.filter(action="update", table=VitalSigns._meta.db_table).count() - audit_before[1])
        print(f"audit entries: create +{audit[0]} (expected {expected_audit[0]} for the rows saved), update "
              f"+{audit[1]} (expected {expected_audit[1]}, one per change)")
        from mescams.edc.audit.verify import verify_audit_trail

        report = verify_audit_trail()
        print(f"load average at the end: {os.getloadavg()[0]:.1f}")
        lost = sum(abs(created[form] - saved[form]) for form in models)
        print(f"audit chain verified: {report.entries} entries, {report.records} records; failed saves "
              f"{len(failed)} {sorted(set(failed))[:5]}; lost saves {lost}")
        if lost or failed or audit != expected_audit:
            sys.exit("bench_edc_api: failed or lost saves")
    finally:
        server.terminate()
        server.wait(timeout=30)


if __name__ == "__main__":
    main()
