"""Worked cases for I1-I5 at their boundaries, on ON = 2016-03-01 (expected values from the contract's text).

Useful day arithmetic: 12 months before ON is 2015-03-01 (outside), 24 months 2014-03-01 (outside), 90 days is
2015-12-02 (outside), 2016 being a leap year.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.factories.eligibility import MET, NOT_MET, ON, UNKNOWN, record, run, status

NO_ACTIVITY: dict[str, Any] = {"relapses": [], "mri": []}


def test_base_record_is_eligible() -> None:
    result = run(record())
    assert result.eligible is True, [(v.id, v.verdict) for v in result.criteria if v.status is not MET]
    assert [v.id for v in result.criteria] == [f"I{n}" for n in range(1, 6)] + [f"E{n}" for n in range(1, 19)]


# -- I1, RRMS ------------------------------------------------------------------------------------------------
@pytest.mark.parametrize(("onset", "expected"), [("2015-03-02", MET), ("2015-03-01", NOT_MET), ("2016-03-01", MET),
                                                 ("2016-03-02", NOT_MET)])
def test_rrms_one_relapse_in_12_months(onset: str, expected: Any) -> None:
    rec = record(relapses=[{"onset_date": onset, "clinically_documented": True}], mri=[])
    assert status(rec, "I1") is expected


@pytest.mark.parametrize(("first", "expected"), [("2014-03-02", MET), ("2014-03-01", NOT_MET)])
def test_rrms_two_relapses_in_24_months(first: str, expected: Any) -> None:
    relapses = [{"onset_date": first}, {"onset_date": "2014-09-01"}]
    assert status(record(relapses=relapses, mri=[]), "I1") is expected


def test_rrms_relapse_marked_not_clinically_documented_does_not_count() -> None:
    assert status(record(relapses=[{"onset_date": "2015-11-02", "clinically_documented": False}], mri=[]),
                  "I1") is NOT_MET
    assert status(record(relapses=[{"onset_date": "2015-11-02", "clinically_documented": None}], mri=[]),
                  "I1") is MET


@pytest.mark.parametrize(("scan", "gel", "expected"), [
    ("2015-03-02", 1, MET), ("2015-03-01", 1, NOT_MET), ("2015-12-01", 0, NOT_MET), ("2015-12-01", None, UNKNOWN),
])
def test_rrms_gel_in_12_months(scan: str, gel: int | None, expected: Any) -> None:
    assert status(record(relapses=[], mri=[{"date": scan, "gel_count": gel}]), "I1") is expected


@pytest.mark.parametrize(("start", "end", "expected"), [
    ("2015-01-01", "2015-12-31", MET),       # 365 days, both ends counted
    ("2015-01-02", "2015-12-31", NOT_MET),   # 364 days
    ("2015-03-03", None, MET),               # ongoing: runs to ON, 365 days
    ("2015-03-04", None, NOT_MET),           # 364 days
    ("2015-03-03", "2017-01-01", MET),       # an end after ON is cut at ON
])
def test_rrms_one_year_of_approved_therapy(start: str, end: str | None, expected: Any) -> None:
    therapies = [{"drug": "glatiramer_acetate", "start_date": start, "end_date": end}]
    assert status(record(therapies=therapies), "I1") is expected


def test_overlapping_therapies_are_not_counted_twice() -> None:
    overlapping = [{"drug": "interferon_beta", "start_date": "2015-01-01", "end_date": "2015-09-30"},
                   {"drug": "fingolimod", "start_date": "2015-04-01", "end_date": "2015-12-30"}]
    assert status(record(therapies=overlapping), "I1") is NOT_MET  # 364 distinct days
    overlapping[1]["end_date"] = "2015-12-31"
    assert status(record(therapies=overlapping), "I1") is MET


def test_unapproved_therapy_does_not_count_and_missing_therapy_list_is_unknown() -> None:
    other = [{"drug": "ocrelizumab", "start_date": "2010-01-01", "end_date": "2014-01-01"}]
    assert status(record(therapies=other), "I1") is NOT_MET
    assert status(record(therapies=None), "I1") is UNKNOWN
    assert status(record(relapses=None, mri=None), "I1") is UNKNOWN


# -- I1, SPMS and PPMS: the 5.0 / 5.5 threshold switch ----------------------------------------------------------
def _progressive(course: str, rand: float, earlier: float, earlier_date: str = "2015-06-01", **extra: Any) -> Any:
    edss = [{"date": "2016-02-15", "score": rand}, {"date": earlier_date, "score": earlier}]
    ms = {"course": course, **extra.pop("ms", {})}
    return record(ms=ms, edss=edss, **extra)


@pytest.mark.parametrize(("course", "rand", "earlier", "expected"), [
    ("SPMS", 5.0, 4.0, MET),      # EDSS <= 5.0 needs +1.0
    ("SPMS", 5.0, 4.5, NOT_MET),
    ("SPMS", 5.5, 5.0, MET),      # EDSS >= 5.5 needs +0.5
    ("SPMS", 5.5, 5.5, NOT_MET),
    ("SPMS", 6.5, 6.0, MET),
    ("SPMS", 3.0, 2.0, MET),
])
def test_edss_increase_threshold_switch(course: str, rand: float, earlier: float, expected: Any) -> None:
    assert status(_progressive(course, rand, earlier), "I1") is expected


@pytest.mark.parametrize(("earlier_date", "expected"), [("2015-03-02", MET), ("2015-03-01", UNKNOWN)])
def test_edss_increase_window(earlier_date: str, expected: Any) -> None:
    assert status(_progressive("SPMS", 4.0, 3.0, earlier_date), "I1") is expected


def test_edss_increase_uses_the_lowest_earlier_assessment() -> None:
    edss = [{"date": "2016-02-15", "score": 4.0}, {"date": "2015-06-01", "score": 3.5},
            {"date": "2015-09-01", "score": 3.0}, {"date": "2016-03-10", "score": 1.0}]
    assert status(record(ms={"course": "SPMS"}, edss=edss), "I1") is MET
    edss[2]["score"] = 3.5
    assert status(record(ms={"course": "SPMS"}, edss=edss), "I1") is NOT_MET


def test_spms_needs_relapse_or_gel_and_therapy() -> None:
    assert status(_progressive("SPMS", 4.0, 3.0, **NO_ACTIVITY), "I1") is NOT_MET
    assert status(_progressive("SPMS", 4.0, 3.0, relapses=[], mri=[{"date": "2015-06-01", "gel_count": 2}]),
                  "I1") is MET
    assert status(_progressive("SPMS", 4.0, 3.0, therapies=[]), "I1") is NOT_MET


def test_ppms_needs_gel_and_positive_csf_but_no_therapy() -> None:
    gel = [{"date": "2015-06-01", "gel_count": 1}]
    assert status(_progressive("PPMS", 4.0, 3.0, mri=gel, therapies=[]), "I1") is MET
    assert status(_progressive("PPMS", 4.0, 3.0, mri=[]), "I1") is NOT_MET
    assert status(_progressive("PPMS", 4.0, 3.0, mri=gel, ms={"csf_oligoclonal_bands": False}),
                  "I1") is NOT_MET
    assert status(_progressive("PPMS", 4.0, 3.0, mri=gel, ms={"csf_oligoclonal_bands": None}),
                  "I1") is UNKNOWN


@pytest.mark.parametrize(("course", "expected"), [("CIS", NOT_MET), ("other", NOT_MET), (None, UNKNOWN)])
def test_other_courses(course: str | None, expected: Any) -> None:
    assert status(record(ms={"course": course}), "I1") is expected


# -- I2 to I5 -------------------------------------------------------------------------------------------------
@pytest.mark.parametrize(("birth", "consent", "expected"), [
    ("1998-02-01", "2016-02-01", MET),      # 18 on the day of consent
    ("1998-02-02", "2016-02-01", NOT_MET),  # 17
    ("1965-02-02", "2016-02-01", MET),      # 50
    ("1965-02-01", "2016-02-01", NOT_MET),  # 51 on the day of consent
    ("1965-03-02", None, MET),              # no consent: age at ON, 50
    ("1965-03-01", None, NOT_MET),          # 51st birthday on ON
    ("1998-03-01", None, MET),              # 18th birthday on ON
    (None, "2016-02-01", UNKNOWN),
])
def test_i2_age_at_consent(birth: str | None, consent: str | None, expected: Any) -> None:
    assert status(record(birth_date=birth, consent_date=consent), "I2") is expected


@pytest.mark.parametrize(("onset", "expected"), [
    ("2014-03-01", MET), ("2014-03-02", NOT_MET), ("2000-03-02", MET), ("2000-03-01", NOT_MET), ("2001-03-01", MET),
])
def test_i3_disease_duration(onset: str, expected: Any) -> None:
    assert status(record(ms={"onset_date": onset}), "I3") is expected
    assert status(record(ms={"onset_date": None}), "I3") is UNKNOWN


@pytest.mark.parametrize(("score", "expected"), [(2.0, NOT_MET), (2.5, MET), (6.5, MET), (7.0, NOT_MET)])
def test_i4_edss_bounds(score: float, expected: Any) -> None:
    assert status(record(edss=[{"date": "2016-02-15", "score": score}]), "I4") is expected


def test_i4_edss_at_randomisation_is_latest_within_90_days() -> None:
    assert status(record(edss=[{"date": "2015-12-03", "score": 4.0}]), "I4") is MET
    assert status(record(edss=[{"date": "2015-12-02", "score": 4.0}]), "I4") is UNKNOWN
    latest = [{"date": "2016-01-10", "score": 4.0}, {"date": "2016-02-20", "score": 7.0},
              {"date": "2016-03-02", "score": 3.0}]
    assert status(record(edss=latest), "I4") is NOT_MET
    assert status(record(edss=[]), "I4") is UNKNOWN
    assert status(record(edss=None), "I4") is UNKNOWN


@pytest.mark.parametrize(("consent", "able", "expected"), [
    ("2016-03-01", True, MET), ("2016-03-02", True, NOT_MET), ("2016-01-01", None, MET),
    ("2016-01-01", False, NOT_MET), (None, True, NOT_MET), (None, None, NOT_MET),
])
def test_i5_consent(consent: str | None, able: bool | None, expected: Any) -> None:
    assert status(record(consent_date=consent, able_to_consent=able), "I5") is expected


def test_reason_names_dates_and_values() -> None:
    i1 = run(record()).verdict("I1").verdict.reason
    assert "RRMS" in i1 and "2015-11-02" in i1 and "1065 days" in i1
    i4 = run(record()).verdict("I4").verdict.reason
    assert "EDSS 4" in i4 and "2016-02-15" in i4
    assert str(ON) in run(record(relapses=[{"onset_date": "2016-02-01"}])).verdict("E9").verdict.reason
