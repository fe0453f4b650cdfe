"""Every eCRF validation rule, on SQLite and PostgreSQL: bad input is refused naming field and rule, nothing saved."""

from __future__ import annotations

import datetime as dt

import pytest

from mescams.edc.audit.models import AuditEntry
from mescams.edc.crfs.models import FORMS
from mescams.edc.crfs.services import read_scan, record_lab_product, save_form
from mescams.edc.trial import services
from mescams.edc.trial.consent import record_consent
from mescams.errors import DosingError, DuplicateRecord, InputValidationError
from tests.factories.edc import RANDOMISATION, SCREENING, consented, icf_version, infuse, randomised

D = dt.timedelta
FUTURE = dt.date.today() + D(days=30)

GOOD = {
    "demographics": {"sex": "F", "birth_date": dt.date(1981, 1, 1), "race": "WHITE",
                     "ethnicity": "NOT HISPANIC OR LATINO", "ms_course": "RRMS", "ms_onset_date": dt.date(2005, 1, 1)},
    "vital_signs": {"visit_code": "W4", "assessment_date": RANDOMISATION + D(weeks=4), "weight_kg": 70.0,
                    "height_cm": 170.0, "systolic_mmhg": 120, "diastolic_mmhg": 80, "heart_rate_bpm": 70,
                    "temperature_c": 36.8},
    "adverse_event": {"term": "Headache", "onset_date": RANDOMISATION + D(days=3), "severity_grade": 1,
                      "severity": "mild", "serious": False, "serious_criteria": [], "action": "none",
                      "outcome": "recovered"},
    "mri": {"visit_code": "W4", "scan_date": RANDOMISATION + D(weeks=4)},
    "relapse": {"onset_date": RANDOMISATION + D(days=40), "duration_hours": 72, "fever_or_infection": False,
                "confirmed": True},
    "edss": {"visit_code": "W4", "assessment_date": RANDOMISATION + D(weeks=4), "visual": 0, "brainstem": 1,
             "pyramidal": 2, "cerebellar": 1, "sensory": 1, "bowel_bladder": 0, "cerebral": 0, "ambulation": 0},
    "safety_lab": {"visit_code": "W4", "sample_date": RANDOMISATION + D(weeks=4), "test": "wbc", "value": 6.0,
                   "unit": "10^9/L"},
    "conmed": {"drug": "vitamin D", "start_date": dt.date(2015, 1, 1)},
}

