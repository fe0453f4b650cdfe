"""The audit-trail page with 200,000 audit entries: p95 latency of the searches a data manager makes.

Builds a fresh SQLite database (the default deployment; ``MESCAMS_BENCH_AUDIT_PG`` a PostgreSQL base URL, e.g.
``postgresql://postgres@127.0.0.1:5432``, uses database ``mescams_bench_audit`` there instead) with 12 randomised
participants entered through the EDC's services, then appends synthetic entries up to 200,000
(``MESCAMS_BENCH_AUDIT_ENTRIES``): 16 tables, 40 users, 2015-2019, records numbered as the tables' rows would be;
their hashes are not chained (this measures the page, not the chain). Then times, through Django's test client as a
logged-in data manager, ``MESCAMS_BENCH_AUDIT_RUNS`` (default 30) requests of each search: the newest page, a
participant, a participant's field, a form and field, a user, a month, a deep page. Target: p95 under 300 ms.

Baseline, measured in the same run: what the old page paid on every visit before showing anything, its form list
built from the trail (``SELECT DISTINCT table`` over the entries, one option per entry's ordering key: 16,499
options at 16,000 entries). Ratios are search p95 / baseline median.
"""

from __future__ import annotations

import datetime as dt
import os
import random
import statistics
import tempfile
import time
from typing import Any

TABLES = ["crfs_vitalsigns", "crfs_edssassessment", "crfs_mriscan", "crfs_adverseevent", "crfs_safetylab",
          "crfs_infusion", "crfs_demographics", "crfs_consent", "crfs_screeningrecord", "crfs_relapse",
          "crfs_concomitantmedication", "queries_query", "queries_querymessage", "trial_participant",
          "trial_protocoldeviation", "crfs_productpreparation"]
FIELDS = ["weight_kg", "visit_code", "assessment_date", "edss", "gel_count", "term", "severity_grade", "status",
          "text", "participant_id", "created_at", "out_of_window"]


def _configure(tmp: str) -> None:
    env = {"MESCAMS_DEMO": "1", "MESCAMS_DATA_DIR": tmp, "MESCAMS_ALLOWED_HOSTS": "testserver,127.0.0.1"}
    base = os.environ.get("MESCAMS_BENCH_AUDIT_PG")
    if base:
        import psycopg

        with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
            conn.execute("DROP DATABASE IF EXISTS mescams_bench_audit WITH (FORCE)")
            conn.execute("CREATE DATABASE mescams_bench_audit")
        env["MESCAMS_DATABASE_URL"] = f"{base}/mescams_bench_audit"
    os.environ.update(env)
    from mescams.edc.settings import configure  # the EDC's modules load only after Django is configured

    configure(env, PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"])
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)


def _trial() -> tuple[Any, list[str]]:
    # imported once Django is configured (by _configure)
    from mescams.edc.randomisation.services import generate_list
    from mescams.edc.trial.sites import sync_sites
    from tests.factories.edc import LIST_SEED, make_users, randomised

    sync_sites()
    users = make_users()
    generate_list(actor=users["statistician"], seed=LIST_SEED, slots_per_site=8)
    pids = [randomised(users["coord"], site="OTT") for _ in range(6)]
    pids += [randomised(users["coord_wpg"], site="WPG") for _ in range(6)]
    return users["dm"], pids


