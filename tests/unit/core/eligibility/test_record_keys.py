"""The stored screening record's keys come from the record model; they must agree with the shared contract's
schema (``../shared/contracts/patient.schema.json``), and a key outside them is named when refused."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import typing
from typing import Any

import pytest

from mescams.core.eligibility.record import PatientRecord
from mescams.core.eligibility.record_keys import check_stored_record, record_shape, unknown_keys
from mescams.errors import EligibilityInputError
from tests.conftest import SHARED, require

SCHEMA = SHARED / "contracts" / "patient.schema.json"


def _schema_shape(node: dict[str, Any]) -> dict[str, Any] | None:
    if "properties" in node:
        return {k: _schema_shape(v) for k, v in node["properties"].items()}
    if "items" in node:
        return _schema_shape(node["items"])
    return None


def _json_types(node: dict[str, Any]) -> set[str]:
    if "enum" in node:
        return {"null" if v is None else "string" for v in node["enum"]}
    kinds = node.get("type", [])
    return set([kinds] if isinstance(kinds, str) else kinds)


def _python_types(hint: Any) -> set[str]:
    names = {str: "string", bool: "boolean", int: "integer", float: "number", dt.date: "string",
             type(None): "null"}
    if typing.get_origin(hint) is typing.Literal:
        return {"string"}
    if typing.get_origin(hint) in (typing.Union, __import__("types").UnionType):
        return set().union(*(_python_types(a) for a in typing.get_args(hint)))
    if typing.get_origin(hint) is tuple:
        return {"array"}
    if dataclasses.is_dataclass(hint):
        return {"object"}
    return {names[hint]}


def test_record_model_keys_agree_with_the_shared_schema() -> None:
    require(SCHEMA.is_file(), f"shared contract not found at {SCHEMA}")
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    assert record_shape() == _schema_shape(schema)


def test_record_model_types_agree_with_the_shared_schema() -> None:
    require(SCHEMA.is_file(), f"shared contract not found at {SCHEMA}")
    properties = json.loads(SCHEMA.read_text(encoding="utf-8"))["properties"]
    hints = typing.get_type_hints(PatientRecord)
    for key, node in properties.items():
        python = _python_types(hints[key]) - {"null"}
        json_types = _json_types(node) - {"null"}
        assert python == json_types, key


def test_unknown_keys_are_named_wherever_they_are() -> None:
    record = {"id": "OTT-001", "name": "Marie Tremblay", "ms": {"course": "RRMS", "nickname": "x"},
              "therapies": [{"drug": "natalizumab", "start_date": "2015-01-01", "prescriber": "Dr Who"}]}
    assert unknown_keys(record) == ["name", "ms.nickname", "therapies[0].prescriber"]
    with pytest.raises(EligibilityInputError) as caught:
        check_stored_record(record)
    assert caught.value.field == "name" and "unknown key" in caught.value.rule


def test_a_record_of_known_keys_is_stored_and_wrong_types_are_refused() -> None:
    assert check_stored_record({"id": "OTT-001", "sex": "F", "allergies": ["penicillin"]}).sex == "F"
    with pytest.raises(EligibilityInputError) as caught:
        check_stored_record({"id": "OTT-001", "birth_date": "17 March 1979"})
    assert caught.value.field == "birth_date"