BAD = [
    ("demographics", {"sex": "X"}, "sex"),
    ("demographics", {"birth_date": FUTURE}, "birth_date"),
    ("demographics", {"ms_course": "RIS"}, "ms_course"),
    ("demographics", {"race": ""}, "race"),
    ("demographics", {"race": "CAUCASIAN"}, "race"),
    ("demographics", {"ethnicity": ""}, "ethnicity"),
    ("demographics", {"ethnicity": "LATINO"}, "ethnicity"),
    ("demographics", {"ms_onset_date": FUTURE}, "ms_onset_date"),
    ("demographics", {"ms_onset_date": dt.date(1970, 1, 1)}, "ms_onset_date"),
    ("vital_signs", {"visit_code": "W5"}, "visit_code"),
    ("vital_signs", {"assessment_date": FUTURE}, "assessment_date"),
    ("vital_signs", {"weight_kg": 7.0}, "weight_kg"),
    ("vital_signs", {"weight_kg": None}, "weight_kg"),
    ("vital_signs", {"height_cm": 300.0}, "height_cm"),
    ("vital_signs", {"systolic_mmhg": 20}, "systolic_mmhg"),
    ("vital_signs", {"diastolic_mmhg": 200}, "diastolic_mmhg"),
    ("vital_signs", {"systolic_mmhg": 90, "diastolic_mmhg": 95}, "diastolic_mmhg"),
    ("vital_signs", {"heart_rate_bpm": 300}, "heart_rate_bpm"),
    ("vital_signs", {"temperature_c": 45.0}, "temperature_c"),
    ("adverse_event", {"term": " "}, "term"),
    ("adverse_event", {"onset_date": FUTURE}, "onset_date"),
    ("adverse_event", {"end_date": FUTURE}, "end_date"),
    ("adverse_event", {"severity_grade": 6}, "severity_grade"),
    ("adverse_event", {"serious": True, "serious_criteria": []}, "serious_criteria"),
    ("adverse_event", {"serious": False, "serious_criteria": ["hospitalisation"]}, "serious"),
    ("adverse_event", {"serious": True, "serious_criteria": ["bad_luck"]}, "serious_criteria"),
    ("adverse_event", {"action": "shrug"}, "action"),
    ("adverse_event", {"outcome": "fine"}, "outcome"),
    ("adverse_event", {"severity_grade": 5, "serious": True, "serious_criteria": ["death"]}, "outcome"),
    ("adverse_event", {"severity_grade": 5, "serious": True, "serious_criteria": ["hospitalisation"],
                       "outcome": "fatal"}, "serious_criteria"),
    ("mri", {"scan_date": FUTURE}, "scan_date"),
    ("mri", {"visit_code": "W3"}, "visit_code"),
    ("relapse", {"onset_date": FUTURE}, "onset_date"),
    ("relapse", {"duration_hours": 12}, "confirmed"),
    ("relapse", {"fever_or_infection": True}, "confirmed"),
    ("edss", {"pyramidal": 7}, "pyramidal"),
    ("edss", {"visual": 7}, "visual"),
    ("edss", {"cerebral": 6}, "cerebral"),
    ("edss", {"ambulation": 17}, "ambulation"),
    ("edss", {"recorded_edss": 3.25}, "recorded_edss"),
    ("edss", {"assessment_date": FUTURE}, "assessment_date"),
    ("safety_lab", {"test": "sodium"}, "test"),
    ("safety_lab", {"unit": "g/L"}, "unit"),
    ("safety_lab", {"value": -1.0}, "value"),
    ("safety_lab", {"sample_date": FUTURE}, "sample_date"),
    ("conmed", {"drug": ""}, "drug"),
    ("conmed", {"start_date": FUTURE}, "start_date"),
    ("conmed", {"end_date": dt.date(2014, 1, 1)}, "end_date"),
    ("conmed", {"colour": "blue"}, "colour"),
    ("conmed", {"drug": "aspirin\x00"}, "drug"),
    ("conmed", {"drug": "x" * 121}, "drug"),
    ("conmed", {"indication": "two\nlines"}, "indication"),
    ("relapse", {"duration_hours": 2**40}, "duration_hours"),
    ("relapse", {"duration_hours": "long"}, "duration_hours"),
    ("vital_signs", {"weight_kg": float("nan")}, "weight_kg"),
    ("vital_signs", {"weight_kg": "heavy"}, "weight_kg"),
    ("vital_signs", {"assessment_date": "2016-02-30"}, "assessment_date"),
    ("adverse_event", {"serious_criteria": ["death\x01"], "serious": True}, "serious_criteria"),
    ("adverse_event", {"related": "maybe"}, "related"),  # derived from causality: never entered
    ("adverse_event", {"causality": 3}, "causality"),
]


def _user(users, form):
    return users["rater"] if form == "edss" else users["coord"]


@pytest.mark.parametrize("form", sorted(GOOD))
def test_good_values_save(users, allocation, form) -> None:
    pid = randomised(users["coord"])
    record = save_form(user=_user(users, form), participant_id=pid, form=form, values=GOOD[form])
    assert FORMS[form].objects.filter(pk=record.pk).exists()


