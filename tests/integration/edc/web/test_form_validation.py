"""Every page form refuses bad input on the server: empty, wrong type, out of range, a date in the future, a
date before consent. The page shows the error next to the field that is wrong, and nothing is saved."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest

from mescams.edc.audit.models import AuditEntry
from mescams.edc.crfs.models import FORMS, ScreeningRecord
from mescams.edc.trial.models import Participant
from tests.factories.edc import (
    RANDOMISATION,
    SCREENING,
    consented,
    icf_version,
    randomised,
)
from tests.integration.edc.test_validation_rules import GOOD

D = dt.timedelta
FUTURE = (dt.date.today() + D(days=30)).isoformat()
BEFORE_CONSENT = (SCREENING - D(days=3)).isoformat()


def _post_data(values: dict[str, Any]) -> dict[str, Any]:
    data: dict[str, Any] = {}
    for name, value in values.items():
        if isinstance(value, bool):
            if value:
                data[name] = "on"
        elif isinstance(value, dt.date):
            data[name] = value.isoformat()
        elif isinstance(value, list):
            data[name] = value
        else:
            data[name] = "" if value is None else str(value)
    return data


def field_errors(html: str, field: str, id_prefix: str = "id") -> str:
    """The text of the error list rendered next to ``field`` (empty when there is none); ``id_prefix`` is the
    form's own one where the page holds several forms (``sign``, ``unblind``, ``withdraw``)."""
    match = re.search(rf'<ul class="errorlist" id="{re.escape(id_prefix)}_{re.escape(field)}_error"[^>]*>(.*?)</ul>',
                      html, re.S)
    return re.sub(r"<[^>]+>", " ", match.group(1)) if match else ""


CASES = [
    ("vital_signs", {"weight_kg": ""}, "weight_kg", "required"),
    ("vital_signs", {"weight_kg": "seventy"}, "weight_kg", "number"),
    ("vital_signs", {"weight_kg": "7"}, "weight_kg", "between 25 and 300"),
    ("vital_signs", {"assessment_date": FUTURE}, "assessment_date", "future"),
    ("vital_signs", {"assessment_date": BEFORE_CONSENT}, "assessment_date", "before the informed consent"),
    ("vital_signs", {"assessment_date": "2016-02-31"}, "assessment_date", "valid date"),
    ("adverse_event", {"term": ""}, "term", "required"),
    ("adverse_event", {"severity_grade": "9"}, "severity_grade", "valid choice"),
    ("adverse_event", {"onset_date": FUTURE}, "onset_date", "future"),
    ("adverse_event", {"onset_date": BEFORE_CONSENT}, "onset_date", "before the informed consent"),
    ("adverse_event", {"serious": True, "serious_criteria": []}, "serious_criteria", "at least one criterion"),
    ("edss", {"pyramidal": "9"}, "pyramidal", "between 0 and 6"),
    ("edss", {"visual": "two"}, "visual", "whole number"),
    ("edss", {"assessment_date": ""}, "assessment_date", "required"),
    ("edss", {"assessment_date": BEFORE_CONSENT}, "assessment_date", "before the informed consent"),
    ("safety_lab", {"value": "-1"}, "value", "between 0"),
    ("safety_lab", {"unit": "U/L"}, "unit", "must be 10^9/L"),
    ("mri", {"scan_date": FUTURE}, "scan_date", "future"),
    ("relapse", {"duration_hours": "long"}, "duration_hours", "whole number"),
    ("relapse", {"onset_date": BEFORE_CONSENT}, "onset_date", "before the informed consent"),
    ("conmed", {"end_date": "2014-01-01"}, "end_date", "before start_date"),
    ("conmed", {"drug": ""}, "drug", "required"),
    ("demographics", {"birth_date": FUTURE}, "birth_date", "future"),
    ("demographics", {"sex": "X"}, "sex", "valid choice"),
    ("demographics", {"race": ""}, "race", "required"),
    ("demographics", {"ethnicity": "LATINO"}, "ethnicity", "valid choice"),
]


@pytest.mark.parametrize(("form", "bad", "field", "message"), CASES,
                         ids=[f"{c[0]}-{c[2]}-{i}" for i, c in enumerate(CASES)])
