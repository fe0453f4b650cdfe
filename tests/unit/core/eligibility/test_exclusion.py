"""Worked cases for E1-E18 at their boundaries, on ON = 2016-03-01 (for an exclusion, met = excluded).

Day arithmetic: 3 months before ON is 2015-12-01, 30 days 2016-01-31, 60 days 2016-01-01 (all outside).
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.factories.eligibility import MET, NOT_MET, UNKNOWN, record, run, status


def therapy(drug: str, start: str, end: str | None = None, elimination: str | None = None) -> dict[str, Any]:
    return {"drug": drug, "start_date": start, "end_date": end, "accelerated_elimination": elimination}


BASE_THERAPY = therapy("interferon_beta", "2013-01-01", "2015-12-01")


# -- E1-E3 follow I1 for their own course ----------------------------------------------------------------------
def test_e1_rrms_not_fulfilling_i1() -> None:
    failing = record(relapses=[], mri=[])
    assert [run(failing).verdict(c).status for c in ("I1", "E1", "E2", "E3")] == [NOT_MET, MET, NOT_MET, NOT_MET]
    assert [run(record()).verdict(c).status for c in ("E1", "E2", "E3")] == [NOT_MET, NOT_MET, NOT_MET]
    undetermined = record(relapses=None, mri=None)
    assert [run(undetermined).verdict(c).status for c in ("E1", "E2", "E3")] == [UNKNOWN, NOT_MET, NOT_MET]


def test_e2_e3_for_progressive_courses_and_cis() -> None:
    no_rise = [{"date": "2016-02-15", "score": 4.0}, {"date": "2015-06-01", "score": 3.5}]
    assert [run(record(ms={"course": "SPMS"}, edss=no_rise)).verdict(c).status for c in ("E1", "E2", "E3")] == \
        [NOT_MET, MET, NOT_MET]  # 3.5 -> 4.0 is not the 1.0 increase SPMS needs
    assert run(record(ms={"course": "SPMS"})).verdict("E2").status is NOT_MET
    assert [run(record(ms={"course": "PPMS"})).verdict(c).status for c in ("E1", "E2", "E3")] == \
        [NOT_MET, NOT_MET, MET]  # the base MRI shows no GEL
    assert [run(record(ms={"course": "CIS"})).verdict(c).status for c in ("E1", "E2", "E3")] == \
        [NOT_MET, NOT_MET, NOT_MET]
    assert [run(record(ms=None)).verdict(c).status for c in ("E1", "E2", "E3")] == [UNKNOWN] * 3


# -- E4 and the condition criteria ----------------------------------------------------------------------------
@pytest.mark.parametrize(("criterion", "code"), [
    ("E4", "hiv"), ("E4", "hepatitis_b_chronic"), ("E4", "hepatitis_c"), ("E4", "infection_active"),
    ("E4", "infection_chronic"), ("E10", "malignancy"), ("E11", "limited_life_expectancy"),
    ("E12", "myelodysplasia"), ("E12", "hematologic_disease"), ("E14", "renal_failure"),
])
def test_recorded_condition_decides(criterion: str, code: str) -> None:
    assert status(record(conditions=[{"code": code}]), criterion) is MET
    assert status(record(conditions=[{"code": "asthma"}]), criterion) is NOT_MET
    if criterion not in ("E12", "E14"):  # those have other parts that are known
        assert status(record(conditions=None), criterion) is UNKNOWN


# -- therapy windows ------------------------------------------------------------------------------------------
@pytest.mark.parametrize(("drug", "end", "expected"), [
    ("natalizumab", "2015-12-02", MET), ("natalizumab", "2015-12-01", NOT_MET), ("fingolimod", None, MET),
    ("rituximab", "2016-02-01", MET), ("methylprednisolone", "2016-02-20", NOT_MET),
])
def test_e5_immunosuppressive_within_3_months(drug: str, end: str | None, expected: Any) -> None:
    assert status(record(therapies=[BASE_THERAPY, therapy(drug, "2014-01-01", end)]), "E5") is expected


def test_e5_therapy_starting_after_on_is_ignored_and_missing_list_unknown() -> None:
    assert status(record(therapies=[BASE_THERAPY, therapy("natalizumab", "2016-03-02")]), "E5") is NOT_MET
    assert status(record(therapies=[BASE_THERAPY, therapy("natalizumab", "2016-03-01")]), "E5") is MET
    assert status(record(therapies=None), "E5") is UNKNOWN


@pytest.mark.parametrize(("drug", "expected"), [("cladribine", MET), ("alemtuzumab", MET), ("natalizumab", NOT_MET)])
def test_e6_cladribine_or_alemtuzumab_ever(drug: str, expected: Any) -> None:
    assert status(record(therapies=[BASE_THERAPY, therapy(drug, "2001-01-01", "2001-02-01")]), "E6") is expected


@pytest.mark.parametrize(("drug", "end", "expected"), [
    ("interferon_beta", "2016-02-01", MET), ("interferon_beta", "2016-01-31", NOT_MET),
    ("glatiramer_acetate", None, MET), ("dimethyl_fumarate", "2016-02-15", MET),
    ("dimethyl_fumarate", "2016-01-31", NOT_MET),
])
def test_e7_dmt_within_30_days(drug: str, end: str | None, expected: Any) -> None:
    assert status(record(therapies=[therapy(drug, "2013-01-01", end)]), "E7") is expected


@pytest.mark.parametrize(("end", "elimination", "expected"), [
    ("2014-06-01", "cholestyramine", NOT_MET),
    ("2014-06-01", "activated_charcoal", NOT_MET),
    ("2014-06-01", None, MET),              # any teriflunomide use without a wash-out
    ("2016-02-15", "cholestyramine", MET),  # within 30 days, wash-out or not
    ("2016-01-31", "cholestyramine", NOT_MET),
])
def test_e7_teriflunomide_wash_out(end: str, elimination: str | None, expected: Any) -> None:
    courses = [BASE_THERAPY, therapy("teriflunomide", "2013-01-01", end, elimination)]
    assert status(record(therapies=courses), "E7") is expected


@pytest.mark.parametrize(("drug", "end", "expected"), [
    ("prednisone", "2016-02-01", MET), ("prednisone", "2016-01-31", NOT_MET), ("dexamethasone", None, MET),
    ("methylprednisolone", "2016-01-31", NOT_MET), ("hydrocortisone", "2016-03-01", MET),
])
def test_e8_corticosteroid_within_30_days(drug: str, end: str | None, expected: Any) -> None:
    assert status(record(therapies=[BASE_THERAPY, therapy(drug, "2016-01-20", end)]), "E8") is expected


@pytest.mark.parametrize(("onset", "expected"), [("2016-01-02", MET), ("2016-01-01", NOT_MET), ("2016-03-01", MET),
                                                 ("2016-03-02", NOT_MET)])
def test_e9_relapse_within_60_days(onset: str, expected: Any) -> None:
    relapses = [{"onset_date": "2015-11-02"}, {"onset_date": onset, "clinically_documented": False}]
    assert status(record(relapses=relapses), "E9") is expected


def test_e9_unknown_without_relapse_history() -> None:
    assert status(record(relapses=None), "E9") is UNKNOWN
    assert status(record(relapses=[]), "E9") is NOT_MET


# -- E10 malignancy and remission -------------------------------------------------------------------------------
@pytest.mark.parametrize(("condition", "expected"), [
    ({"code": "basal_cell_carcinoma", "remission_date": "2015-03-01"}, NOT_MET),  # one whole year on ON
    ({"code": "basal_cell_carcinoma", "remission_date": "2015-03-02"}, MET),
    ({"code": "carcinoma_in_situ", "remission_date": "2010-01-01"}, NOT_MET),
    ({"code": "carcinoma_in_situ", "remission_date": "2010-01-01", "active": True}, MET),
    ({"code": "carcinoma_in_situ", "active": True}, MET),
    ({"code": "basal_cell_carcinoma"}, UNKNOWN),
    ({"code": "malignancy", "remission_date": "2000-01-01"}, MET),
])
def test_e10_malignancy(condition: dict[str, Any], expected: Any) -> None:
    assert status(record(conditions=[condition]), "E10") is expected


# -- E12 and E14: labs --------------------------------------------------------------------------------------------
def lab(test: str, date: str, value: float, significant: bool | None = False) -> dict[str, Any]:
    return {"test": test, "date": date, "value": value, "clinically_significant": significant}


def test_e12_latest_wbc_flag() -> None:
    egfr = lab("egfr", "2016-02-01", 90)
    assert status(record(labs=[egfr, lab("wbc", "2016-02-01", 2.1, True)]), "E12") is MET
    older_bad = [egfr, lab("wbc", "2015-01-01", 2.1, True), lab("wbc", "2016-02-01", 6.0, False)]
    assert status(record(labs=older_bad), "E12") is NOT_MET
    after_on = [egfr, lab("wbc", "2016-02-01", 6.0, False), lab("wbc", "2016-03-02", 2.0, True)]
    assert status(record(labs=after_on), "E12") is NOT_MET
    assert status(record(labs=[egfr, lab("wbc", "2016-02-01", 6.0, None)]), "E12") is UNKNOWN
    assert status(record(labs=[egfr]), "E12") is UNKNOWN
    assert status(record(labs=[egfr], conditions=[{"code": "myelodysplasia"}]), "E12") is MET


@pytest.mark.parametrize(("value", "expected"), [(59.9, MET), (60, NOT_MET), (45, MET), (110, NOT_MET)])
def test_e14_latest_egfr_below_60(value: float, expected: Any) -> None:
    labs = [lab("egfr", "2015-01-01", 30), lab("egfr", "2016-02-01", value), lab("wbc", "2016-02-01", 6.0)]
    assert status(record(labs=labs), "E14") is expected


def test_e14_mri_and_unknowns() -> None:
    assert status(record(can_undergo_mri=False), "E14") is MET
    assert status(record(can_undergo_mri=None), "E14") is UNKNOWN
    assert status(record(labs=[lab("wbc", "2016-02-01", 6.0)]), "E14") is UNKNOWN
    assert status(record(labs=[lab("wbc", "2016-02-01", 6.0)], can_undergo_mri=False), "E14") is MET


# -- E13, E15-E18: flags and allergies --------------------------------------------------------------------------
@pytest.mark.parametrize(("pregnant", "childbearing", "willing", "expected"), [
    (True, False, None, MET), (False, True, False, MET), (False, True, True, NOT_MET), (False, False, None, NOT_MET),
    (False, True, None, UNKNOWN), (None, False, None, UNKNOWN), (None, True, False, MET),
])
def test_e13_pregnancy_risk(pregnant: bool | None, childbearing: bool | None, willing: bool | None,
                            expected: Any) -> None:
    rec = record(pregnant=pregnant, childbearing_potential=childbearing, willing_to_use_contraception=willing)
    assert status(rec, "E13") is expected


@pytest.mark.parametrize(("allergies", "expected"), [
    (["gentamicin"], MET), (["penicillin", "tobramycin"], MET), (["penicillin"], NOT_MET), ([], NOT_MET),
    (None, UNKNOWN),
])
def test_e15_aminoglycoside_allergy(allergies: list[str] | None, expected: Any) -> None:
    assert status(record(allergies=allergies), "E15") is expected


@pytest.mark.parametrize(("criterion", "field", "excluding"), [
    ("E16", "able_to_consent", False), ("E17", "in_other_trial", True), ("E18", "able_to_adhere", False),
])
def test_flag_exclusions(criterion: str, field: str, excluding: bool) -> None:
    assert status(record(**{field: excluding}), criterion) is MET
    assert status(record(**{field: not excluding}), criterion) is NOT_MET
    assert status(record(**{field: None}), criterion) is UNKNOWN