@pytest.mark.parametrize("form", sorted(GOOD))
def test_bad_values_are_refused_naming_field_and_rule(users, allocation, form) -> None:
    """Each bad value of the form (BAD) is refused with its field named, and nothing is written."""
    pid = randomised(users["coord"])
    cases = [(bad, field) for f, bad, field in BAD if f == form]
    assert cases, f"no bad-value cases for {form}"
    before = (FORMS[form].objects.count(), AuditEntry.objects.count())
    for bad, field in cases:
        with pytest.raises(InputValidationError) as caught:
            save_form(user=_user(users, form), participant_id=pid, form=form, values={**GOOD[form], **bad})
        assert (caught.value.field, bool(caught.value.rule)) == (field, True), f"{form} {bad}"
    assert (FORMS[form].objects.count(), AuditEntry.objects.count()) == before


def test_infusion_rules(users, allocation) -> None:
    coord = users["coord"]
    pid = randomised(coord)
    base = {"visit_code": "W0", "infusion_date": RANDOMISATION, "product_code": "WRONG123", "volume_ml": 50.0,
            "start_time": dt.time(9, 0), "stop_time": dt.time(9, 30)}
    for bad, field in [({}, "product_code"), ({"visit_code": "W4"}, "visit_code"), ({"volume_ml": 0.0}, "volume_ml"),
                       ({"stop_time": dt.time(8, 0)}, "stop_time"), ({"infusion_date": FUTURE}, "infusion_date")]:
        with pytest.raises(InputValidationError) as caught:
            save_form(user=coord, participant_id=pid, form="infusion", values={**base, **bad})
        assert caught.value.field == field
    record = infuse(coord, pid)
    assert record.weight_kg == 70.0  # the weight at randomisation
    with pytest.raises(DuplicateRecord, match="already recorded") as second:
        infuse(coord, pid)
    assert second.value.record_id == record.pk  # one infusion per visit: the answer names the first


def test_both_infusions_are_dosed_on_the_weight_at_randomisation(users, allocation) -> None:
    """The record: "1 to 2 x 10^6 MSC/Kg participant's body weight at randomization". A participant who gains
    20 kg before week 24 is still dosed, and checked, on the 70 kg of randomisation."""
    from mescams.edc.randomisation.models import AllocationSlot
    from mescams.protocols import default_protocol

    coord, lab = users["coord"], users["lab"]
    for _ in range(8):  # a participant who gets MSC at week 24 (PLACEBO-MSC), so the dose check runs
        pid = randomised(coord)
        sequence = AllocationSlot.objects.get(participant__participant_id=pid).sequence
        if default_protocol().treatment_in_period(sequence, 2) == "MSC":
            break
    else:
        pytest.fail("no PLACEBO-MSC participant among 8 randomised")
    infuse(coord, pid, "W0")
    save_form(user=coord, participant_id=pid, form="vital_signs",
              values={"visit_code": "W24", "assessment_date": RANDOMISATION + D(weeks=24), "weight_kg": 90.0})
    record = infuse(coord, pid, "W24")
    assert record.weight_kg == 70.0
    rec = record_lab_product(user=lab, participant_id=pid, visit_code="W24", cells_infused=70 * 1.8e6,
                             viability_percent=90)
    assert rec.cells_per_kg == pytest.approx(1.8e6)  # 1.4e6/kg of 90 kg
    with pytest.raises(DosingError, match="cells/kg"):  # 1.7e6/kg of 90 kg is 2.2e6/kg of the 70 kg: too many
        record_lab_product(user=lab, participant_id=pid, visit_code="W24", cells_infused=90 * 1.7e6,
                           viability_percent=90, reason="recounted")


def test_lab_dose_rules_and_cells_per_kg(users, allocation) -> None:
    from mescams.edc.randomisation.models import AllocationSlot
    from mescams.protocols import default_protocol

    coord, lab = users["coord"], users["lab"]
    pid = randomised(coord)
    infuse(coord, pid)
    sequence = AllocationSlot.objects.get(participant__participant_id=pid).sequence
    treatment = default_protocol().treatment_in_period(sequence, 1)
    if treatment == "MSC":
        with pytest.raises(DosingError, match="cells/kg"):
            record_lab_product(user=lab, participant_id=pid, visit_code="W0", cells_infused=70 * 3e6,
                               viability_percent=90)
        rec = record_lab_product(user=lab, participant_id=pid, visit_code="W0", cells_infused=70 * 1.5e6,
                                 viability_percent=90)
        assert rec.cells_per_kg == pytest.approx(1.5e6)
    else:
        with pytest.raises(DosingError, match="placebo"):
            record_lab_product(user=lab, participant_id=pid, visit_code="W0", cells_infused=1e8, viability_percent=90)
        assert record_lab_product(user=lab, participant_id=pid, visit_code="W0", cells_infused=0,
                                  viability_percent=90).cells_per_kg == 0


