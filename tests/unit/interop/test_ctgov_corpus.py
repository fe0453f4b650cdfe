"""Real ClinicalTrials.gov records of varied designs (tests/fixtures/interop/ctgov_corpus) draft without a crash,
and each report says what the import read and what needs a human: exclusions found wherever the record has an
exclusion heading (and no heading taken for a criterion), one unique placeholder code per site, periods read from
the record or flagged, never drafted as an empty 'weeks 0-0'."""

from __future__ import annotations

import collections
import json
import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from mescams.interop.ctgov_criteria import parse_criteria
from mescams.interop.ctgov_import import ImportReport, draft_protocol

CORPUS = Path(__file__).resolve().parents[2] / "fixtures" / "interop" / "ctgov_corpus"
RECORDS = sorted(CORPUS.glob("NCT*.json"))
#: an exclusion heading as a person would spot it, deliberately looser than the importer's own rule
EXCLUSION_HEADING = re.compile(r"(?im)^\W*(?:[a-z]+\s+)?exclusion\s+criteria\b[^\n]{0,40}:?\s*$")
LOOKS_LIKE_HEADING = re.compile(r"(?i)^\W*(?:[a-z]+\s+)?(?:inclusion|exclusion|eligibility)\s+criteria\s*:?\s*$")


def _load(path: Path) -> dict[str, Any]:
    return json.loads(path.read_text(encoding="utf-8"))


def _notes(report: ImportReport, path: str) -> list[str]:
    return [n for p, n in report.guessed + report.missing if p == path]


@pytest.fixture(scope="module")
def drafts() -> dict[str, tuple[dict[str, Any], dict[str, Any], ImportReport]]:
    out = {}
    for path in RECORDS:
        record = _load(path)
        doc, report = draft_protocol(record)
        out[path.stem] = (record, doc, report)
    return out


def test_the_corpus_is_at_least_twenty_real_records_of_varied_designs_with_their_sources() -> None:
    sources = {s["nct_id"]: s for s in json.loads((CORPUS / "sources.json").read_text(encoding="utf-8"))}
    assert len(RECORDS) >= 20
    assert {p.stem for p in RECORDS} == set(sources)
    assert {"NCT02210780", "NCT03418623", "NCT04267848"} <= set(sources)
    models = collections.Counter(
        (_load(p)["protocolSection"]["designModule"].get("designInfo") or {}).get("interventionModel") for p in RECORDS
    )
    assert {"PARALLEL", "CROSSOVER", "SINGLE_GROUP", None} <= set(models)  # None: observational studies
    for path in RECORDS:
        assert _load(path)["protocolSection"]["identificationModule"]["nctId"] == path.stem
        assert re.fullmatch(r"[0-9a-f]{40}", sources[path.stem]["commit"])


@pytest.mark.parametrize("path", RECORDS, ids=lambda p: p.stem)
def test_each_record_drafts_with_a_report(
    path: Path, drafts: dict[str, tuple[dict[str, Any], dict[str, Any], ImportReport]]
) -> None:
    record, doc, report = drafts[path.stem]
    assert doc["identification"]["nct_id"] == path.stem
    assert yaml.safe_load(yaml.safe_dump(doc, sort_keys=False)) == doc
    text = report.text()
    assert text.startswith("draft loads in mescams.core.protocol: ")
    assert len(text.splitlines()) > 3


@pytest.mark.parametrize("path", RECORDS, ids=lambda p: p.stem)
def test_exclusions_are_found_wherever_the_record_has_them(
    path: Path, drafts: dict[str, tuple[dict[str, Any], dict[str, Any], ImportReport]]
) -> None:
    record, doc, report = drafts[path.stem]
    text = record["protocolSection"].get("eligibilityModule", {}).get("eligibilityCriteria", "")
    criteria = doc["eligibility"]["inclusion"] + doc["eligibility"]["exclusion"]
    assert not [c["text"] for c in criteria if LOOKS_LIKE_HEADING.match(c["text"])], "a heading became a criterion"
    if EXCLUSION_HEADING.search(text):
        assert doc["eligibility"]["exclusion"], "the record has an exclusion heading but no exclusion was found"
        assert any("exclusion criteria under the headings" in n for n in _notes(report, "eligibility"))
    else:
        assert not doc["eligibility"]["exclusion"]
        assert _notes(report, "eligibility.exclusion") or _notes(report, "eligibility")


