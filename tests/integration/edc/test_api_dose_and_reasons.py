"""Issue 13 through the JSON API: the dose basis guarded once the lab prepared a product (investigator's
confirmation with a reason), the lab's flag and re-confirmation, release figures changed only with a reason, AE
causality with the investigator's reason and related derived from it. SQLite and PostgreSQL."""

from __future__ import annotations

import json

from django.test import Client

from mescams.edc.crfs.models import AdverseEvent, VitalSigns
from tests.factories.edc import RANDOMISATION, D, infuse, randomised

W0_VITALS = {"visit_code": "W0", "assessment_date": RANDOMISATION.isoformat(), "weight_kg": 90.0}
AE = {"term": "Headache", "onset_date": (RANDOMISATION + D(days=3)).isoformat(), "severity_grade": 1,
      "serious": False, "serious_criteria": [], "action": "none", "outcome": "recovered"}


def _client(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


def _post(user, path: str, body: dict | None = None):
    return _client(user).post(path, json.dumps(body or {}), content_type="application/json")


def _put(user, path: str, body: dict):
    return _client(user).put(path, json.dumps(body), content_type="application/json")


def _product(users, pid: str) -> dict:
    return next(x for x in _client(users["lab"]).get("/api/lab/products").json() if x["participant_id"] == pid)


def test_dose_basis_guard_confirmation_and_lab_reconfirmation(users, allocation) -> None:
    pid = randomised(users["coord"])
    prepared = _post(users["lab"], f"/api/lab/participants/{pid}/products/W0/prepared")
    assert prepared.status_code == 201, prepared.json()
    assert prepared.json()["products"] == [{"visit_code": "W0", "prepared_on_kg": 70.0, "prepared_by": "lab",
                                            "infused": False, "released": False, "superseded": False}]
    assert _post(users["coord"], f"/api/lab/participants/{pid}/products/W0/prepared").status_code == 403

    vitals = f"/api/participants/{pid}/forms/vital_signs"
    refused = _post(users["coord"], vitals, W0_VITALS)
    assert refused.status_code == 422
    assert refused.json()["field"] == "assessment_date" and "investigator must confirm" in refused.json()["rule"]
    refused = _post(users["coord"], vitals, {**W0_VITALS, "confirm_dose_change": True, "reason": "reweighed"})
    assert (refused.status_code, refused.json()["field"]) == (422, "confirm_dose_change")
    refused = _post(users["inv"], vitals, {**W0_VITALS, "confirm_dose_change": True})
    assert (refused.status_code, refused.json()["field"]) == (422, "reason")
    assert VitalSigns.objects.filter(participant__participant_id=pid).count() == 1
    done = _post(users["inv"], vitals, {**W0_VITALS, "confirm_dose_change": True, "reason": "reweighed at W0"})
    assert done.status_code == 201, done.json()

    product = _product(users, pid)
    assert product["weight_kg"] == 90.0 and product["products"][0]["superseded"] is True
    reconfirm = f"/api/lab/participants/{pid}/products/W0/reconfirm"
    refused = _post(users["lab"], reconfirm, {"reason": ""})
    assert refused.status_code == 422
    ok = _post(users["lab"], reconfirm, {"reason": "volumes recalculated for 90 kg"})
    assert ok.status_code == 200 and ok.json()["products"][0]["superseded"] is False


def test_changing_the_basis_weight_over_the_api_names_weight_kg(users, allocation) -> None:
    pid = randomised(users["coord"])
    infuse(users["coord"], pid)
    record = VitalSigns.objects.get(participant__participant_id=pid)
    refused = _put(users["coord"], f"/api/participants/{pid}/forms/vital_signs/{record.pk}",
                   {"reason": "typo", "values": {"weight_kg": 75.0}})
    assert (refused.status_code, refused.json()["field"]) == (422, "weight_kg")
    ok = _put(users["inv"], f"/api/participants/{pid}/forms/vital_signs/{record.pk}",
              {"reason": "typo in the source transcription", "values": {"weight_kg": 75.0},
               "confirm_dose_change": True})
    assert ok.status_code == 200 and ok.json()["weight_kg"] == 75.0


def test_lab_release_change_without_a_reason_is_refused_naming_reason(users, allocation) -> None:
    pid = randomised(users["coord"])
    infuse(users["coord"], pid)
    sequence = _product(users, pid)["products_by_visit"]["W0"]
    cells = 70 * 1.5e6 if sequence == "MSC" else 0.0
    path = f"/api/lab/participants/{pid}/infusions/W0"
    assert _put(users["lab"], path, {"cells_infused": cells, "viability_percent": 93}).status_code == 200
    refused = _put(users["lab"], path, {"cells_infused": cells, "viability_percent": 80})
    assert (refused.status_code, refused.json()["field"]) == (422, "reason")
    ok = _put(users["lab"], path, {"cells_infused": cells, "viability_percent": 80, "reason": "recounted"})
    assert ok.status_code == 200


def test_ae_causality_over_the_api(users, allocation) -> None:
    pid = randomised(users["coord"])
    path = f"/api/participants/{pid}/forms/adverse_event"
    created = _post(users["coord"], path, AE)
    assert created.status_code == 201 and created.json()["causality"] == "" and created.json()["related"] is False
    refused = _post(users["coord"], path, {**AE, "related": True})
    assert refused.status_code == 422 and "related" in json.dumps(refused.json())
    pk = created.json()["id"]
    refused = _put(users["coord"], f"{path}/{pk}", {"reason": "seems related", "values": {"causality": "possible"}})
    assert (refused.status_code, refused.json()["field"]) == (422, "causality")
    ok = _put(users["inv"], f"{path}/{pk}", {"reason": "onset within a day of the infusion",
                                              "values": {"causality": "possible"}})
    assert ok.status_code == 200 and (ok.json()["causality"], ok.json()["related"]) == ("possible", True)
    created = _post(users["inv"], path, {**AE, "causality": "unlikely", "reason": "known migraine sufferer"})
    assert created.status_code == 201 and created.json()["related"] is False
    assert AdverseEvent.objects.filter(participant__participant_id=pid).count() == 2
