"""De-identification that holds (issue 14, finding 5): identifiers planted in every free-text field of the EDC,
in the reasons typed for changes and in the screening record, and the real audit timestamps, appear in no
de-identified export (ODM, SDTM, ADaM, Define-XML, ClinicalTrials.gov results, analysis data for the DSMB); a
screening record with a key the record model does not know is refused on every write path, naming the key."""

from __future__ import annotations

import datetime as dt
import io
import json
import re
import zipfile

import pytest
from django.test import Client

from mescams.edc.audit.models import AuditEntry
from mescams.edc.crfs.models import AdverseEvent, Infusion
from mescams.edc.crfs.services import save_form
from mescams.edc.trial.services import update_screening_record, withdraw
from mescams.errors import InputValidationError
from tests.factories.edc import (
    RANDOMISATION,
    SCREENING,
    consent_body,
    eligible_record,
    infuse,
    randomised,
)

BIRTH = dt.date(1979, 3, 17)
NAME = "Marie Tremblay"
EMAIL = "m.tremblay@example.org"
HEALTH_CARD = "4123-456-789"
PLANT = f"{NAME} {EMAIL} HCN {HEALTH_CARD} born 17 March 1979 (17/03/1979)"
IDENTIFIERS = ["marie", "tremblay", EMAIL, HEALTH_CARD, HEALTH_CARD.replace("-", ""), "17 march 1979",
               "17/03/1979", BIRTH.isoformat(), SCREENING.isoformat(), RANDOMISATION.isoformat()]


def _post(user, path: str, body: dict) -> object:
    c = Client()
    c.force_login(user)
    return c.post(path, json.dumps(body), content_type="application/json")


def _text(response) -> str:
    if response["Content-Type"] != "application/zip":
        return response.content.decode("utf-8")
    with zipfile.ZipFile(io.BytesIO(response.content)) as zf:
        return "\n".join(zf.read(n).decode("latin-1") for n in zf.namelist())


@pytest.fixture()
def planted(users, allocation) -> list[str]:
    """Two randomised participants with identifiers typed into every free-text field and reason."""
    coord = users["coord"]
    pids = [randomised(coord), randomised(coord)]
    for pid in pids:
        save_form(user=coord, participant_id=pid, form="demographics",
                  values={"sex": "F", "birth_date": BIRTH, "ms_course": "RRMS", "ms_onset_date": dt.date(2005, 1, 1),
                          "race": "WHITE", "ethnicity": "NOT HISPANIC OR LATINO"},
                  confirm_checks=["demographics_vs_screening"], reason=f"chart read with {PLANT}")
        infuse(coord, pid)
        inf = Infusion.objects.get(participant__participant_id=pid)
        save_form(user=coord, participant_id=pid, form="infusion", record_pk=inf.pk,
                  values={"reactions": f"flushing {PLANT}"}, reason=f"corrected after call with {PLANT}")
        save_form(user=coord, participant_id=pid, form="adverse_event",
                  values={"term": f"headache {PLANT}", "onset_date": RANDOMISATION + dt.timedelta(3),
                          "severity_grade": 1})
        ae = AdverseEvent.objects.get(participant__participant_id=pid)
        save_form(user=coord, participant_id=pid, form="adverse_event", record_pk=ae.pk,
                  values={"term": f"migraine {PLANT}"}, reason=PLANT)
        save_form(user=coord, participant_id=pid, form="conmed",
                  values={"drug": f"ibuprofen {NAME} {HEALTH_CARD}", "indication": PLANT,
                          "start_date": RANDOMISATION + dt.timedelta(4)})
        record = eligible_record(birth_date=BIRTH.isoformat(), allergies=[PLANT],
                                 conditions=[{"code": PLANT, "start_date": "1979-03-17", "active": False}])
        record["therapies"][0]["drug"] = f"interferon_beta {NAME}"
        update_screening_record(user=coord, participant_id=pid, record=record, reason=PLANT)
    withdraw(user=coord, participant_id=pids[1], reason=f"moved away, {PLANT}", on=RANDOMISATION + dt.timedelta(30))
    return pids


@pytest.mark.parametrize("edc", ["sqlite", "postgresql"], indirect=True)
def test_no_planted_identifier_or_real_timestamp_in_any_deidentified_export(users, planted) -> None:
    entries = list(AuditEntry.objects.exclude(table="export"))
    stamps = [e.at.astimezone(dt.UTC).isoformat() for e in entries]
    stamps += [json.loads(e.new) for e in entries if e.new and re.fullmatch(r'"\d{4}-\d\d-\d\d[ T]\d[^"]*"', e.new)]
    assert len(stamps) > len(entries)  # the times inside values (created_at...) are searched for too
    texts = {}
    for kind, body in (("sdtm", {"format": "both"}), ("adam", {"format": "both"}), ("odm", {}), ("define", {}),
                       ("ctgov-results", {}), ("tlf", {})):
        response = _post(users["dsmb"], f"/api/exports/{kind}", body)
        assert response.status_code == 200, (kind, response.content[:300])
        texts[kind] = _text(response)
    c = Client()
    c.force_login(users["dsmb"])
    response = c.get("/api/export/analysis-data")
    assert response.status_code == 200
    texts["analysis-data"] = _text(response)
    assert "migraine" in texts["sdtm"].lower() and "migraine" in texts["analysis-data"].lower()  # terms still there
    found = {kind: [i for i in IDENTIFIERS if i.lower() in text.lower()] for kind, text in texts.items()}
    found |= {f"{kind} audit time": [s for s in stamps if s in text]
              for kind, text in texts.items()}
    assert {k: v for k, v in found.items() if v} == {}


@pytest.mark.parametrize("edc", ["sqlite", "postgresql"], indirect=True)
def test_a_screening_record_with_an_unknown_key_is_refused_naming_it(users, allocation) -> None:
    consented = _post(users["coord"], "/api/participants", consent_body())
    assert consented.status_code == 201, consented.content
    new = {"screening_date": SCREENING.isoformat(),
           "record": {**eligible_record(), "name": NAME, "health_card": HEALTH_CARD}}
    response = _post(users["coord"], f"/api/participants/{consented.json()['participant_id']}/screening", new)
    assert response.status_code == 422 and response.json()["field"] == "record.name", response.content
    pid = randomised(users["coord"])
    changed = {**eligible_record(), "ms": {**eligible_record()["ms"], "nickname": NAME}}
    c = Client()
    c.force_login(users["coord"])
    response = c.put(f"/api/participants/{pid}/screening", json.dumps({"record": changed, "reason": "update"}),
                     content_type="application/json")
    assert response.status_code == 422 and response.json()["field"] == "record.ms.nickname", response.content
    with pytest.raises(InputValidationError) as caught:
        update_screening_record(user=users["coord"], participant_id=pid, record={**eligible_record(), "email": EMAIL},
                                reason="update")
    assert caught.value.field == "record.email"
    assert NAME not in json.dumps([e.new for e in AuditEntry.objects.all()])  # nothing of it was stored
