"""Emergency unblinding works for the investigator whatever the data locks, and every attempt, granted or refused,
leaves a durable record (the refused request's own transaction rolls back, its record stays)."""

from __future__ import annotations

import pytest
from django.test import Client

from mescams.edc.queries.services import lock
from mescams.edc.trial.models import Participant, UnblindingAttempt
from mescams.edc.trial.services import emergency_unblind
from mescams.errors import BlindingViolation, InputValidationError
from tests.factories.edc import eligible, randomised


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.mark.parametrize("scope", ["participant", "trial"])
def test_unblinding_works_under_a_participant_or_trial_lock(users, allocation, scope) -> None:
    pid = randomised(users["coord"])
    lock(user=users["dm"], participant_id=pid if scope == "participant" else None)
    answer = _client(users["inv"]).post(f"/api/participants/{pid}/emergency-unblinding", {"reason": "anaphylaxis"},
                                        content_type="application/json")
    assert answer.status_code == 200, answer.content
    assert answer.json()["sequence"] in {"MSC-PLACEBO", "PLACEBO-MSC"}
    assert Participant.objects.get(participant_id=pid).emergency_unblinded is True
    attempt = UnblindingAttempt.objects.get()
    assert (attempt.outcome, attempt.username, attempt.participant_ref) == ("granted", "inv", pid)


def test_every_refused_attempt_is_recorded_and_lasts(users, allocation) -> None:
    pid, not_randomised = randomised(users["coord"]), eligible(users["coord"])
    with pytest.raises(BlindingViolation):
        emergency_unblind(user=users["coord"], participant_id=pid, reason="curious")
    with pytest.raises(InputValidationError):
        emergency_unblind(user=users["inv"], participant_id=pid, reason="  ")
    api = _client(users["inv"])
    assert api.post(f"/api/participants/{not_randomised}/emergency-unblinding", {"reason": "SAE"},
                    content_type="application/json").status_code == 404
    assert _client(users["rater"]).post(f"/api/participants/{pid}/emergency-unblinding", {"reason": "x"},
                                        content_type="application/json").status_code == 403
    refused = list(UnblindingAttempt.objects.order_by("at", "pk").values_list("username", "outcome", "participant_ref"))
    assert refused == [("coord", "refused", pid), ("inv", "refused", pid), ("inv", "refused", not_randomised),
                       ("rater", "refused", pid)]
    assert Participant.objects.get(participant_id=pid).emergency_unblinded is False  # nothing else was written
    texts = " ".join(UnblindingAttempt.objects.values_list("refusal", flat=True))
    assert "investigator" in texts and "reason" in texts and "randomised" in texts
    assert "MSC-PLACEBO" not in texts and "PLACEBO-MSC" not in texts


def test_attempts_are_listed_for_the_audit_roles_without_allocation(users, allocation) -> None:
    pid = randomised(users["coord"])
    emergency_unblind(user=users["inv"], participant_id=pid, reason="anaphylaxis")
    with pytest.raises(BlindingViolation):
        emergency_unblind(user=users["lab"], participant_id=pid, reason="asked")
    listing = _client(users["dm"]).get("/api/emergency-unblinding-attempts")
    assert listing.status_code == 200
    assert [(a["username"], a["outcome"]) for a in listing.json()] == [("inv", "granted"), ("lab", "refused")]
    assert b"MSC-PLACEBO" not in listing.content and b"PLACEBO-MSC" not in listing.content
    assert _client(users["coord"]).get("/api/emergency-unblinding-attempts").status_code == 403


def test_the_attempts_are_in_the_audit_chain(users, allocation) -> None:
    from mescams.edc.audit.models import AuditEntry

    pid = randomised(users["coord"])
    with pytest.raises(BlindingViolation):
        emergency_unblind(user=users["coord"], participant_id=pid, reason="curious")
    attempt = UnblindingAttempt.objects.get()
    entries = AuditEntry.objects.filter(table="trial_unblindingattempt", record_id=str(attempt.pk))
    assert {e.field: e.new for e in entries}["outcome"] == '"refused"'
