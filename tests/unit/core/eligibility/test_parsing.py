"""Malformed screening records get an EligibilityInputError naming the field and the rule, never a verdict."""

from __future__ import annotations

from typing import Any

import pytest

from mescams.core.eligibility import parse_record
from mescams.errors import EligibilityInputError
from tests.factories.eligibility import record


def _field(data: Any) -> str:
    with pytest.raises(EligibilityInputError) as info:
        parse_record(data)
    assert info.value.rule
    return info.value.field


@pytest.mark.parametrize(("changes", "field"), [
    ({"edss": [{"date": "2016-02-15", "score": 4.0}, {"date": "2015-06-01", "score": 3.0},
               {"date": "2015-01-01", "score": 7.3}]}, "edss[2].score"),
    ({"edss": [{"date": "2016-02-15", "score": 7.25}]}, "edss[0].score"),
    ({"edss": [{"date": "2016-02-15", "score": 10.5}]}, "edss[0].score"),
    ({"edss": [{"date": "2016-02-15", "score": "4"}]}, "edss[0].score"),
    ({"edss": [{"date": "2016-02-15"}]}, "edss[0].score"),
    ({"edss": [{"date": "2016-02-30", "score": 4.0}]}, "edss[0].date"),
    ({"birth_date": "01/05/1980"}, "birth_date"),
    ({"birth_date": "19800501"}, "birth_date"),
    ({"consent_date": 20160201}, "consent_date"),
    ({"ms": {"course": "RPMS"}}, "ms.course"),
    ({"ms": {"onset_date": "2005-13-01"}}, "ms.onset_date"),
    ({"ms": {"csf_oligoclonal_bands": "yes"}}, "ms.csf_oligoclonal_bands"),
    ({"relapses": [{"clinically_documented": True}]}, "relapses[0].onset_date"),
    ({"relapses": {"onset_date": "2015-11-02"}}, "relapses"),
    ({"mri": [{"date": "2015-12-01", "gel_count": -1}]}, "mri[0].gel_count"),
    ({"mri": [{"date": "2015-12-01", "gel_count": 1.5}]}, "mri[0].gel_count"),
    ({"therapies": [{"drug": "natalizumab", "start_date": "2015-01-01", "end_date": "2014-01-01"}]},
     "therapies[0].end_date"),
    ({"therapies": [{"drug": "teriflunomide", "start_date": "2015-01-01", "accelerated_elimination": "dialysis"}]},
     "therapies[0].accelerated_elimination"),
    ({"therapies": [{"start_date": "2015-01-01"}]}, "therapies[0].drug"),
    ({"labs": [{"date": "2016-01-01", "test": "alt", "value": 3}]}, "labs[0].test"),
    ({"labs": [{"date": "2016-01-01", "test": "egfr", "value": 80, "unit": "mL/min"}]}, "labs[0].unit"),
    ({"labs": [{"date": "2016-01-01", "test": "egfr", "value": True}]}, "labs[0].value"),
    ({"allergies": ["gentamicin", 3]}, "allergies[1]"),
    ({"pregnant": "no"}, "pregnant"),
    ({"able_to_adhere": 1}, "able_to_adhere"),
    ({"sex": "X"}, "sex"),
    ({"id": ""}, "id"),
])
def test_bad_field_is_named(changes: dict[str, Any], field: str) -> None:
    assert _field(record(**changes)) == field


def test_missing_id_and_non_object() -> None:
    assert _field(record(id=None)) == "id"
    assert _field([1, 2]) == "(record)"


def test_absent_and_null_are_unknown_not_errors() -> None:
    rec = parse_record({"id": "X", "ms": None, "pregnant": None, "relapses": None})
    assert rec.ms is None and rec.pregnant is None and rec.relapses is None and rec.edss is None


def test_empty_list_differs_from_absent_list() -> None:
    assert parse_record({"id": "X", "conditions": []}).conditions == ()
    assert parse_record({"id": "X"}).conditions is None


def test_names_are_lower_case_and_extra_fields_ignored() -> None:
    rec = parse_record({"id": "X", "therapies": [{"drug": "Natalizumab", "start_date": "2015-01-01"}],
                        "allergies": ["Gentamicin"], "favourite_colour": "blue"})
    assert rec.therapies is not None and rec.therapies[0].drug == "natalizumab"
    assert rec.allergies == ("gentamicin",)
