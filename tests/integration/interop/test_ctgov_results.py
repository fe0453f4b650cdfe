"""ClinicalTrials.gov resultsSection of the demo trial: schema-valid, flow consistent, every outcome present with
the statistics' own numbers, adverse events attributed as the contract says; CONSORT figure matches the flow."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from mescams.cli import app
from mescams.core.protocol import Protocol
from mescams.interop.consort import consort_boxes, draw_consort
from mescams.interop.ctgov_results import results_section
from mescams.interop.ctgov_schema import load_openapi, validate_component
from mescams.interop.errors import ExportError
from mescams.interop.snapshot import TrialSnapshot
from tests.conftest import require
from tests.integration.interop.conftest import CTGOV_OPENAPI


@pytest.fixture(scope="module")
def section(protocol: Protocol, snapshot: TrialSnapshot, stats_results: dict[str, Any]) -> dict[str, Any]:
    sec, warnings = results_section(protocol, snapshot, stats_results)
    assert warnings == []
    return sec


def _count(period: dict[str, Any], kind: str) -> dict[str, int]:
    ms = next(m for m in period["milestones"] if m["type"] == kind)
    return {a["groupId"]: int(a["numSubjects"]) for a in ms["achievements"]}


def test_results_section_is_valid_against_the_api_schema(section: dict[str, Any]) -> None:
    require(CTGOV_OPENAPI.is_file(), f"ClinicalTrials.gov OpenAPI not found at {CTGOV_OPENAPI}")
    openapi = load_openapi(CTGOV_OPENAPI)
    validate_component(section, openapi, "ResultsSection")
    broken = json.loads(json.dumps(section))
    broken["outcomeMeasuresModule"]["outcomeMeasures"][0]["type"] = "MAIN"
    with pytest.raises(ExportError, match="outcomeMeasures/0/type"):
        validate_component(broken, openapi, "ResultsSection")


def test_participant_flow_has_two_periods_and_adds_up(
    section: dict[str, Any], snapshot: TrialSnapshot, protocol: Protocol
) -> None:
    flow = section["participantFlowModule"]
    assert [g["title"] for g in flow["groups"]] == [s.code for s in protocol.design.sequences]
    assert len(flow["periods"]) == 2 and "weeks 0-24" in flow["periods"][0]["title"]
    started = _count(flow["periods"][0], "STARTED")
    assert started == {g["id"]: sum(1 for p in snapshot.randomised if p.sequence == g["title"]) for g in flow["groups"]}
    assert _count(flow["periods"][1], "STARTED") == _count(flow["periods"][0], "COMPLETED")
    for period in flow["periods"]:
        s, c, n = (_count(period, k) for k in ("STARTED", "COMPLETED", "NOT COMPLETED"))
        reasons = {
            g: sum(int(r["numSubjects"]) for d in period["dropWithdraws"] for r in d["reasons"] if r["groupId"] == g)
            for g in s
        }
        assert n == {g: s[g] - c[g] for g in s} == reasons
    withdrawn = [p for p in snapshot.randomised if p.disposition.status == "WITHDRAWN"]
    assert withdrawn  # the simulated trial has withdrawals (5 for seed 2015: 2 in period 1, 3 in period 2)
    for number, period in enumerate(flow["periods"], start=1):
        assert sum(_count(period, "NOT COMPLETED").values()) == sum(p.disposition.period == number for p in withdrawn)


def test_every_outcome_is_reported_with_the_statistics_numbers(
    section: dict[str, Any], protocol: Protocol, stats_results: dict[str, Any]
) -> None:
    measures = section["outcomeMeasuresModule"]["outcomeMeasures"]
    for o in protocol.outcomes:
        assert any(
            m["title"].startswith(o.title)
            and m["timeFrame"] == o.time_frame
            and (o.description in m["title"] or m["description"] == o.description)
            for m in measures
        ), o.id
    assert all(m["reportingStatus"] == "POSTED" for m in measures)
    gel = next(m for m in measures if m["type"] == "PRIMARY" and "gadolinium" in m["description"])
    crossover = next(a for a in gel["analyses"] if a["groupDescription"].endswith("both periods"))
    assert float(crossover["paramValue"]) == pytest.approx(stats_results["gel_crossover"]["rate_ratio"], abs=5e-4)
    assert float(crossover["ciUpperLimit"]) == pytest.approx(stats_results["gel_crossover"]["ci_high"], abs=5e-4)
    safety = next(m for m in measures if "adverse events" in m["description"])
    by_group = {g["id"]: g["title"] for g in safety["groups"]}
    any_ae = safety["classes"][0]["categories"][0]["measurements"]
    assert {by_group[x["groupId"]]: int(x["value"]) for x in any_ae} == {
        t: stats_results["adverse_events"][t]["participants_with_ae"] for t in ("MSC", "PLACEBO")
    }


def test_adverse_events_by_treatment_match_the_contract_attribution(
    section: dict[str, Any], stats_results: dict[str, Any]
) -> None:
    ae = section["adverseEventsModule"]
    groups = {g["id"]: g for g in ae["eventGroups"]}
    for gid, g in groups.items():
        expected = stats_results["adverse_events"][g["title"]]
        events = [s for e in ae["seriousEvents"] + ae["otherEvents"] for s in e["stats"] if s["groupId"] == gid]
        assert sum(s["numEvents"] for s in events) == expected["events"]
        serious = [s for e in ae["seriousEvents"] for s in e["stats"] if s["groupId"] == gid]
        assert sum(s["numEvents"] for s in serious) == expected["serious_events"]
        assert g["seriousNumAtRisk"] == expected["exposed"]


def test_consort_figure_agrees_with_the_flow(section: dict[str, Any], snapshot: TrialSnapshot, tmp_path: Path) -> None:
    flow = section["participantFlowModule"]
    boxes = consort_boxes(flow, snapshot)
    assert boxes["assessed"] == len(snapshot.participants)
    assert boxes["randomised"] + boxes["excluded"] == boxes["assessed"]
    assert boxes["randomised"] == sum(_count(flow["periods"][0], "STARTED").values())
    for g, column in zip(flow["groups"], boxes["columns"], strict=True):
        assert f"(n={_count(flow['periods'][-1], 'COMPLETED')[g['id']]})" in column[-1]
    assert sum(boxes["exclusion_reasons"].values()) >= boxes["excluded"]
    path = draw_consort(boxes, tmp_path / "consort.svg")
    assert path.read_text(encoding="utf-8").startswith("<?xml")


def test_command_writes_valid_results(tmp_path: Path, stats_results: dict[str, Any]) -> None:
    require(CTGOV_OPENAPI.is_file(), f"ClinicalTrials.gov OpenAPI not found at {CTGOV_OPENAPI}")
    results = tmp_path / "results.json"
    results.write_text(json.dumps(stats_results), encoding="utf-8")
    out = tmp_path / "ctgov.json"
    run = CliRunner().invoke(
        app,
        [
            "export",
            "ctgov-results",
            str(out),
            "--results",
            str(results),
            "--demo",
            "2015",
            "--openapi",
            str(CTGOV_OPENAPI),
            "--consort",
            str(tmp_path / "c.png"),
        ],
    )
    assert run.exit_code == 0, run.output
    assert "resultsSection" in json.loads(out.read_text(encoding="utf-8"))
    assert (tmp_path / "c.png").stat().st_size > 1000


def _coded(snapshot: TrialSnapshot, tmp_path: Path) -> TrialSnapshot:
    """The demo snapshot with each AE coded against the synthetic MedDRA-format release (by normalised LLT)."""
    import dataclasses

    from mescams.interop.dictionaries import read_meddra
    from mescams.interop.dictionaries.normalise import normalise
    from mescams.interop.dictionaries.synthetic import write_synthetic_meddra
    from mescams.interop.snapshot import MeddraCoding

    meddra = read_meddra(write_synthetic_meddra(tmp_path / "meddra"))
    llts = {normalise(t.name): t for t in meddra.llts.values() if t.current}

    def code(term: str) -> MeddraCoding:
        llt = llts[normalise(term)]
        path, pt = meddra.primary_path(llt.pt_code), meddra.pts[llt.pt_code]
        return MeddraCoding(llt.code, llt.name, pt.code, pt.name, path.hlt_code, meddra.hlts[path.hlt_code].name,
                            path.hlgt_code, meddra.hlgts[path.hlgt_code].name, path.soc_code,
                            meddra.socs[path.soc_code].name, meddra.version)

    return dataclasses.replace(snapshot, adverse_events=tuple(
        dataclasses.replace(ae, meddra=code(ae.term)) for ae in snapshot.adverse_events))


def test_coded_events_are_posted_by_organ_system_with_the_meddra_version(
    protocol: Protocol, snapshot: TrialSnapshot, stats_results: dict[str, Any], tmp_path: Path
) -> None:
    plain = results_section(protocol, snapshot, stats_results)[0]["adverseEventsModule"]
    coded = results_section(protocol, _coded(snapshot, tmp_path), stats_results)[0]["adverseEventsModule"]
    rows = coded["seriousEvents"] + coded["otherEvents"]
    assert rows and {e["sourceVocabulary"] for e in rows} == {"MedDRA (SYNTHETIC 1.0)"}
    assert "Not coded" not in {e["organSystem"] for e in rows}
    assert {"Nervous system disorders", "Infections and infestations"} <= {e["organSystem"] for e in rows}
    headache = next(e for e in rows if e["term"] == "Headache")
    assert headache["organSystem"] == "Nervous system disorders"
    assert [e["organSystem"] for e in coded["otherEvents"]] == sorted(e["organSystem"] for e in coded["otherEvents"])

    def total(module: dict[str, Any]) -> int:
        return sum(s["numEvents"] for e in module["seriousEvents"] + module["otherEvents"] for s in e["stats"])

    assert total(coded) == total(plain)  # coding groups the same events, it adds or drops none
    assert coded["eventGroups"] == plain["eventGroups"]
