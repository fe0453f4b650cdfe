"""ClinicalTrials.gov record -> draft protocol: the MESCAMS record reproduces the shipped protocol's facts; other
shapes (parallel, single-arm, results posted) give drafts whose gaps are named in the report."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from mescams.core.protocol import Protocol, parse_protocol
from mescams.interop.ctgov_criteria import recognise_params, split_criteria
from mescams.interop.ctgov_import import draft_protocol
from mescams.interop.errors import ImportFormatError

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "interop"


def _load(name: str) -> dict[str, Any]:
    return json.loads((FIXTURES / f"{name}.json").read_text(encoding="utf-8"))


def test_mescams_record_gives_a_loadable_draft_matching_the_protocol(protocol: Protocol) -> None:
    doc, report = draft_protocol(_load("NCT02239393"))
    assert report.loads, report.text()
    draft = parse_protocol(doc)
    ident, ref = draft.identification, protocol.identification
    assert (ident.nct_id, ident.acronym, ident.official_title, ident.sponsor, ident.phase) == (
        ref.nct_id,
        ref.acronym,
        ref.official_title,
        ref.sponsor,
        ref.phase,
    )
    assert ident.dates == ref.dates
    assert sorted(s.name for s in ident.sites) == sorted(s.name for s in ref.sites)
    d, r = draft.design, protocol.design
    assert (d.allocation, d.intervention_model, d.masking_label, d.target_enrolment) == (
        r.allocation,
        r.intervention_model,
        r.masking_label,
        r.target_enrolment,
    )
    assert d.population == r.population
    assert d.is_crossover
    assert [(p.start_week, p.end_week, p.assessment_weeks) for p in d.periods] == [
        (p.start_week, p.end_week, p.assessment_weeks) for p in r.periods
    ]
    assert [(o.type, o.time_frame_weeks, o.description) for o in draft.outcomes] == [
        (o.type, o.time_frame_weeks, o.description) for o in protocol.outcomes
    ]
    assert [c.id for c in draft.eligibility.criteria] == [c.id for c in protocol.eligibility.criteria]
    for cid in ("I2", "I3", "I4", "E5", "E8", "E9"):
        expected = {
            k: v
            for k, v in protocol.eligibility.criterion(cid).params.items()
            if k in draft.eligibility.criterion(cid).params
        }
        assert expected and draft.eligibility.criterion(cid).params == expected, cid
    assert draft.eligibility.criterion("E14").params["min_egfr"] == 60
    msc = next(p for p in draft.products if p.dose is not None)
    assert (msc.dose.min_cells_per_kg, msc.dose.max_cells_per_kg) == (1e6, 2e6)
    assert msc.vehicle == protocol.product("MSC").vehicle
    assert next(p for p in draft.products if p.code == "PLACEBO").matches == msc.code
    assert any(p == "identification.sites[].code" and "placeholder" in n for p, n in report.missing)


@pytest.mark.parametrize(
    ("name", "model", "n_sequences", "missing"),
    [
        ("NCT09000001-parallel", "Parallel Assignment", 2, "products[].vehicle"),
        ("NCT09000002-single-arm", "Single Group Assignment", 1, "identification.principal_investigator"),
        ("NCT09000003-results", "Parallel Assignment", 2, "products[].route"),
    ],
)
def test_other_shapes_name_what_is_missing(name: str, model: str, n_sequences: int, missing: str) -> None:
    doc, report = draft_protocol(_load(name))
    assert doc["design"]["intervention_model"] == model
    assert len(doc["design"]["sequences"]) == n_sequences
    assert len(doc["design"]["periods"]) == 1
    assert not report.loads
    assert missing in {p for p, _ in report.missing}
    assert any(p == "(validation)" for p, _ in report.missing)


def test_results_record_is_reported_and_parallel_weeks_are_read() -> None:
    _, report = draft_protocol(_load("NCT09000003-results"))
    assert any(p == "(results)" and "1 outcome measure" in n for p, n in report.guessed)
    doc, _ = draft_protocol(_load("NCT09000001-parallel"))
    assert doc["design"]["periods"][0]["assessment_weeks"] == [24, 48, 96]
    assert doc["eligibility"]["exclusion"][1]["params"]["min_egfr"] == 30


def test_criteria_split_keeps_sub_bullets_with_their_parent() -> None:
    inclusion, exclusion = split_criteria(
        "Inclusion Criteria:\n\n* Adults\n\n  * i) with MS\n* Age 18 to 60 years\n\nExclusion Criteria:\n\n- Pregnancy"
    )
    assert inclusion == ["Adults i) with MS", "Age 18 to 60 years"]
    assert exclusion == ["Pregnancy"]
    assert recognise_params(inclusion[1]) == {"min_age_years": 18, "max_age_years": 60}
    assert recognise_params("EDSS score of 3.0 - 6.5") == {"min_edss": 3.0, "max_edss": 6.5}


def test_a_record_without_a_protocol_section_is_refused() -> None:
    with pytest.raises(ImportFormatError, match="protocolSection"):
        draft_protocol({"hasResults": False})
