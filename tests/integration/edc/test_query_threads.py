"""Queries name only fields that exist on their form (API, pages, services), and keep their whole thread of
messages, each audited, in order."""

from __future__ import annotations

import pytest
from django.test import Client

from mescams.edc.audit.models import AuditEntry
from mescams.edc.crfs.models import VitalSigns
from mescams.edc.queries import services as queries
from mescams.edc.queries.models import Query, QueryMessage
from mescams.errors import InputValidationError
from tests.factories.edc import randomised


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_a_query_on_a_field_the_form_lacks_is_refused_naming_the_field(users, allocation) -> None:
    pid = randomised(users["coord"])
    with pytest.raises(InputValidationError) as refused:
        queries.open_query(user=users["dm"], participant_id=pid, form="vital_signs", field="weight_pounds",
                           text="Weight?")
    assert refused.value.field == "field"
    assert "weight_pounds" in refused.value.rule and "weight_kg" in refused.value.rule
    with pytest.raises(InputValidationError) as bad_form:
        queries.open_query(user=users["dm"], participant_id=pid, form="vitals", text="?")
    assert bad_form.value.field == "form"
    with pytest.raises(InputValidationError) as bad_record:
        queries.open_query(user=users["dm"], participant_id=pid, form="vital_signs", record_id="999999", text="?")
    assert bad_record.value.field == "record_id"
    answer = _client(users["dm"]).post("/api/queries", {"participant_id": pid, "form": "vital_signs",
                                                        "field": "weight_pounds", "text": "Weight?"},
                                       content_type="application/json")
    assert answer.status_code == 422 and answer.json()["field"] == "field"
    assert "weight_pounds" in answer.json()["detail"]
    assert not Query.objects.exists()
    record = VitalSigns.objects.filter(participant__participant_id=pid).first()
    ok = _client(users["dm"]).post("/api/queries", {"participant_id": pid, "form": "vital_signs",
                                                    "field": "weight_kg", "record_id": str(record.pk),
                                                    "text": "Weight?"}, content_type="application/json")
    assert ok.status_code == 201, ok.content


def test_the_thread_keeps_every_message_in_order_each_audited(users, allocation) -> None:
    pid = randomised(users["coord"])
    dm, coord = _client(users["dm"]), _client(users["coord"])
    opened = dm.post("/api/queries", {"participant_id": pid, "form": "vital_signs", "field": "weight_kg",
                                      "text": "Weight 7 kg?"}, content_type="application/json").json()
    qid = opened["id"]
    assert coord.post(f"/api/queries/{qid}/answer", {"answer": "Typo, 70 kg"},
                      content_type="application/json").status_code == 200
    again = dm.post(f"/api/queries/{qid}/follow-up", {"text": "Please correct the form too."},
                    content_type="application/json")
    assert again.status_code == 200 and again.json()["status"] == "open"
    assert coord.post(f"/api/queries/{qid}/answer", {"answer": "Corrected."},
                      content_type="application/json").status_code == 200
    closed = dm.post(f"/api/queries/{qid}/close").json()
    thread = [(m["number"], m["kind"], m["author"], m["text"]) for m in closed["messages"]]
    assert thread == [(1, "question", "dm", "Weight 7 kg?"), (2, "answer", "coord", "Typo, 70 kg"),
                      (3, "follow_up", "dm", "Please correct the form too."), (4, "answer", "coord", "Corrected."),
                      (5, "close", "dm", "resolved")]
    listed = dm.get("/api/queries").json()
    assert [m["text"] for m in listed[0]["messages"]][:2] == ["Weight 7 kg?", "Typo, 70 kg"]
    for message in QueryMessage.objects.all():
        entries = {e.field: e.new for e in AuditEntry.objects.filter(table="queries_querymessage",
                                                                      record_id=str(message.pk))}
        assert entries["text"] is not None and entries["number"] == str(message.number)
    assert dm.post(f"/api/queries/{qid}/follow-up", {"text": "more?"},
                   content_type="application/json").status_code == 409


def test_an_edit_check_query_starts_its_thread_too(users, allocation) -> None:
    from mescams.edc.audit.context import Actor, acting

    pid = randomised(users["coord"])
    participant = Query._meta.get_field("participant").related_model.objects.get(participant_id=pid)
    with acting(Actor.system("edit check")):
        query = Query(participant=participant, form="vital_signs", field="weight_kg", edit_check="x",
                      text="Out of range", opened_by="edit check")
        query.save()
    assert [(m.number, m.kind, m.author) for m in query.messages.all()] == [(1, "question", "edit check")]
