"""The emergency-unblinding page works whatever the locks, and records every attempt, refused ones included."""

from __future__ import annotations

from django.test import Client

from mescams.edc.queries.services import lock
from mescams.edc.randomisation.models import AllocationSlot
from mescams.edc.trial.models import UnblindingAttempt
from tests.factories.edc import randomised


def _as(users, name: str) -> Client:
    client = Client()
    client.force_login(users[name])
    return client


def test_the_page_unblinds_under_a_trial_lock_and_records_every_attempt(users, allocation) -> None:
    pid = randomised(users["coord"])
    lock(user=users["dm"])
    lock(user=users["dm"], participant_id=pid)
    assert _as(users, "coord").post(f"/site/p/{pid}/unblind/", {"reason": "curious"}).status_code == 403
    inv = _as(users, "inv")
    assert inv.post(f"/site/p/{pid}/unblind/", {"reason": ""}).status_code == 200  # the form again, with the error
    response = inv.post(f"/site/p/{pid}/unblind/", {"reason": "anaphylaxis"})
    assert response.status_code == 200
    assert AllocationSlot.objects.get(participant__participant_id=pid).sequence in response.content.decode()
    assert list(UnblindingAttempt.objects.order_by("at", "pk").values_list("username", "outcome")) == [
        ("coord", "refused"), ("inv", "refused"), ("inv", "granted")]
    assert "reason" in UnblindingAttempt.objects.filter(username="inv", outcome="refused").get().refusal


def test_the_locks_page_lists_every_attempt_without_allocation(users, allocation) -> None:
    pid = randomised(users["coord"])
    _as(users, "coord").post(f"/site/p/{pid}/unblind/", {"reason": "curious"})
    _as(users, "inv").post(f"/site/p/{pid}/unblind/", {"reason": "anaphylaxis"})
    page = _as(users, "dm").get("/dm/locks/").content.decode()
    assert "Emergency-unblinding attempts" in page and "curious" in page and "anaphylaxis" in page
    assert "refused" in page and "granted" in page
    assert "MSC-PLACEBO" not in page and "PLACEBO-MSC" not in page
