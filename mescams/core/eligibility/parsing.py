"""Turn one JSON screening record (``patient.schema.json``) into a :class:`PatientRecord`, or say what is wrong.

Every problem raises :class:`EligibilityInputError` with the field's path in the contract's notation
(``edss[2].score``, ``ms.course``) and the rule it broke, so a malformed record never gets a verdict. Absent and
``null`` values stay ``None`` (unknown); extra fields are ignored, as the contract allows. Drug, condition and
allergy names are compared lower-case, so ``Natalizumab`` and ``natalizumab`` are the same drug.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Callable, Mapping
from typing import Any, TypeVar, cast

from mescams.core.eligibility.record import (
    COURSES,
    Condition,
    Course,
    EdssAssessment,
    LabResult,
    MriScan,
    MsHistory,
    PatientRecord,
    Relapse,
    Therapy,
)
from mescams.errors import EligibilityInputError

__all__ = ["LAB_UNITS", "parse_date", "parse_record"]

T = TypeVar("T")

_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
LAB_UNITS = {"egfr": "mL/min/1.73m2", "wbc": "10^9/L"}
ELIMINATION_METHODS = ("cholestyramine", "activated_charcoal")


def parse_date(value: object, field: str) -> dt.date:
    """An ISO 8601 calendar date ``YYYY-MM-DD``; anything else names ``field``."""
    if not isinstance(value, str) or not _ISO_DATE.match(value):
        raise EligibilityInputError(field, f"expected a date YYYY-MM-DD, got {value!r}")
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise EligibilityInputError(field, f"not a calendar date: {value!r}") from None


def _opt_date(data: Mapping[str, Any], key: str, path: str) -> dt.date | None:
    value = data.get(key)
    return None if value is None else parse_date(value, path + key)


def _req_date(data: Mapping[str, Any], key: str, path: str) -> dt.date:
    if data.get(key) is None:
        raise EligibilityInputError(path + key, "is required")
    return parse_date(data[key], path + key)


def _opt_bool(data: Mapping[str, Any], key: str, path: str) -> bool | None:
    value = data.get(key)
    if value is None or isinstance(value, bool):
        return value
    raise EligibilityInputError(path + key, f"expected true, false or null, got {value!r}")


def _name(value: object, field: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise EligibilityInputError(field, f"expected a non-empty lower-case name, got {value!r}")
    return value.strip().lower()


def _number(value: object, field: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise EligibilityInputError(field, f"expected a number, got {value!r}")
    return float(value)


def _items(data: Mapping[str, Any], key: str, parse: Callable[[Any, str], T]) -> tuple[T, ...] | None:
    value = data.get(key)
    if value is None:
        return None
    if not isinstance(value, list):
        raise EligibilityInputError(key, f"expected a list, got {type(value).__name__}")
    return tuple(parse(item, f"{key}[{i}]") for i, item in enumerate(value))


def _object(value: object, path: str) -> Mapping[str, Any]:
    if not isinstance(value, dict):
        raise EligibilityInputError(path, f"expected an object, got {type(value).__name__}")
    return cast(Mapping[str, Any], value)


def _relapse(value: object, path: str) -> Relapse:
    d, p = _object(value, path), path + "."
    return Relapse(_req_date(d, "onset_date", p), _opt_bool(d, "clinically_documented", p))


def _mri(value: object, path: str) -> MriScan:
    d, p = _object(value, path), path + "."
    gel = d.get("gel_count")
    if gel is not None and (isinstance(gel, bool) or not isinstance(gel, int) or gel < 0):
        raise EligibilityInputError(p + "gel_count", f"expected a whole number >= 0, got {gel!r}")
    return MriScan(_req_date(d, "date", p), gel)


def _edss(value: object, path: str) -> EdssAssessment:
    d, p = _object(value, path), path + "."
    if d.get("score") is None:
        raise EligibilityInputError(p + "score", "is required")
    score = _number(d["score"], p + "score")
    if not 0.0 <= score <= 10.0 or (score * 2) != int(score * 2):
        raise EligibilityInputError(p + "score", f"EDSS must be 0 to 10 in steps of 0.5, got {d['score']!r}")
    return EdssAssessment(_req_date(d, "date", p), score)


def _therapy(value: object, path: str) -> Therapy:
    d, p = _object(value, path), path + "."
    if d.get("drug") is None:
        raise EligibilityInputError(p + "drug", "is required")
    start, end = _req_date(d, "start_date", p), _opt_date(d, "end_date", p)
    if end is not None and end < start:
        raise EligibilityInputError(p + "end_date", f"{end} is before start_date {start}")
    method = d.get("accelerated_elimination")
    if method is not None and method not in ELIMINATION_METHODS:
        raise EligibilityInputError(p + "accelerated_elimination", f"expected one of {ELIMINATION_METHODS} or null")
    return Therapy(_name(d["drug"], p + "drug"), start, end, method)


def _condition(value: object, path: str) -> Condition:
    d, p = _object(value, path), path + "."
    if d.get("code") is None:
        raise EligibilityInputError(p + "code", "is required")
    return Condition(
        _name(d["code"], p + "code"),
        _opt_date(d, "start_date", p),
        _opt_date(d, "remission_date", p),
        _opt_bool(d, "active", p),
    )


def _lab(value: object, path: str) -> LabResult:
    d, p = _object(value, path), path + "."
    test = d.get("test")
    if test not in LAB_UNITS:
        raise EligibilityInputError(p + "test", f"expected one of {sorted(LAB_UNITS)}, got {test!r}")
    if d.get("value") is None:
        raise EligibilityInputError(p + "value", "is required")
    unit = d.get("unit")
    if unit is not None and unit != LAB_UNITS[test]:
        raise EligibilityInputError(p + "unit", f"{test} must be in {LAB_UNITS[test]}, got {unit!r}")
    return LabResult(
        _req_date(d, "date", p),
        cast(Any, test),
        _number(d["value"], p + "value"),
        unit,
        _opt_bool(d, "clinically_significant", p),
    )


def _allergy(value: object, path: str) -> str:
    return _name(value, path)


def _ms(value: object) -> MsHistory | None:
    if value is None:
        return None
    d = _object(value, "ms")
    course = d.get("course")
    if course is not None and course not in COURSES:
        raise EligibilityInputError("ms.course", f"expected one of {list(COURSES)} or null, got {course!r}")
    return MsHistory(
        cast(Course | None, course),
        _opt_date(d, "onset_date", "ms."),
        _opt_date(d, "diagnosis_date", "ms."),
        _opt_bool(d, "csf_oligoclonal_bands", "ms."),
    )


def parse_record(data: object) -> PatientRecord:
    """Validate a decoded JSON screening record and return it typed; raise EligibilityInputError otherwise."""
    d = _object(data, "(record)")
    rid = d.get("id")
    if not isinstance(rid, str) or not rid:
        raise EligibilityInputError("id", f"expected a non-empty string, got {rid!r}")
    site = d.get("site")
    if site is not None and not isinstance(site, str):
        raise EligibilityInputError("site", f"expected a site code or null, got {site!r}")
    sex = d.get("sex")
    if sex not in ("F", "M", None):
        raise EligibilityInputError("sex", f"expected 'F', 'M' or null, got {sex!r}")
    return PatientRecord(
        id=rid,
        site=site,
        sex=sex,
        birth_date=_opt_date(d, "birth_date", ""),
        consent_date=_opt_date(d, "consent_date", ""),
        able_to_consent=_opt_bool(d, "able_to_consent", ""),
        ms=_ms(d.get("ms")),
        relapses=_items(d, "relapses", _relapse),
        mri=_items(d, "mri", _mri),
        edss=_items(d, "edss", _edss),
        therapies=_items(d, "therapies", _therapy),
        conditions=_items(d, "conditions", _condition),
        allergies=_items(d, "allergies", _allergy),
        labs=_items(d, "labs", _lab),
        pregnant=_opt_bool(d, "pregnant", ""),
        childbearing_potential=_opt_bool(d, "childbearing_potential", ""),
        willing_to_use_contraception=_opt_bool(d, "willing_to_use_contraception", ""),
        can_undergo_mri=_opt_bool(d, "can_undergo_mri", ""),
        in_other_trial=_opt_bool(d, "in_other_trial", ""),
        able_to_adhere=_opt_bool(d, "able_to_adhere", ""),
    )
