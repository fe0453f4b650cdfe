"""Concurrent entry on PostgreSQL (threads, separate connections): identical simultaneous posts of a single form
leave one row, the same Idempotency-Key one row, adverse events stay numbered 1..n, and a writer that loses the
race only at the database's unique constraint gets the same DuplicateRecord, with nothing of it written."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from django.db import IntegrityError, connection, transaction
from django.test import Client

from mescams.edc.testing import thread_connection, use_database
from tests.conftest import require
from tests.factories.edc import RANDOMISATION, make_users, randomised
from tests.integration.edc.conftest import ALIASES, HAS_PG

N = 8
VITALS = {"visit_code": "W4", "assessment_date": "2016-02-29", "weight_kg": 71.0}
AE = {"term": "Headache", "onset_date": "2016-02-04", "severity_grade": 1, "serious": False, "serious_criteria": [],
      "action": "none", "outcome": "recovered"}
pytestmark = pytest.mark.django_db(transaction=True, databases=ALIASES)


@pytest.fixture()
def trial() -> Iterator[dict[str, Any]]:
    require(HAS_PG, "PostgreSQL at 127.0.0.1:5432 (database test, user postgres) is not reachable")
    from mescams.edc.randomisation.services import generate_list
    from mescams.edc.trial.sites import sync_sites
    from tests.factories.edc import LIST_SEED

    with use_database("postgres"):
        sync_sites()
        users = make_users()
        generate_list(actor=users["statistician"], seed=LIST_SEED, slots_per_site=4)
        pid = randomised(users["coord"])
        client = Client()
        client.force_login(users["coord"])
        yield {"users": users, "pid": pid, "client": client}


def _at_once(action: Callable[[int], Any]) -> list[Any]:
    barrier = threading.Barrier(N)

    def run(i: int) -> Any:
        with thread_connection("postgres"):
            barrier.wait(timeout=30)
            return action(i)

    with ThreadPoolExecutor(max_workers=N) as pool:
        return list(pool.map(run, range(N)))


def _verified() -> None:
    from mescams.edc.audit.verify import verify_audit_trail

    with use_database("postgres"):
        verify_audit_trail()


def test_eight_identical_posts_of_a_single_form_leave_one_row(trial) -> None:
    from mescams.edc.crfs.models import VitalSigns

    url = f"/api/participants/{trial['pid']}/forms/vital_signs"
    answers = _at_once(lambda i: trial["client"].post(url, VITALS, content_type="application/json"))
    statuses = sorted(a.status_code for a in answers)
    assert statuses == [201] + [409] * (N - 1)
    created = next(a.json() for a in answers if a.status_code == 201)
    assert {a.json()["existing"]["record_id"] for a in answers if a.status_code == 409} == {created["id"]}
    with use_database("postgres"):
        assert VitalSigns.objects.filter(participant__participant_id=trial["pid"], visit_code="W4").count() == 1
    _verified()


def test_eight_posts_with_one_idempotency_key_store_one_record(trial) -> None:
    from mescams.edc.crfs.models import AdverseEvent

    url = f"/api/participants/{trial['pid']}/forms/adverse_event"
    answers = _at_once(lambda i: trial["client"].post(url, AE, content_type="application/json",
                                                      headers={"Idempotency-Key": "one-headache"}))
    done = [a for a in answers if a.status_code == 201]
    assert done and {a.status_code for a in answers} <= {201, 409}  # 409: the first still running, retry
    assert len({a.content for a in done}) == 1
    assert all(a.json()["error"] == "in_progress" for a in answers if a.status_code == 409)
    with use_database("postgres"):
        assert AdverseEvent.objects.filter(participant__participant_id=trial["pid"]).count() == 1
    again = trial["client"].post(url, AE, content_type="application/json", headers={"Idempotency-Key": "one-headache"})
    assert again.status_code == 201 and again.content == done[0].content


def test_adverse_events_posted_at_once_are_numbered_one_to_n(trial) -> None:
    from mescams.edc.crfs.models import AdverseEvent

    url = f"/api/participants/{trial['pid']}/forms/adverse_event"
    answers = _at_once(lambda i: trial["client"].post(url, {**AE, "term": f"event {i}"},
                                                      content_type="application/json"))
    assert [a.status_code for a in answers] == [201] * N
    assert sorted(a.json()["ae_number"] for a in answers) == list(range(1, N + 1))
    with use_database("postgres"):
        numbers = AdverseEvent.objects.filter(participant__participant_id=trial["pid"]).values_list("ae_number",
                                                                                                    flat=True)
        assert sorted(numbers) == list(range(1, N + 1))
    _verified()


def _backend_pid() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        return int(cursor.fetchone()[0])


def _waiting_on_a_lock(backend_pid: int) -> bool:
    """Whether that session waits for a lock (pg_locks is live; pg_stat_activity is frozen per transaction)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_locks WHERE pid = %s AND NOT granted", [backend_pid])
        return cursor.fetchone()[0] > 0


def test_a_race_lost_at_the_unique_constraint_is_the_same_duplicate(trial) -> None:
    """Writer A inserts and holds its transaction open; writer B, not seeing A's row yet, inserts the same visit's
    vital signs and waits on the unique index; A commits, B's IntegrityError becomes DuplicateRecord naming A's
    record, and B's transaction leaves no row and no audit entry."""
    from mescams.edc.audit.context import acting
    from mescams.edc.audit.models import AuditEntry
    from mescams.edc.crfs.models import VitalSigns
    from mescams.edc.trial.models import Participant
    from mescams.errors import DuplicateRecord

    coord = trial["users"]["coord"]
    inserted = threading.Event()
    writer_b_session: list[int] = []
    values = {"visit_code": "W4", "assessment_date": RANDOMISATION.replace(day=29), "weight_kg": 71.0}

    def writer_a() -> int:
        with thread_connection("postgres"), transaction.atomic(), acting(coord, reason=""):
            record = VitalSigns(participant=Participant.objects.get(participant_id=trial["pid"]), **values)
            record.save()
            inserted.set()
            deadline = time.monotonic() + 30
            while not (writer_b_session and _waiting_on_a_lock(writer_b_session[0])):  # B waits on the index
                assert time.monotonic() < deadline, "writer B never reached the unique index"
                time.sleep(0.02)
            return int(record.pk)

    def writer_b() -> DuplicateRecord:
        with thread_connection("postgres"):
            inserted.wait(timeout=30)
            writer_b_session.append(_backend_pid())
            with pytest.raises(DuplicateRecord) as refused, transaction.atomic(), acting(coord, reason=""):
                VitalSigns(participant=Participant.objects.get(participant_id=trial["pid"]),
                           **{**values, "weight_kg": 90.0}).save()
            return refused.value

    with use_database("postgres"):
        entries = AuditEntry.objects.count()
    with ThreadPoolExecutor(max_workers=2) as pool:
        a, b = pool.submit(writer_a), pool.submit(writer_b)
        first, refused = a.result(timeout=60), b.result(timeout=60)
    assert isinstance(refused.__cause__, IntegrityError)  # seen by the database, not by the check before
    assert refused.record_id == first
    with use_database("postgres"):
        assert list(VitalSigns.objects.filter(participant__participant_id=trial["pid"], visit_code="W4")
                    .values_list("weight_kg", flat=True)) == [71.0]
        assert AuditEntry.objects.count() > entries
        assert not AuditEntry.objects.filter(table="crfs_vitalsigns", field="weight_kg", new="90.0").exists()
    _verified()
