"""``Idempotency-Key`` on the API's writes: a replay returns the first answer and stores nothing more; the same key
on another request is refused; keys and kept answers belong to one user (and role)."""

from __future__ import annotations

from django.test import Client

from mescams.edc.api.idempotency import HEADER
from mescams.edc.api.models import IdempotentRequest
from mescams.edc.audit.models import AuditEntry
from mescams.edc.crfs.models import AdverseEvent, Consent, ScreeningRecord, VitalSigns
from mescams.edc.trial.models import Participant
from tests.factories.edc import SCREENING, consent_body, eligible_record, randomised, screened

AE = {"term": "Headache", "onset_date": "2016-02-04", "severity_grade": 1, "serious": False, "serious_criteria": [],
      "action": "none", "outcome": "recovered"}


def _client(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


def _post(c: Client, url: str, body: dict, key: str | None):
    headers = {HEADER: key} if key is not None else {}
    return c.post(url, body, content_type="application/json", headers=headers)


def test_replayed_form_create_returns_the_first_answer_and_stores_nothing(users, allocation) -> None:
    pid = randomised(users["coord"])
    c = _client(users["coord"])
    url = f"/api/participants/{pid}/forms/vital_signs"
    body = {"visit_code": "W4", "assessment_date": "2016-02-29", "weight_kg": 71.0}
    first = _post(c, url, body, "k-vitals-1")
    entries = AuditEntry.objects.count()
    replay = _post(c, url, body, "k-vitals-1")
    assert first.status_code == replay.status_code == 201
    assert replay.content == first.content and replay["Idempotent-Replayed"] == "true"
    assert VitalSigns.objects.filter(participant__participant_id=pid, visit_code="W4").count() == 1
    assert AuditEntry.objects.count() == entries
    # without the key, the same post is a second entry: refused, naming the first
    assert _post(c, url, body, None).status_code == 409


def test_replayed_adverse_event_is_one_event(users, allocation) -> None:
    pid = randomised(users["coord"])
    c = _client(users["coord"])
    url = f"/api/participants/{pid}/forms/adverse_event"
    answers = [_post(c, url, AE, "ae-headache-0204") for _ in range(3)]
    assert {a.status_code for a in answers} == {201} and len({a.content for a in answers}) == 1
    assert list(AdverseEvent.objects.filter(participant__participant_id=pid).values_list("ae_number", flat=True)) \
        == [1]
    assert _post(c, url, AE, "ae-headache-0204b").json()["ae_number"] == 2  # a new key is a new event


def test_replayed_consent_and_screening(users) -> None:
    c = _client(users["coord"])
    made = [_post(c, "/api/participants", consent_body(), "consent-anna") for _ in range(2)]
    assert made[0].status_code == made[1].status_code == 201
    assert made[0].content == made[1].content and Participant.objects.count() == 1
    pid = made[0].json()["participant_id"]
    assert Consent.objects.filter(participant__participant_id=pid).count() == 1
    screening = {"screening_date": SCREENING.isoformat(), "record": eligible_record()}
    answers = [_post(c, f"/api/participants/{pid}/screening", screening, "screen-anna") for _ in range(2)]
    assert answers[0].status_code == answers[1].status_code == 200
    assert answers[0].content == answers[1].content
    assert ScreeningRecord.objects.filter(participant__participant_id=pid).count() == 1


def test_same_key_on_another_request_is_refused_naming_the_header(users, allocation) -> None:
    pid = randomised(users["coord"])
    c = _client(users["coord"])
    url = f"/api/participants/{pid}/forms/adverse_event"
    assert _post(c, url, AE, "k1").status_code == 201
    other = _post(c, url, {**AE, "term": "Nausea"}, "k1")
    assert other.status_code == 422 and other.json()["field"] == HEADER
    assert "another request" in other.json()["detail"]
    assert AdverseEvent.objects.filter(participant__participant_id=pid).count() == 1
    for bad in ("", "x" * 201, "naïve"):
        refused = _post(c, url, AE, bad)
        assert refused.status_code == 422 and refused.json()["field"] == HEADER, bad


def test_a_refused_request_releases_its_key(users, allocation) -> None:
    pid = randomised(users["coord"])
    c = _client(users["coord"])
    url = f"/api/participants/{pid}/forms/vital_signs"
    bad = _post(c, url, {"visit_code": "W4", "assessment_date": "2016-02-29", "weight_kg": 7.0}, "k-retry")
    assert bad.status_code == 422 and bad.json()["field"] == "weight_kg"
    assert not IdempotentRequest.objects.exists()  # nothing stored, nothing kept
    good = _post(c, url, {"visit_code": "W4", "assessment_date": "2016-02-29", "weight_kg": 71.0}, "k-retry")
    assert good.status_code == 201


def test_keys_are_per_user_and_answers_never_cross_users(users, allocation) -> None:
    """Two users using the same key each get their own answer; the lab's kept answer (cell counts, unblinded)
    can never be replayed to anyone else."""
    pid = randomised(users["coord"])
    url = f"/api/participants/{pid}/forms/adverse_event"
    mine = _post(_client(users["coord"]), url, AE, "shared-key")
    theirs = _post(_client(users["inv"]), url, {**AE, "term": "Fatigue"}, "shared-key")
    assert mine.status_code == theirs.status_code == 201
    assert (mine.json()["term"], theirs.json()["term"]) == ("Headache", "Fatigue")
    assert IdempotentRequest.objects.filter(key="shared-key").count() == 2
    # a blinded user replaying another user's key and body does not get that user's answer
    wpg = _post(_client(users["coord_wpg"]), url, AE, "shared-key")
    assert wpg.status_code == 404 and "Idempotent-Replayed" not in wpg


def test_a_kept_answer_is_not_replayed_after_a_role_change(users, allocation) -> None:
    pid = randomised(users["coord"])
    inv = users["inv"]
    url = f"/api/participants/{pid}/forms/adverse_event"
    assert _post(_client(inv), url, AE, "k-role").status_code == 201
    inv.role = "site_coordinator"
    inv.save()
    answer = _post(_client(inv), url, AE, "k-role")
    assert answer.status_code == 409 and "role changed" in answer.json()["detail"]


def test_reads_ignore_the_header(users) -> None:
    screened(users["coord"])
    c = _client(users["coord"])
    answers = [c.get("/api/participants", headers={HEADER: "k-read"}) for _ in range(2)]
    assert all(a.status_code == 200 and "Idempotent-Replayed" not in a for a in answers)
    assert not IdempotentRequest.objects.exists()
