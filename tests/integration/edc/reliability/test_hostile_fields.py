"""Every eCRF field through the API refuses oversized strings, control characters, wrong types and impossible
dates with a clear error (422 naming the field), and nothing is saved or audited; on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
import json

from django.test import Client

from mescams.edc.api.forms import LAB_ONLY
from mescams.edc.audit.models import AuditEntry
from mescams.edc.crfs.access import WRITE
from mescams.edc.crfs.models import FORMS
from mescams.edc.crfs.services import editable_fields
from tests.factories.edc import consented, randomised
from tests.integration.edc.test_validation_rules import GOOD


def _json(values: dict) -> dict:
    return {k: v.isoformat() if isinstance(v, dt.date | dt.time) else v for k, v in values.items()}


def _variants(model) -> list[tuple[str, object]]:
    out = []
    for f in model._meta.concrete_fields:
        if f.name not in editable_fields(model) or f.name in LAB_ONLY:
            continue
        kind = f.get_internal_type()
        if kind in ("CharField", "TextField"):
            out += [(f.name, "x" * 30_000), (f.name, "Head\x00ache"), (f.name, "\x1b[31mred")]
        elif kind == "DateField":
            out += [(f.name, "2016-02-30"), (f.name, "yesterday"), (f.name, 20160201), (f.name, "0001-01-01"),
                    (f.name, "9999-12-31")]
        elif kind in ("FloatField", "IntegerField", "PositiveIntegerField", "PositiveSmallIntegerField",
                      "SmallIntegerField", "DecimalField"):
            out += [(f.name, "seventy"), (f.name, [1])]
        elif kind == "BooleanField":
            out += [(f.name, "maybe")]
    return out


def test_every_form_field_refuses_hostile_values_naming_the_field(users, allocation) -> None:
    pid = randomised(users["coord"])
    clients = {}
    for name in ("coord", "rater"):
        clients[name] = Client()
        clients[name].force_login(users[name])
    checked = 0
    for form, model in FORMS.items():
        if form not in WRITE or form not in GOOD:
            continue
        client = clients["rater" if form == "edss" else "coord"]
        for field, bad in _variants(model):
            before = (model.objects.count(), AuditEntry.objects.count())
            body = {**_json(GOOD[form]), field: bad}
            r = client.post(f"/api/participants/{pid}/forms/{form}", json.dumps(body),
                            content_type="application/json")
            assert r.status_code == 422, (form, field, repr(bad)[:40], r.status_code, r.content[:200])
            assert field in r.content.decode(), (form, field, r.content[:300])
            assert (model.objects.count(), AuditEntry.objects.count()) == before
            checked += 1
    assert checked > 60


def test_nested_records_paths_and_query_strings_are_guarded_too(users) -> None:
    c = Client()
    c.force_login(users["coord"])
    pid = consented(users["coord"])
    record = {"sex": "F", "ms": {"course": "RR\x00MS"}}
    r = c.post(f"/api/participants/{pid}/screening", json.dumps({"screening_date": "2016-01-04", "record": record}),
               content_type="application/json")
    assert r.status_code == 422 and r.json()["field"] == "record.ms.course"
    assert r.json()["rule"] == "must not contain control characters"
    assert c.get("/api/participants/OTT%00001").status_code == 422
    r = c.get("/api/queries", {"status": "open\x00"})
    assert r.status_code == 422 and r.json()["field"] == "status"
    page = c.post("/site/screen/", {"site": "OTT", "notes": "x" * 30_000})
    assert page.status_code == 422 and b"at most" in page.content
    assert c.post(f"/api/participants/{pid}/screening", json.dumps({"screening_date": "2016-13-01", "record": {}}),
                  content_type="application/json").status_code == 422
    far = c.post(f"/api/participants/{pid}/screening", json.dumps({"screening_date": "9999-12-31", "record": {}}),
                 content_type="application/json")
    assert far.status_code == 422 and far.json()["field"] == "screening_date"