def _fill(total: int) -> int:
    """Synthetic entries after the real ones, up to ``total``."""
    from mescams.edc.audit.models import AuditEntry

    rng = random.Random(2016)
    start = AuditEntry.objects.order_by("-seq").values_list("seq", flat=True).first() or 0
    t0 = dt.datetime(2015, 6, 1, tzinfo=dt.UTC)
    span = int((dt.datetime(2019, 6, 1, tzinfo=dt.UTC) - t0).total_seconds())
    batch: list[AuditEntry] = []
    made = 0
    for seq in range(start + 1, start + 1 + max(0, total - start)):
        table = TABLES[rng.randrange(len(TABLES))]
        batch.append(AuditEntry(
            seq=seq, at=t0 + dt.timedelta(seconds=span * (seq - start) // max(1, total - start)),
            user_id=None, username=f"user{rng.randrange(40)}", role="site_coordinator", table=table,
            record_id=str(rng.randrange(1, 3000)), action="update", field=FIELDS[rng.randrange(len(FIELDS))],
            old="1", new="2", reason="bench", prev_hash="0" * 64, entry_hash="0" * 64))
        if len(batch) == 5000:
            AuditEntry.objects.bulk_create(batch)
            made += len(batch)
            batch = []
    AuditEntry.objects.bulk_create(batch)
    return made + len(batch)


def _time(client: Any, path: str, runs: int) -> list[float]:
    out = []
    for _ in range(runs):
        t0 = time.perf_counter()
        response = client.get(path)
        out.append(time.perf_counter() - t0)
        assert response.status_code == 200, (path, response.status_code)
    return out


def _old_form_list(runs: int) -> list[float]:
    """The old page's form list: distinct tables of the trail in its default order (one per entry)."""
    from mescams.edc.audit.models import AuditEntry

    out = []
    for _ in range(runs):
        t0 = time.perf_counter()
        options = list(AuditEntry.objects.values_list("table", flat=True).distinct())
        out.append(time.perf_counter() - t0)
    print(f"baseline (old form list): {len(options):,} options")
    return out


def p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20, method="inclusive")[-1]


def main() -> None:
    total = int(os.environ.get("MESCAMS_BENCH_AUDIT_ENTRIES", "200000"))
    runs = int(os.environ.get("MESCAMS_BENCH_AUDIT_RUNS", "30"))
    with tempfile.TemporaryDirectory(prefix="mescams-bench-audit-") as tmp:
        _configure(tmp)
        from django.test import Client

        from mescams.edc.audit.models import AuditEntry

        t0 = time.perf_counter()
        dm, pids = _trial()
        real = AuditEntry.objects.count()
        made = _fill(total)
        print(f"{real:,} audit entries from 12 participants entered through the services + {made:,} synthetic = "
              f"{AuditEntry.objects.count():,} ({time.perf_counter() - t0:.0f} s to build)")
        client = Client()
        client.force_login(dm)
        searches = {
            "newest page": "/dm/audit/",
            "participant": f"/dm/audit/?participant={pids[3]}",
            "participant + field": f"/dm/audit/?participant={pids[3]}&field=Weight+(kg)",
            "form + field": "/dm/audit/?table=crfs_vitalsigns&field=weight_kg",
            "user": "/dm/audit/?user=user7",
            "one month": "/dm/audit/?date_from=2017-03-01&date_to=2017-03-31",
            "user + month, page 3": "/dm/audit/?user=user7&date_from=2016-01-01&date_to=2016-12-31&page=3",
            "deep page (1000)": "/dm/audit/?page=1000",
        }
        for path in searches.values():  # warm-up, untimed
            client.get(path)
        baseline = statistics.median(_old_form_list(max(5, runs // 3)))
        print(f"baseline median: {baseline * 1000:.1f} ms")
        everything: list[float] = []
        for name, path in searches.items():
            times = _time(client, path, runs)
            everything += times
            print(f"{name:>22}: p50 {statistics.median(times) * 1000:6.1f} ms  p95 {p95(times) * 1000:6.1f} ms  "
                  f"ratio p95/baseline {p95(times) / baseline:5.2f}")
        overall = p95(everything)
        print(f"all searches: p95 {overall * 1000:.1f} ms over {len(everything)} requests; ratio to baseline "
              f"{overall / baseline:.2f}; target p95 < 300 ms: {'met' if overall < 0.3 else 'MISSED'}")


if __name__ == "__main__":
    main()
