"""Edit checks and visit windows on the pages: every failure shown at once next to its field, soft checks
confirmed with a reason, an out-of-window EDSS saved as present and deviating, an impossible date refused."""

from __future__ import annotations

import datetime as dt

from mescams.edc.crfs.models import Demographics, EdssAssessment, VitalSigns
from mescams.edc.queries.models import Query
from mescams.edc.trial.models import ProtocolDeviation
from tests.factories.edc import RANDOMISATION, randomised
from tests.integration.edc.test_validation_rules import GOOD
from tests.integration.edc.web.test_form_validation import _post_data, field_errors

D = dt.timedelta
W48 = RANDOMISATION + D(weeks=48)


def test_an_out_of_window_edss_is_saved_deviating_and_the_data_manager_sees_it_present(
        users, allocation, client_for) -> None:
    pid = randomised(users["coord"])
    data = _post_data({**GOOD["edss"], "visit_code": "W48", "assessment_date": W48 + D(days=10)})
    response = client_for("rater").post(f"/site/p/{pid}/forms/edss/new/", data, follow=True)
    assert "outside the visit window" in response.content.decode()
    record = EdssAssessment.objects.get(participant__participant_id=pid, visit_code="W48")
    assert record.out_of_window is True
    assert ProtocolDeviation.objects.filter(record_id=str(record.pk), kind="out_of_window").count() == 1
    assert Query.objects.get(record_id=str(record.pk)).edit_check == "out_of_window"
    missing = client_for("dm").get("/dm/missing/").content.decode()
    assert "out of window (+3 days): protocol deviation" in missing
    status = client_for("dm").get("/dm/status/").content.decode()
    assert "(out of window)" in status


def test_a_w48_edss_dated_eleven_months_early_is_refused_next_to_the_date(users, allocation, client_for) -> None:
    pid = randomised(users["coord"])
    data = _post_data({**GOOD["edss"], "visit_code": "W48", "assessment_date": W48 - D(days=335)})
    response = client_for("rater").post(f"/site/p/{pid}/forms/edss/new/", data)
    assert response.status_code == 200
    assert "cannot belong to W48" in field_errors(response.content.decode(), "assessment_date")
    assert not EdssAssessment.objects.filter(participant__participant_id=pid, visit_code="W48").exists()


def test_every_failure_is_shown_at_once_and_soft_ones_are_confirmed_with_a_reason(
        users, allocation, client_for) -> None:
    pid = randomised(users["coord"])
    url = f"/site/p/{pid}/forms/vital_signs/new/"
    data = _post_data({**GOOD["vital_signs"], "weight_kg": 400.0, "temperature_c": 39.2, "heart_rate_bpm": 130})
    html = client_for("coord").post(url, data).content.decode()
    assert "between 25 and 300" in field_errors(html, "weight_kg")
    assert "plausible" in field_errors(html, "temperature_c")
    assert "plausible" in field_errors(html, "heart_rate_bpm")
    assert 'name="confirm_checks" value="vital_signs_plausible"' in html
    data["weight_kg"] = "70"
    html = client_for("coord").post(url, {**data, "confirm_checks": "vital_signs_plausible"}).content.decode()
    assert "needs a reason" in html  # no reason given: still refused
    response = client_for("coord").post(url, {**data, "confirm_checks": "vital_signs_plausible",
                                              "confirm_reason": "febrile; measured twice"})
    assert response.status_code == 302
    assert VitalSigns.objects.get(participant__participant_id=pid, visit_code="W4").temperature_c == 39.2
    assert set(Query.objects.filter(edit_check="vital_signs_plausible").values_list("answered_by", flat=True)) == {
        "coord"}


def test_demographics_page_is_prefilled_from_screening_and_a_difference_needs_confirming(
        users, allocation, client_for) -> None:
    pid = randomised(users["coord"])  # screened F, RRMS
    html = client_for("coord").get(f"/site/p/{pid}/forms/demographics/new/").content.decode()
    assert '<option value="F" selected>' in html and '<option value="RRMS" selected>' in html
    data = _post_data({**GOOD["demographics"], "sex": "M"})
    html = client_for("coord").post(f"/site/p/{pid}/forms/demographics/new/", data).content.decode()
    assert "differs from the screening record" in field_errors(html, "sex")
    assert not Demographics.objects.filter(participant__participant_id=pid).exists()
