"""One record per single form, as the protocol declares: a second entry is refused naming the first (service,
API 409 with its URL), logs take as many entries as happen, and the database constraints match the declaration."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client

from mescams.edc.audit.models import AuditEntry
from mescams.edc.crfs.instances import declaration_problems, existing_instance
from mescams.edc.crfs.models import FORMS, SafetyLab, VitalSigns
from mescams.edc.crfs.services import save_form
from mescams.errors import DuplicateRecord, InputValidationError
from tests.factories.edc import RANDOMISATION, SCREENING, randomised
from tests.integration.edc.test_validation_rules import GOOD

D = dt.timedelta
W0_VITALS = {"visit_code": "W0", "assessment_date": RANDOMISATION, "weight_kg": 71.0}


def _client(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


def test_models_match_the_protocol_declaration(edc) -> None:
    assert declaration_problems(FORMS) == []


def test_second_single_form_at_a_visit_is_refused_naming_the_first(users, allocation) -> None:
    coord = users["coord"]
    pid = randomised(coord)
    first = save_form(user=coord, participant_id=pid, form="vital_signs", values=W0_VITALS)
    entries = AuditEntry.objects.count()
    with pytest.raises(DuplicateRecord) as refused:
        save_form(user=coord, participant_id=pid, form="vital_signs", values={**W0_VITALS, "weight_kg": 90.0})
    assert (refused.value.form, refused.value.record_id, refused.value.key) == ("vital_signs", first.pk,
                                                                                {"visit_code": "W0"})
    assert str(refused.value) == (f"vital_signs is already recorded for {pid} at visit_code W0; change that "
                                  "record instead of entering a second one")
    assert list(VitalSigns.objects.filter(participant__participant_id=pid, visit_code="W0")
                .values_list("weight_kg", flat=True)) == [71.0]
    assert AuditEntry.objects.count() == entries  # nothing half-written, nothing audited
    # the same form at another visit is a new instance
    save_form(user=coord, participant_id=pid, form="vital_signs",
              values={**W0_VITALS, "visit_code": "W24", "assessment_date": RANDOMISATION + D(weeks=24)})


def test_moving_a_record_onto_an_occupied_visit_is_refused(users, allocation) -> None:
    coord = users["coord"]
    pid = randomised(coord)  # holds vital signs at SCR
    w4 = save_form(user=coord, participant_id=pid, form="vital_signs", values=GOOD["vital_signs"])
    with pytest.raises(DuplicateRecord) as refused:
        save_form(user=coord, participant_id=pid, form="vital_signs", record_pk=w4.pk,
                  values={"visit_code": "SCR", "assessment_date": SCREENING}, reason="wrong visit")
    assert refused.value.key == {"visit_code": "SCR"}
    w4.refresh_from_db()
    assert w4.visit_code == "W4"


def test_safety_labs_are_single_per_test_and_visit(users, allocation) -> None:
    coord = users["coord"]
    pid = randomised(coord)
    save_form(user=coord, participant_id=pid, form="safety_lab", values=GOOD["safety_lab"])
    save_form(user=coord, participant_id=pid, form="safety_lab",
              values={**GOOD["safety_lab"], "test": "alt", "value": 30.0, "unit": "U/L"})
    with pytest.raises(DuplicateRecord) as refused:
        save_form(user=coord, participant_id=pid, form="safety_lab", values={**GOOD["safety_lab"], "value": 7.0})
    assert refused.value.key == {"visit_code": "W4", "test": "wbc"}
    assert SafetyLab.objects.filter(participant__participant_id=pid).count() == 2


def test_demographics_once_per_participant_logs_without_limit(users, allocation) -> None:
    coord = users["coord"]
    pid = randomised(coord)
    save_form(user=coord, participant_id=pid, form="demographics", values=GOOD["demographics"])
    with pytest.raises(DuplicateRecord):
        save_form(user=coord, participant_id=pid, form="demographics", values={**GOOD["demographics"], "sex": "M"})
    for form in ("adverse_event", "conmed", "relapse"):
        for _ in range(2):
            record = save_form(user=coord, participant_id=pid, form=form, values=GOOD[form])
            assert existing_instance(record) is None
        assert FORMS[form].objects.filter(participant__participant_id=pid).count() == 2


def test_second_consent_to_the_same_icf_version_is_refused(users, allocation) -> None:
    from mescams.edc.crfs.models import Consent
    from mescams.edc.trial.consent import record_reconsent
    from tests.factories.edc import icf_version

    pid = randomised(users["coord"])  # consented to the current version
    version = icf_version()
    with pytest.raises(InputValidationError, match="form_version"):
        record_reconsent(user=users["coord"], participant_id=pid, consent_date=SCREENING + D(days=2),
                         consent_time=dt.time(10, 0), form_version=version, reason="signed again")
    first = Consent.objects.get(participant__participant_id=pid)
    with pytest.raises(DuplicateRecord, match=f"form_version {version}"):  # the model guard, whatever the caller
        Consent(participant=first.participant, consent_date=SCREENING + D(days=2), form_version=version).save()
    assert Consent.objects.filter(participant__participant_id=pid).count() == 1


def test_api_answers_409_with_the_existing_records_url(users, allocation) -> None:
    coord = users["coord"]
    pid = randomised(coord)
    c = _client(coord)
    url = f"/api/participants/{pid}/forms/vital_signs"
    body = {"visit_code": "W4", "assessment_date": "2016-02-29", "weight_kg": 71.0}
    first = c.post(url, body, content_type="application/json")
    assert first.status_code == 201
    second = c.post(url, {**body, "weight_kg": 90.0}, content_type="application/json")
    assert second.status_code == 409
    answer = second.json()
    record_id = first.json()["id"]
    assert answer["error"] == "duplicate" and "already recorded" in answer["detail"]
    assert answer["existing"] == {"form": "vital_signs", "participant_id": pid, "record_id": record_id,
                                  "key": {"visit_code": "W4"}, "url": f"{url}/{record_id}"}
    shown = c.get(answer["existing"]["url"])
    assert shown.status_code == 200 and shown.json()["weight_kg"] == 71.0
    assert VitalSigns.objects.filter(participant__participant_id=pid, visit_code="W4").count() == 1
    changed = c.put(answer["existing"]["url"], {"reason": "weighed again", "values": {"weight_kg": 72.0}},
                    content_type="application/json")
    assert changed.status_code == 200 and changed.json()["weight_kg"] == 72.0


def test_one_record_route_keeps_site_isolation(users, allocation) -> None:
    pid = randomised(users["coord"])
    record = VitalSigns.objects.get(participant__participant_id=pid)
    url = f"/api/participants/{pid}/forms/vital_signs/{record.pk}"
    assert _client(users["coord_wpg"]).get(url).status_code == 404
    assert _client(users["coord"]).get(f"/api/participants/{pid}/forms/vital_signs/999999").status_code == 404
    assert _client(users["lab"]).get(url).status_code == 403
