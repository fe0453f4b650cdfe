"""Reference Safety Information: validation of the declaration and expectedness from a PT (invented codes, not
MedDRA)."""

from __future__ import annotations

import copy
import datetime as dt
from typing import Any

import pytest
import yaml

from mescams.core.protocol import parse_protocol
from mescams.core.safety.reference_safety import (
    Expectedness,
    ReferenceSafetyInformation,
    assess_expectedness,
)
from mescams.errors import ProtocolError
from mescams.protocols import DEFAULT_PROTOCOL_PATH

D = dt.date

RSI = ReferenceSafetyInformation.model_validate({"product": "MSC", "versions": [
    {"version": "1.0", "document": "IB", "effective_date": "2015-01-01", "meddra_version": "26.0",
     "expected_terms": [{"pt_code": 90000001, "pt_name": "Headache"}]},
    {"version": "2.0", "document": "IB", "effective_date": "2016-06-01", "meddra_version": "27.0",
     "expected_terms": [{"pt_code": 90000001, "pt_name": "Headache"}, {"pt_code": 90000002, "pt_name": "Pyrexia"}]},
]})


@pytest.mark.parametrize(("pt", "onset", "verdict", "version"), [
    (90000001, D(2015, 3, 1), Expectedness.EXPECTED, "1.0"),
    (90000002, D(2016, 5, 31), Expectedness.UNEXPECTED, "1.0"),  # listed only from version 2.0
    (90000002, D(2016, 6, 1), Expectedness.EXPECTED, "2.0"),  # the day 2.0 takes effect
    (90000099, D(2017, 1, 1), Expectedness.UNEXPECTED, "2.0"),
    (None, D(2017, 1, 1), Expectedness.NOT_ASSESSABLE, None),  # not coded yet
    (90000001, D(2014, 12, 31), Expectedness.NOT_ASSESSABLE, None),  # before any RSI
])
def test_expectedness(pt: int | None, onset: dt.date, verdict: Expectedness, version: str | None) -> None:
    result = assess_expectedness(RSI, pt_code=pt, pt_name=None, onset_date=onset)
    assert (result.expectedness, result.rsi_version) == (verdict, version)
    assert result.reason


def _protocol_with(rsi: Any) -> dict[str, Any]:
    data = yaml.safe_load(DEFAULT_PROTOCOL_PATH.read_text(encoding="utf-8"))
    data = copy.deepcopy(data)
    data["reference_safety_information"] = rsi
    return data


def _version(**changes: Any) -> dict[str, Any]:
    base = {"version": "1.0", "document": "IB", "effective_date": "2015-01-01", "meddra_version": "26.0",
            "expected_terms": [{"pt_code": 90000001, "pt_name": "Headache"}]}
    return {**base, **changes}


@pytest.mark.parametrize(("rsi", "path", "words"), [
    ({"product": "PLACEBO", "versions": [_version()]}, "(document)", "must name an active product"),
    ({"product": "MSC", "versions": []}, "reference_safety_information.versions", "at least 1"),
    ({"product": "MSC", "versions": [_version(expected_terms=[{"pt_code": 90000001, "pt_name": "A"},
                                                              {"pt_code": 90000001, "pt_name": "B"}])]},
     "reference_safety_information.versions[0]", "more than once"),
    ({"product": "MSC", "versions": [_version(expected_terms=[{"pt_code": 123, "pt_name": "A"}])]},
     "reference_safety_information.versions[0].expected_terms[0].pt_code", "greater than or equal"),
    ({"product": "MSC", "versions": [_version(meddra_version="latest")]},
     "reference_safety_information.versions[0].meddra_version", "pattern"),
    ({"product": "MSC", "versions": [_version(), _version(version="0.9", effective_date="2014-01-01")]},
     "reference_safety_information", "strictly increasing"),
    ({"product": "MSC", "versions": [_version(), _version(effective_date="2016-01-01")]},
     "reference_safety_information", "unique"),
])
def test_a_bad_declaration_is_refused_naming_its_path(rsi: Any, path: str, words: str) -> None:
    with pytest.raises(ProtocolError) as caught:
        parse_protocol(_protocol_with(rsi))
    assert any(p.startswith(path) and words in p for p in caught.value.problems), caught.value.problems


def test_the_shipped_protocol_declares_an_rsi_for_the_active_product() -> None:
    protocol = parse_protocol(_protocol_with(
        yaml.safe_load(DEFAULT_PROTOCOL_PATH.read_text(encoding="utf-8"))["reference_safety_information"]))
    rsi = protocol.reference_safety_information
    assert rsi is not None and rsi.product in protocol.active_products == ["MSC"]
