"""The JSON API: authentication, CSRF, lock-out, site isolation, error shapes, e-signature, export permissions."""

from __future__ import annotations

import io
import zipfile

import pytest
from django.test import Client

from mescams.core.blinding import BLINDING_POLICY, Reveal, Role
from tests.factories.edc import PASSWORD, RANDOMISATION, consented, randomised, screened
from tests.integration.edc.test_validation_rules import GOOD


def client_for(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


def test_openapi_schema_is_published(edc) -> None:
    schema = Client().get("/api/openapi.json").json()
    assert "/api/participants" in schema["paths"]
    assert "/api/participants/{participant_id}/forms/adverse_event" in schema["paths"]
    assert "/api/export/analysis-data" in schema["paths"]


def test_anonymous_requests_get_401(edc) -> None:
    c = Client()
    for path in ("/api/participants", "/api/queries", "/api/auth/me", "/api/randomisation/list"):
        assert c.get(path).status_code == 401, path


def test_login_needs_csrf_and_so_does_every_write(users) -> None:
    c = Client(enforce_csrf_checks=True)
    body = {"username": "coord", "password": PASSWORD}
    assert c.post("/api/auth/login", body, content_type="application/json").status_code == 403
    token = c.get("/api/auth/csrf").json()["csrf_token"]
    ok = c.post("/api/auth/login", body, content_type="application/json", headers={"X-CSRFToken": token})
    assert ok.status_code == 200 and ok.json() == {"username": "coord", "role": "site_coordinator", "sites": ["OTT"]}
    token = c.cookies["csrftoken"].value  # rotated at log-in
    from tests.factories.edc import consent_body

    new = consent_body()
    assert c.post("/api/participants", new, content_type="application/json").status_code == 403
    made = c.post("/api/participants", new, content_type="application/json", headers={"X-CSRFToken": token})
    assert made.status_code == 201 and made.json()["participant_id"] == "OTT-001"


def test_repeated_failures_slow_down_the_address_never_lock_the_account(users) -> None:
    """Six failures from one address make the next attempt there wait (429), for a real name and an invented one
    alike; another address logs in at once (throttling itself: reliability/test_login_throttle.py)."""
    for name in ("coord", "nobody"):
        c = Client(REMOTE_ADDR=f"10.9.0.{len(name)}")
        for _ in range(6):
            r = c.post("/api/auth/login", {"username": name, "password": "wrong"}, content_type="application/json")
            assert r.status_code == 401 and r.json()["detail"] == "wrong user name or password"
        r = c.post("/api/auth/login", {"username": name, "password": PASSWORD}, content_type="application/json")
        assert r.status_code == 429 and r.json()["error"] == "throttled" and r["Retry-After"] == "1"
    other = Client(REMOTE_ADDR="10.9.1.1")
    assert other.post("/api/auth/login", {"username": "coord", "password": PASSWORD},
                      content_type="application/json").status_code == 200


def test_passwords_are_hashed_with_argon2_in_production_settings(users) -> None:
    from mescams.edc.settings import build_settings

    hashers = build_settings({"MESCAMS_SECRET_KEY": "x" * 50})["PASSWORD_HASHERS"]
    assert hashers[0].endswith("Argon2PasswordHasher")


def test_site_users_see_only_their_sites(users, allocation) -> None:
    ott = randomised(users["coord"], site="OTT")
    wpg = screened(users["coord_wpg"], site="WPG")
    listed = client_for(users["coord"]).get("/api/participants").json()
    assert [p["participant_id"] for p in listed] == [ott]
    for path in (f"/api/participants/{wpg}", f"/api/participants/{wpg}/forms/vital_signs",
                 f"/api/participants/{wpg}/deviations"):
        r = client_for(users["coord"]).get(path)
        assert r.status_code == 404 and r.json()["detail"] == f"participant {wpg} not found"
    r = client_for(users["coord"]).post(f"/api/participants/{wpg}/forms/vital_signs", GOOD["vital_signs"],
                                        content_type="application/json")
    assert r.status_code == 404
    everyone = client_for(users["dm"]).get("/api/participants").json()
    assert [p["participant_id"] for p in everyone] == [ott, wpg]
    assert client_for(users["mri"]).get("/api/participants").json() == []


def test_form_errors_name_field_and_rule(users, allocation) -> None:
    pid = randomised(users["coord"])
    c = client_for(users["coord"])
    r = c.post(f"/api/participants/{pid}/forms/vital_signs", {**GOOD["vital_signs"], "weight_kg": 900},
               content_type="application/json")
    assert r.status_code == 422 and r.json()["field"] == "weight_kg" and "between" in r.json()["rule"]
    r = c.post(f"/api/participants/{pid}/forms/vital_signs", {**GOOD["vital_signs"], "weight_kg": "heavy"},
               content_type="application/json")
    assert r.status_code == 422
    r = c.post(f"/api/participants/{pid}/forms/vital_signs", GOOD["vital_signs"], content_type="application/json")
    assert r.status_code == 201
    record_id = r.json()["id"]
    r = c.put(f"/api/participants/{pid}/forms/vital_signs/{record_id}", {"reason": "", "values": {"weight_kg": 71}},
              content_type="application/json")
    assert r.status_code == 422
    r = c.put(f"/api/participants/{pid}/forms/vital_signs/{record_id}",
              {"reason": "typo", "values": {"weight_kg": 71}}, content_type="application/json")
    assert r.status_code == 200 and r.json()["weight_kg"] == 71
    assert client_for(users["rater"]).post(f"/api/participants/{pid}/forms/vital_signs", GOOD["vital_signs"],
                                           content_type="application/json").status_code == 403


def test_lifecycle_over_the_api(users, allocation) -> None:
    from tests.factories.edc import consent_body, eligible_record

    c = client_for(users["coord"])
    made = c.post("/api/participants", consent_body(), content_type="application/json")
    assert made.status_code == 201 and made.json()["status"] == "consented"
    pid = made.json()["participant_id"]
    assert c.post(f"/api/participants/{pid}/randomise", {"on": "2016-02-01"},
                  content_type="application/json").status_code == 409
    early = c.post(f"/api/participants/{pid}/eligibility", {"on": "2016-02-01"}, content_type="application/json")
    assert early.status_code == 409 and "no screening record" in early.json()["detail"]
    r = c.post(f"/api/participants/{pid}/screening", {"screening_date": "2016-01-04", "record": eligible_record()},
               content_type="application/json")
    assert r.status_code == 200 and r.json()["status"] == "screened"
    verdict = c.post(f"/api/participants/{pid}/eligibility", {"on": "2016-02-01"}, content_type="application/json")
    assert verdict.json()["eligible"] is True and len(verdict.json()["criteria"]) == 23
    r = c.post(f"/api/participants/{pid}/randomise", {"on": "2016-02-01"}, content_type="application/json")
    assert r.status_code == 200 and len(r.json()["product_code"]) == 8 and r.json()["participant"]["sequence"] is None
    again = c.post(f"/api/participants/{pid}/randomise", {"on": "2016-02-01"}, content_type="application/json")
    assert again.status_code == 409 and "already randomised" in again.json()["detail"]


def test_e_signature_needs_the_password_again(users, allocation) -> None:
    pid = randomised(users["coord"])
    c = client_for(users["inv"])
    body = {"password": "not it", "meaning": "I attest that this casebook is complete and accurate.",
            "sign_anyway": True, "reason": "interim review"}  # visits are still to come
    assert c.post(f"/api/participants/{pid}/signature", body, content_type="application/json").status_code == 401
    r = c.post(f"/api/participants/{pid}/signature", {**body, "password": PASSWORD}, content_type="application/json")
    assert r.status_code == 201 and r.json()["meaning"].startswith("I attest") and r.json()["audit_seq"] > 0
    assert client_for(users["coord"]).post(f"/api/participants/{pid}/signature", {**body, "password": PASSWORD},
                                           content_type="application/json").status_code == 403


def test_analysis_export_only_for_roles_seeing_allocation(users, allocation) -> None:
    randomised(users["coord"])
    for role in Role:
        user = next(u for u in users.values() if u.role == role.value)
        r = client_for(user).get("/api/export/analysis-data")
        if role is Role.PARTICIPANT:  # a participant account reaches the portal only
            assert (r.status_code, r.json()["error"]) == (403, "forbidden")
        elif BLINDING_POLICY.may_see(role, Reveal.ANALYSIS_EXPORT):
            assert r.status_code == 200, role
            names = sorted(zipfile.ZipFile(io.BytesIO(r.content)).namelist())
            assert names == [f"analysis-data/{n}" for n in ("adverse_events.csv", "edss.csv", "mri.csv",
                                                              "participants.csv", "relapses.csv")]
        else:
            assert (r.status_code, r.json()["error"]) == (403, "blinded"), role
    assert {r for r in Role if BLINDING_POLICY.may_see(r, Reveal.ANALYSIS_EXPORT)} == {
        Role.UNBLINDED_STATISTICIAN, Role.DSMB}


def test_emergency_unblinding_is_for_one_investigator_and_recorded(users, allocation) -> None:
    from mescams.edc.randomisation.models import AllocationSlot
    from mescams.edc.trial.models import EmergencyUnblinding

    pid = randomised(users["coord"])
    r = client_for(users["coord"]).post(f"/api/participants/{pid}/emergency-unblinding", {"reason": "SAE"},
                                        content_type="application/json")
    assert r.status_code == 403
    r = client_for(users["inv"]).post(f"/api/participants/{pid}/emergency-unblinding",
                                      {"reason": "suspected anaphylaxis, treating physician needs product"},
                                      content_type="application/json")
    assert r.json()["sequence"] == AllocationSlot.objects.get(participant__participant_id=pid).sequence
    rec = EmergencyUnblinding.objects.get(participant__participant_id=pid)
    assert rec.requested_by.username == "inv" and "anaphylaxis" in rec.reason
    seen = client_for(users["inv"]).get(f"/api/participants/{pid}").json()
    assert seen["emergency_unblinded"] is True and seen["sequence"] is None
    assert client_for(users["coord"]).get(f"/api/participants/{pid}").json()["sequence"] is None
    assert RANDOMISATION  # week 0 unchanged by unblinding


def test_lab_worklist_gives_product_and_dose(users, allocation) -> None:
    from mescams.edc.randomisation.models import AllocationSlot

    pid = randomised(users["coord"])
    r = client_for(users["lab"]).get("/api/lab/products")
    assert r.status_code == 200
    (item,) = r.json()
    slot = AllocationSlot.objects.get(participant__participant_id=pid)
    assert (item["product_code"], item["sequence"]) == (slot.product_code, slot.sequence)
    assert item["products_by_visit"] == dict(zip(("W0", "W24"), slot.sequence.split("-"), strict=True))
    assert item["target_cells"] == pytest.approx(70 * 1.5e6)  # the protocol's target 1.5e6 cells/kg x 70 kg
    assert client_for(users["coord"]).get("/api/lab/products").status_code == 403


def test_hostile_input_gets_a_clear_4xx_never_a_500(users, allocation) -> None:
    pid = randomised(users["coord"])
    c = client_for(users["coord"])
    r = c.post(f"/api/participants/{pid}/forms/conmed", {"drug": "a\u0000b", "start_date": "2015-01-01"},
               content_type="application/json")
    assert (r.status_code, r.json().get("field")) == (422, "drug")
    fresh = consented(users["coord"])
    r = c.post(f"/api/participants/{fresh}/screening", {"screening_date": "2016-01-04", "record": {"sex": "F\u0000"}},
               content_type="application/json")
    assert (r.status_code, r.json().get("field")) == (422, "record.sex")
    r = c.put(f"/api/participants/{pid}/forms/vital_signs/{2**70}", {"reason": "x", "values": {"weight_kg": 70}},
              content_type="application/json")
    assert r.status_code == 404
    r = client_for(users["dm"]).post(f"/api/queries/{2**70}/close")
    assert r.status_code == 404
    r = c.post(f"/api/participants/{pid}/forms/relapse", {"onset_date": "2016-03-01", "duration_hours": 2**40},
               content_type="application/json")
    assert (r.status_code, r.json().get("field")) == (422, "duration_hours")


def test_demographics_collects_race_and_ethnicity(users, allocation) -> None:
    """Issue 17: RACE and ETHNIC were empty for everyone; both are now required answers, NOT REPORTED allowed."""
    pid = randomised(users["coord"])
    c = client_for(users["coord"])
    body = {k: str(v) for k, v in GOOD["demographics"].items()}
    without = {k: v for k, v in body.items() if k != "race"}
    r = c.post(f"/api/participants/{pid}/forms/demographics", without, content_type="application/json")
    assert r.status_code == 422 and r.json()["field"] == "race" and "NOT REPORTED" in r.json()["rule"]
    r = c.post(f"/api/participants/{pid}/forms/demographics", {**body, "ethnicity": "LATINO"},
               content_type="application/json")
    assert r.status_code == 422 and r.json()["field"] == "ethnicity"
    r = c.post(f"/api/participants/{pid}/forms/demographics",
               {**body, "race": "NOT REPORTED", "ethnicity": "NOT REPORTED"}, content_type="application/json")
    assert r.status_code == 201, r.content
    got = c.get(f"/api/participants/{pid}/forms/demographics/{r.json()['id']}").json()
    assert (got["race"], got["ethnicity"]) == ("NOT REPORTED", "NOT REPORTED")
