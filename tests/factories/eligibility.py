"""A screening record that meets every MESCAMS criterion on ON, and helpers to change one thing at a time."""

from __future__ import annotations

import copy
import datetime as dt
from typing import Any

from mescams.core.eligibility import Assessment, Status, assess, build_criteria, parse_record
from mescams.protocols import default_protocol

ON = dt.date(2016, 3, 1)
CRITERIA = build_criteria(default_protocol())

BASE: dict[str, Any] = {
    "id": "P001",
    "site": "OTT",
    "sex": "F",
    "birth_date": "1980-05-01",
    "consent_date": "2016-02-01",
    "able_to_consent": True,
    "ms": {"course": "RRMS", "onset_date": "2005-01-01", "diagnosis_date": "2006-01-01",
           "csf_oligoclonal_bands": True},
    "relapses": [{"onset_date": "2015-11-02", "clinically_documented": True}],
    "mri": [{"date": "2015-12-01", "gel_count": 0}],
    "edss": [{"date": "2016-02-15", "score": 4.0}, {"date": "2015-06-01", "score": 3.0}],
    "therapies": [{"drug": "interferon_beta", "start_date": "2013-01-01", "end_date": "2015-12-01"}],
    "conditions": [],
    "allergies": ["penicillin"],
    "labs": [
        {"date": "2016-02-01", "test": "egfr", "value": 90, "unit": "mL/min/1.73m2"},
        {"date": "2016-02-01", "test": "wbc", "value": 6.1, "unit": "10^9/L", "clinically_significant": False},
    ],
    "pregnant": False,
    "childbearing_potential": True,
    "willing_to_use_contraception": True,
    "can_undergo_mri": True,
    "in_other_trial": False,
    "able_to_adhere": True,
}


def record(**changes: Any) -> dict[str, Any]:
    """BASE with top-level fields replaced (``ms=`` merges into the MS block); ``None`` removes a field."""
    data = copy.deepcopy(BASE)
    for key, value in changes.items():
        if key == "ms" and isinstance(value, dict):
            data["ms"].update(value)
        elif value is None:
            data.pop(key, None)
        else:
            data[key] = value
    return data


def run(data: dict[str, Any], on: dt.date = ON) -> Assessment:
    return assess(parse_record(data), on, CRITERIA)


def status(data: dict[str, Any], criterion: str, on: dt.date = ON) -> Status:
    return run(data, on).verdict(criterion).status


MET, NOT_MET, UNKNOWN = Status.MET, Status.NOT_MET, Status.UNKNOWN