@pytest.mark.parametrize("path", RECORDS, ids=lambda p: p.stem)
def test_every_site_gets_a_unique_code_reported_as_a_placeholder(
    path: Path, drafts: dict[str, tuple[dict[str, Any], dict[str, Any], ImportReport]]
) -> None:
    record, doc, report = drafts[path.stem]
    locations = record["protocolSection"].get("contactsLocationsModule", {}).get("locations", [])
    codes = [s["code"] for s in doc["identification"]["sites"]]
    assert len(codes) == len(locations) == len(set(codes))
    assert all(re.fullmatch(r"[A-Z]{2,5}", c) for c in codes)
    if locations:
        (note,) = _notes(report, "identification.sites[].code")
        assert f"{len(codes)} unique placeholder code(s)" in note and "replace them" in note
    if doc["design"]["treatments"]:  # treatment codes are placeholders too, and said to be
        (note,) = _notes(report, "design.treatments")
        assert all(f"{code}=" in note for code in doc["design"]["treatments"])


@pytest.mark.parametrize("path", RECORDS, ids=lambda p: p.stem)
def test_periods_are_read_from_the_record_or_flagged(
    path: Path, drafts: dict[str, tuple[dict[str, Any], dict[str, Any], ImportReport]]
) -> None:
    _, doc, report = drafts[path.stem]
    periods = doc["design"]["periods"]
    (note,) = _notes(report, "design.periods")
    if any(p["end_week"] is None for p in periods):
        assert all(p["end_week"] is None for p in periods)
        assert ("design.periods", note) in report.missing and "period weeks unknown" in note
    else:
        assert all(p["start_week"] < p["end_week"] for p in periods)
        assert all(b["start_week"] == a["end_week"] for a, b in zip(periods, periods[1:], strict=False))
        spans = ", ".join(f"weeks {p['start_week']}-{p['end_week']}" for p in periods)
        assert note.startswith(spans + ": ")
    assert "weeks 0-0" not in report.text()


def test_the_three_records_of_the_issue(
    drafts: dict[str, tuple[dict[str, Any], dict[str, Any], ImportReport]],
) -> None:
    _, doc, _ = drafts["NCT02210780"]  # 'Key Inclusion Criteria:' / 'Key Exclusion Criteria:'
    assert (len(doc["eligibility"]["inclusion"]), len(doc["eligibility"]["exclusion"])) == (5, 7)
    assert doc["eligibility"]["exclusion"][0]["id"] == "E1"
    record, doc, report = drafts["NCT04267848"]  # 1148 sites, 8 of them in Anchorage
    anchorage = [s["code"] for s in doc["identification"]["sites"] if s["city"] == "Anchorage"]
    assert len(anchorage) == 8 == len(set(anchorage))
    assert anchorage[0] == "ANC" and all(c.startswith("ANC") for c in anchorage)
    _, doc, report = drafts["NCT03418623"]  # a crossover whose texts name no duration ('After 5 doses')
    assert [p["end_week"] for p in doc["design"]["periods"]] == [None, None]
    assert any(p == "design.periods" for p, _ in report.missing)


@pytest.mark.parametrize(
    ("text", "inclusion", "exclusion", "notes"),
    [
        ("Key Inclusion Criteria:\n\n* A\n* B\n\nKey Exclusion Criteria:\n\n* C", ["A", "B"], ["C"], []),
        ("**INCLUSION CRITERIA**\n- A\n\n**EXCLUSION CRITERIA**\n- C", ["A"], ["C"], []),
        (
            "Inclusion:\n- A\nExclusion:\n- C\n- Exclusion of other causes by MRI",
            ["A"],
            ["C", "Exclusion of other causes by MRI"],
            [],
        ),
        ("Main exclusion criteria: pregnancy\n\nInclusion criteria:\n1. adults", ["adults"], ["pregnancy"], []),
        (
            "Eligibility criteria:\n\nFor parents:\n\n* Consent\n\nExclusion criteria for all participants:\n\n* None",
            ["For parents: Consent"],
            ["None"],
            [],
        ),
        (
            "Inclusion Criteria:\n\nSubjects who meet all of the following criteria are eligible:\n\n1. A\n\n"
            "Note: other protocol-defined criteria may apply",
            ["A"],
            [],
            [
                "Subjects who meet all of the following criteria are eligible:",
                "Note: other protocol-defined criteria may apply",
            ],
        ),
        (
            "* Adults\n* Inclusion criteria of the parent study must be met",
            ["Adults", "Inclusion criteria of the parent study must be met"],
            [],
            [],
        ),
    ],
)
def test_headings_as_real_records_write_them(
    text: str, inclusion: list[str], exclusion: list[str], notes: list[str]
) -> None:
    parsed = parse_criteria(text)
    assert (parsed.inclusion, parsed.exclusion, parsed.notes) == (inclusion, exclusion, notes)
