"""Concurrency on PostgreSQL: 50 simultaneous randomisations (threads, separate connections) get 50 distinct
slots, handed out in list order."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest

from mescams.edc.testing import thread_connection, use_database
from tests.conftest import require
from tests.factories.edc import RANDOMISATION, eligible, make_users
from tests.integration.edc.conftest import ALIASES, HAS_PG

N = 50


@pytest.mark.django_db(transaction=True, databases=ALIASES)
def test_fifty_simultaneous_randomisations_get_fifty_slots_in_order() -> None:
    require(HAS_PG, "PostgreSQL at 127.0.0.1:5432 (database test, user postgres) is not reachable")
    from mescams.edc.audit.verify import verify_audit_trail
    from mescams.edc.randomisation.models import AllocationSlot
    from mescams.edc.randomisation.services import generate_list, randomise
    from mescams.edc.trial.sites import sync_sites

    with use_database("postgres"):
        sync_sites()
        users = make_users()
        generate_list(actor=users["statistician"], seed="c0ffee" * 11, slots_per_site=N + 2)
        pids = [eligible(users["coord"]) for _ in range(N)]

    barrier = threading.Barrier(N)

    def take(pid: str) -> tuple[str, int]:
        with thread_connection("postgres"):
            barrier.wait(timeout=30)
            slot = randomise(user=users["coord"], participant_id=pid, on=RANDOMISATION)
            return pid, slot.number

    with ThreadPoolExecutor(max_workers=N) as pool:
        results = list(pool.map(take, pids))

    numbers = sorted(n for _, n in results)
    assert numbers == list(range(1, N + 1))  # 50 distinct slots, none skipped
    with use_database("postgres"):
        taken = list(AllocationSlot.objects.filter(participant__isnull=False)
                     .order_by("assigned_at").values_list("number", flat=True))
        assert taken == list(range(1, N + 1))  # handed out in list order
        assert {p: n for p, n in results} == dict(
            AllocationSlot.objects.filter(participant__isnull=False).values_list("participant__participant_id",
                                                                                 "number"))
        assert verify_audit_trail().records > N  # the chain stayed linear under contention