def test_ecrf_form_shows_the_error_next_to_the_field_and_saves_nothing(users, allocation, client_for, form, bad,
                                                                         field, message) -> None:
    pid = randomised(users["coord"])
    who = "rater" if form == "edss" else "coord"
    before = (FORMS[form].objects.count(), AuditEntry.objects.count())
    data = _post_data({**GOOD[form], **bad})
    response = client_for(who).post(f"/site/p/{pid}/forms/{form}/new/", data)
    assert response.status_code == 200
    errors = field_errors(response.content.decode(), field)
    assert message in errors, f"{field}: {errors!r}"
    assert (FORMS[form].objects.count(), AuditEntry.objects.count()) == before


def test_the_good_values_do_save(users, allocation, client_for) -> None:
    """The cases above fail for the bad value alone: the same form with good values is saved."""
    pid = randomised(users["coord"])
    for form in ("vital_signs", "adverse_event", "safety_lab", "relapse", "conmed", "mri"):
        response = client_for("coord").post(f"/site/p/{pid}/forms/{form}/new/", _post_data(GOOD[form]))
        assert response.status_code == 302, field_errors(response.content.decode(), "weight_kg")
    response = client_for("rater").post(f"/site/p/{pid}/forms/edss/new/", _post_data(GOOD["edss"]))
    assert response.status_code == 302
    assert FORMS["edss"].objects.filter(participant__participant_id=pid).count() == 1


def test_a_change_needs_a_reason(users, allocation, client_for) -> None:
    pid = randomised(users["coord"])
    record = FORMS["vital_signs"].objects.get(participant__participant_id=pid)
    data = _post_data({"visit_code": "SCR", "assessment_date": SCREENING + D(days=1), "weight_kg": 71.0, "reason": ""})
    response = client_for("coord").post(f"/site/p/{pid}/forms/vital_signs/{record.pk}/", data)
    assert "required" in field_errors(response.content.decode(), "reason")
    record.refresh_from_db()
    assert record.weight_kg == 70.0
    response = client_for("coord").post(f"/site/p/{pid}/forms/vital_signs/{record.pk}/", {**data, "reason": "typo"})
    assert response.status_code == 302
    record.refresh_from_db()
    assert record.weight_kg == 71.0
    assert AuditEntry.objects.filter(table="crfs_vitalsigns", record_id=str(record.pk), field="weight_kg",
                                     reason="typo").exists()


def _screening_data(**changes: str) -> dict[str, str]:
    data = {"screening_date": SCREENING.isoformat(), "on": RANDOMISATION.isoformat(),
            **{f"{name}-TOTAL_FORMS": "3" for name in ("relapses", "mri", "edss", "therapies")},
            **{f"{name}-INITIAL_FORMS": "0" for name in ("relapses", "mri", "edss", "therapies")}}
    data.update(changes)
    return data


@pytest.mark.parametrize(("changes", "field", "message"), [
    ({"screening_date": ""}, "screening_date", "required"),
    ({"on": "tomorrow"}, "on", "valid date"),
    ({"screening_date": FUTURE}, "screening_date", "future"),
    ({"mri-0-date": "2015-12-01", "mri-0-gel_count": "many"}, "mri-0-gel_count", "whole number"),
    ({"edss-0-date": "2016-01-10", "edss-0-score": "11"}, "edss-0-score", "less than or equal to 10"),
    ({"birth_date": "1980-13-01"}, "birth_date", "valid date"),
])
def test_screening_form_refuses_bad_input(users, client_for, changes, field, message) -> None:
    pid = consented(users["coord"])
    response = client_for("coord").post(f"/site/p/{pid}/screening/", _screening_data(**changes))
    assert response.status_code == 200
    assert message in field_errors(response.content.decode(), field)
    assert ScreeningRecord.objects.count() == 0
    assert Participant.objects.get(participant_id=pid).status == "consented"


CONSENT_OK = {"site": "OTT", "consent_date": SCREENING.isoformat(), "consent_time": "09:15", "obtained_by": "coord"}


