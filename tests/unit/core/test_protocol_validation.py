"""A broken protocol file is refused with a message naming the path of the bad field."""

from __future__ import annotations

import copy
from typing import Any

import pytest
import yaml

from mescams.core.protocol import parse_protocol, parse_protocol_yaml
from mescams.errors import ProtocolError
from mescams.protocols import DEFAULT_PROTOCOL_PATH, load_protocol


@pytest.fixture(scope="module")
def document() -> dict[str, Any]:
    return yaml.safe_load(DEFAULT_PROTOCOL_PATH.read_text(encoding="utf-8"))


def _error_for(doc: dict[str, Any]) -> str:
    with pytest.raises(ProtocolError) as info:
        parse_protocol(doc)
    return str(info.value)


def test_shipped_protocol_is_valid(document: dict[str, Any]) -> None:
    assert parse_protocol(document).identification.nct_id == "NCT02239393"


@pytest.mark.parametrize(
    ("mutate", "expected_path"),
    [
        (lambda d: d["design"].__setitem__("target_enrolment", 0), "design.target_enrolment"),
        (lambda d: d["design"]["sequences"][1].__setitem__("treatments", ["PLACEBO"]), "design"),
        (lambda d: d["identification"].__setitem__("nct_id", "NCT123"), "identification.nct_id"),
        (lambda d: d["visits"][2].__setitem__("window_before_days", -3), "visits[2]"),
        (lambda d: d["products"][0]["dose"].__setitem__("min_cells_per_kg", "lots"),
         "products[0].dose.min_cells_per_kg"),
        (lambda d: d["eligibility"]["inclusion"].pop(1), "eligibility"),
        (lambda d: d["identification"]["sites"][0].__setitem__("postcode", "x"),
         "identification.sites[0].postcode"),
        (lambda d: d["outcomes"][0].pop("time_frame"), "outcomes[0].time_frame"),
    ],
)
def test_bad_field_is_named(document: dict[str, Any], mutate: Any, expected_path: str) -> None:
    doc = copy.deepcopy(document)
    mutate(doc)
    assert expected_path in _error_for(doc)


def test_sequence_with_unknown_treatment(document: dict[str, Any]) -> None:
    doc = copy.deepcopy(document)
    doc["design"]["sequences"][0]["treatments"] = ["MSC", "SALINE"]
    assert "sequences[0].treatments names unknown treatments ['SALINE']" in _error_for(doc)


def test_visit_weeks_must_increase(document: dict[str, Any]) -> None:
    doc = copy.deepcopy(document)
    doc["visits"][3]["week"] = 2
    assert "visit weeks must be unique and increasing" in _error_for(doc)


def test_period_needs_its_infusion_visit(document: dict[str, Any]) -> None:
    doc = copy.deepcopy(document)
    doc["visits"][4]["activities"] = ["mri_gadolinium"]
    assert "week-24 visit must include an infusion" in _error_for(doc)


def test_yaml_syntax_error_names_line() -> None:
    with pytest.raises(ProtocolError, match=r"line \d+, column \d+: not valid YAML"):
        parse_protocol_yaml("schema_version: 1\ndesign: [unclosed\n")


def test_not_a_mapping() -> None:
    with pytest.raises(ProtocolError, match="expected a mapping"):
        parse_protocol_yaml("- just\n- a list\n")


def test_missing_file(tmp_path: Any) -> None:
    with pytest.raises(ProtocolError, match="cannot be read"):
        load_protocol(tmp_path / "absent.yaml")


def test_forms_declare_single_or_log(document: dict[str, Any]) -> None:
    protocol = parse_protocol(document)
    assert protocol.form("vital_signs").is_single and protocol.form("vital_signs").unique_by == ["visit_code"]
    assert protocol.form("safety_lab").unique_by == ["visit_code", "test"]
    assert not protocol.form("adverse_event").is_single
    assert "vital_signs" in protocol.visit("W0").forms and "relapse" not in protocol.visit("W0").forms


@pytest.mark.parametrize(
    ("mutate", "expected"),
    [
        (lambda d: d["forms"][3].__setitem__("instances", "several"), "forms[3].instances"),
        (lambda d: d["forms"][3].pop("unique_by"), "forms[3]: Value error, a single form needs unique_by"),
        (lambda d: d["forms"][8].__setitem__("unique_by", ["visit_code"]), "forms[8]: Value error, a log form"),
        (lambda d: d["forms"][3].__setitem__("unique_by", ["participant"]), "forms[3]: Value error, unique_by lists"),
        (lambda d: d["forms"].append(dict(d["forms"][0])), "form codes must be unique"),
        (lambda d: d["visits"][2]["forms"].append("vital_sign"), "visits[2].forms names unknown forms ['vital_sign']"),
        (lambda d: d["visits"][2]["forms"].append("edss"), "visits[2].forms must not repeat a form"),
        (lambda d: d["forms"][0].__setitem__("kind", "single"), "forms[0].kind"),
    ],
)
def test_bad_form_declaration_is_named(document: dict[str, Any], mutate: Any, expected: str) -> None:
    doc = copy.deepcopy(document)
    mutate(doc)
    assert expected in _error_for(doc)
