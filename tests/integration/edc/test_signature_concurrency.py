"""Eight identical signature requests at once on PostgreSQL (threads, separate connections) leave one signature:
the participant's row serialises the signers, and each later request finds the standing signature. And a change
committed after signing invalidates it, while the audit chain stays linear."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest

from mescams.edc.testing import thread_connection, use_database
from tests.conftest import require
from tests.factories.edc import LIST_SEED, PASSWORD, make_users, randomised
from tests.integration.edc.conftest import ALIASES, HAS_PG

N = 8


@pytest.mark.django_db(transaction=True, databases=ALIASES)
def test_eight_simultaneous_identical_signature_requests_sign_once() -> None:
    require(HAS_PG, "PostgreSQL at 127.0.0.1:5432 is not reachable")
    from mescams.edc.audit.verify import verify_audit_trail
    from mescams.edc.crfs.models import VitalSigns
    from mescams.edc.crfs.services import save_form
    from mescams.edc.queries.models import Signature
    from mescams.edc.queries.services import sign_casebook
    from mescams.edc.randomisation.services import generate_list
    from mescams.edc.trial.sites import sync_sites

    with use_database("postgres"):
        sync_sites()
        users = make_users()
        generate_list(actor=users["statistician"], seed=LIST_SEED, slots_per_site=4)
        pid = randomised(users["coord"])

    barrier = threading.Barrier(N)

    def sign(_: int) -> tuple[int, bool]:
        with thread_connection("postgres"):
            barrier.wait(timeout=30)
            s = sign_casebook(user=users["inv"], participant_id=pid, password=PASSWORD,
                              meaning="Approval of casebook contents", sign_anyway=True, reason="interim")
            return s.pk, s.replayed

    with ThreadPoolExecutor(max_workers=N) as pool:
        results = list(pool.map(sign, range(N)))

    assert len({pk for pk, _ in results}) == 1 and sorted(r for _, r in results) == [False] + [True] * (N - 1)
    with use_database("postgres"):
        assert Signature.objects.count() == 1
        record = VitalSigns.objects.get(participant__participant_id=pid)
        save_form(user=users["coord"], participant_id=pid, form="vital_signs", record_pk=record.pk,
                  values={"weight_kg": 69.5}, reason="transcription error")
        assert Signature.objects.get().invalidated_by_seq is not None
        assert verify_audit_trail().records > 0