@pytest.mark.parametrize(("changes", "field", "message"), [
    ({"consent_date": ""}, "consent_date", "required"),
    ({"consent_date": FUTURE}, "consent_date", "future"),
    ({"consent_date": "2015-01-02"}, "consent_date", "before ICF"),
    ({"consent_time": ""}, "consent_time", "required"),
    ({"consent_time": "25:00"}, "consent_time", "valid time"),
    ({"form_version": ""}, "form_version", "required"),
    ({"form_version": "v0"}, "form_version", "valid choice"),
    ({"obtained_by": "rater"}, "obtained_by", "valid choice"),
])
def test_consent_form_refuses_bad_input(users, client_for, changes, field, message) -> None:
    data = {**CONSENT_OK, "form_version": icf_version(), **changes}
    response = client_for("coord").post("/site/screen/", data)
    assert message in field_errors(response.content.decode(), field)
    assert Participant.objects.count() == 0


def test_the_screening_page_needs_a_consent_first(users, client_for) -> None:
    response = client_for("coord").post("/site/screen/", {**CONSENT_OK, "form_version": icf_version()})
    pid = Participant.objects.get().participant_id
    assert response.status_code == 302 and response["Location"] == f"/site/p/{pid}/screening/"
    page = client_for("coord").get(response["Location"]).content.decode()
    consent_at, criteria_at = page.index('id="consent"'), page.index('id="screening-form"')
    assert consent_at < criteria_at and icf_version() in page and "09:15" in page


def test_randomisation_date_in_the_future_is_refused_next_to_the_field(users, allocation, client_for) -> None:
    from tests.factories.edc import eligible

    pid = eligible(users["coord"])
    response = client_for("coord").post(f"/site/p/{pid}/randomise/", {"on": FUTURE})
    assert "future" in field_errors(response.content.decode(), "on")
    assert Participant.objects.get(participant_id=pid).status == "eligible"


@pytest.mark.parametrize(("values", "field", "message"), [
    ({"gel_count": "", "new_enlarging_t2_count": "1", "cua_count": "1"}, "gel_count", "required"),
    ({"gel_count": "x", "new_enlarging_t2_count": "1", "cua_count": "1"}, "gel_count", "whole number"),
    ({"gel_count": "1", "new_enlarging_t2_count": "1", "cua_count": "5"}, "cua_count", "between max(GEL, new T2)"),
    ({"gel_count": "-1", "new_enlarging_t2_count": "1", "cua_count": "1"}, "gel_count", "between 0 and 1000"),
    ({"gel_count": "1", "new_enlarging_t2_count": "1", "cua_count": "1", "gel_volume_mm3": ""}, "gel_volume_mm3",
     "required"),
])
def test_mri_read_refuses_bad_input(users, allocation, client_for, values, field, message) -> None:
    from mescams.edc.crfs.services import save_form

    pid = randomised(users["coord"])
    scan = save_form(user=users["coord"], participant_id=pid, form="mri", values=GOOD["mri"])
    volumes = {"gel_volume_mm3": "40", "black_hole_volume_mm3": "300"}
    response = client_for("mri").post(f"/mri/{scan.scan_id}/", {**volumes, **values})
    assert message in field_errors(response.content.decode(), field)
    scan.refresh_from_db()
    assert scan.read_at is None


def test_lab_release_refuses_a_dose_outside_the_protocol(users, allocation, client_for) -> None:
    from mescams.edc.randomisation.models import AllocationSlot
    from tests.factories.edc import infuse

    pid = randomised(users["coord"])
    infuse(users["coord"], pid, "W0")
    msc_first = AllocationSlot.objects.get(participant__participant_id=pid).sequence.startswith("MSC")
    cells = "1e9" if msc_first else "5"  # MSC: 14e6 cells/kg is above the range; placebo: must be 0 cells
    response = client_for("lab").post(f"/lab/{pid}/W0/", {"cells_infused": cells, "viability_percent": "90"})
    assert "cells" in field_errors(response.content.decode(), "cells_infused")
    good_cells = str(70 * 1.5e6) if msc_first else "0"
    response = client_for("lab").post(f"/lab/{pid}/W0/", {"cells_infused": good_cells, "viability_percent": "140"})
    assert "between 0 and 100" in field_errors(response.content.decode(), "viability_percent")
    assert FORMS["infusion"].objects.get(participant__participant_id=pid).cells_infused is None
