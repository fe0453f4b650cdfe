"""Date rules the services enforce for every caller (API, pages, demo loader): no study activity or event dated
before the informed consent (screening-visit forms included: consent is the first study act), no withdrawal dated
in the future."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client

from mescams.edc.crfs.models import VitalSigns
from mescams.edc.crfs.services import save_form
from mescams.edc.trial.services import withdraw
from mescams.errors import InputValidationError
from tests.factories.edc import CONSENT, eligible, randomised
from tests.integration.edc.test_validation_rules import GOOD

D = dt.timedelta
BEFORE_CONSENT = CONSENT - D(days=1)


@pytest.mark.parametrize(("form", "field"), [
    ("vital_signs", "assessment_date"), ("edss", "assessment_date"), ("safety_lab", "sample_date"),
    ("adverse_event", "onset_date"), ("relapse", "onset_date"),
])
def test_a_form_dated_before_consent_is_refused_naming_the_field(users, allocation, form, field) -> None:
    pid = randomised(users["coord"])
    user = users["rater"] if form == "edss" else users["coord"]
    values = {**GOOD[form], field: BEFORE_CONSENT}
    if "visit_code" in values:  # a date before week 0 can belong to W0 (out of its window), never to W4
        values["visit_code"] = "W0"
    with pytest.raises(InputValidationError) as caught:
        save_form(user=user, participant_id=pid, form=form, values=values)
    assert caught.value.field == field and f"before the informed consent ({CONSENT.isoformat()})" in caught.value.rule
    on_consent_day = {**values, field: CONSENT}
    if form == "adverse_event" and "end_date" in on_consent_day and on_consent_day["end_date"] is not None:
        on_consent_day["end_date"] = max(on_consent_day["end_date"], CONSENT)
    confirm = {"confirm_checks": ["relapse_onset_vs_visits"], "reason": "relapse between consent and week 0"} \
        if form == "relapse" else {}  # a relapse before week 0 is a soft check (relapse_onset_vs_visits)
    assert save_form(user=user, participant_id=pid, form=form, values=on_consent_day, **confirm).pk


def test_a_change_moving_a_form_before_consent_is_refused(users, allocation) -> None:
    pid = randomised(users["coord"])  # the factory records SCR vital signs on the consent day, after consent
    assert VitalSigns.objects.get(participant__participant_id=pid, visit_code="SCR").assessment_date == CONSENT
    record = save_form(user=users["coord"], participant_id=pid, form="vital_signs",
                       values={"visit_code": "W0", "assessment_date": CONSENT, "weight_kg": 70.0})
    with pytest.raises(InputValidationError, match="assessment_date: must not be before the informed consent"):
        save_form(user=users["coord"], participant_id=pid, form="vital_signs", record_pk=record.pk,
                  values={"assessment_date": BEFORE_CONSENT}, reason="typo")
    assert VitalSigns.objects.get(pk=record.pk).assessment_date == CONSENT  # nothing half-written


def test_the_api_enforces_the_consent_rule(users, allocation) -> None:
    pid = randomised(users["coord"])
    client = Client()
    client.force_login(users["coord"])
    r = client.post(f"/api/participants/{pid}/forms/vital_signs",
                    {"visit_code": "W0", "assessment_date": BEFORE_CONSENT.isoformat(), "weight_kg": 70.0},
                    content_type="application/json")
    assert r.status_code in {400, 422} and "assessment_date" in r.content.decode()
    assert not VitalSigns.objects.filter(participant__participant_id=pid, visit_code="W0").exists()


def test_a_withdrawal_dated_in_the_future_is_refused(users, allocation) -> None:
    pid = eligible(users["coord"])
    tomorrow = dt.datetime.now(dt.UTC).date() + D(days=1)
    with pytest.raises(InputValidationError) as caught:
        withdraw(user=users["coord"], participant_id=pid, reason="moved away", on=tomorrow)
    assert caught.value.field == "withdrawal_date" and caught.value.rule == "must not be in the future"
    client = Client()
    client.force_login(users["coord"])
    r = client.post(f"/api/participants/{pid}/withdraw", {"reason": "moved away", "on": tomorrow.isoformat()},
                    content_type="application/json")
    assert r.status_code in {400, 422} and "withdrawal_date" in r.content.decode()
    assert withdraw(user=users["coord"], participant_id=pid, reason="moved away",
                    on=dt.datetime.now(dt.UTC).date()).status == "withdrawn"