def test_mri_read_rules(users, allocation) -> None:
    pid = randomised(users["coord"])
    scan = save_form(user=users["coord"], participant_id=pid, form="mri", values=GOOD["mri"])
    volumes = {"gel_volume_mm3": 60.0, "black_hole_volume_mm3": 900.0}
    bad_reads = [({"gel_count": -1, "new_enlarging_t2_count": 0, "cua_count": 0, **volumes}, "gel_count"),
                 ({"gel_count": 2, "new_enlarging_t2_count": 1, "cua_count": 1, **volumes}, "cua_count"),
                 ({"gel_count": 2, "new_enlarging_t2_count": 1, "cua_count": 4, **volumes}, "cua_count"),
                 ({"gel_count": 0, "new_enlarging_t2_count": 0, "cua_count": 0, **volumes}, "gel_volume_mm3"),
                 ({"gel_count": 1, "new_enlarging_t2_count": 0, "cua_count": 1, "gel_volume_mm3": 9.0},
                  "black_hole_volume_mm3"),
                 ({"gel_count": 1, "new_enlarging_t2_count": 0, "cua_count": 1, **volumes, "gel_volume_mm3": -1.0},
                  "gel_volume_mm3")]
    for values, field in bad_reads:
        with pytest.raises(InputValidationError) as caught:
            read_scan(user=users["mri"], scan_id=scan.scan_id, values=values)
        assert caught.value.field == field, values
    done = read_scan(user=users["mri"], scan_id=scan.scan_id,
                     values={"gel_count": 2, "new_enlarging_t2_count": 1, "cua_count": 3, **volumes})
    assert done.read_by == "mri" and done.read_at is not None


def test_edss_step_comes_from_the_core_and_flags_inconsistency(users, allocation) -> None:
    """A recorded EDSS differing from the computed one is a soft check: saved once the rater confirms it."""
    pid = randomised(users["coord"])
    rec = save_form(user=users["rater"], participant_id=pid, form="edss",
                    values={**GOOD["edss"], "recorded_edss": 3.5}, confirm_checks=["edss_recorded_vs_computed"],
                    reason="rater's worksheet says 3.5; FS re-checked")
    assert rec.edss == 2.0 and rec.consistent is False and "pyramidal" in rec.derivation
    rec2 = save_form(user=users["rater"], participant_id=pid, form="edss",
                     values={**GOOD["edss"], "visit_code": "W12", "assessment_date": RANDOMISATION + D(weeks=12),
                             "recorded_edss": 2.0})
    assert rec2.consistent is True


def test_consent_and_screening_rules(users, allocation) -> None:
    coord = users["coord"]
    icf = icf_version()
    with pytest.raises(InputValidationError, match="consent_date"):
        record_consent(user=coord, site_code="OTT", consent_date=FUTURE, consent_time=dt.time(9), form_version=icf)
    with pytest.raises(InputValidationError, match="form_version"):
        record_consent(user=coord, site_code="OTT", consent_date=SCREENING, consent_time=dt.time(9), form_version=" ")
    pid = consented(coord)
    with pytest.raises(InputValidationError, match="screening_date"):
        services.screen(user=coord, participant_id=pid, screening_date=FUTURE, record={})
    with pytest.raises(InputValidationError, match="screening_date.*before the informed consent"):
        services.screen(user=coord, participant_id=pid, screening_date=SCREENING - D(days=1), record={})
