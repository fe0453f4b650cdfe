"""The registry's results rules the schema does not check: denominators on every measure, method names for people,
one method per analysis (estimate, CI and p of the same model), race and ethnicity at baseline, standard withdrawal
labels (ClinicalTrials.gov Results Data Element Definitions)."""

from __future__ import annotations

import dataclasses
import json
from typing import Any

import pytest

from mescams.core.protocol import Protocol
from mescams.interop.ctgov_checks import results_problems
from mescams.interop.ctgov_flow import baseline_module, flow_module, withdrawal_label
from mescams.interop.ctgov_results import results_section
from mescams.interop.snapshot import Disposition, TrialSnapshot

REGISTRY_METHODS = {
    "Mixed Models Analysis",
    "Regression, Negative Binomial",
    "Regression, Poisson",
    "Regression, Cox",
    "Log Rank",
    "Wilcoxon signed-rank test",
}


@pytest.fixture(scope="module")
def section(protocol: Protocol, snapshot: TrialSnapshot, stats_results: dict[str, Any]) -> dict[str, Any]:
    sec, warnings = results_section(protocol, snapshot, stats_results)
    assert warnings == []
    return sec


def _measures(section: dict[str, Any]) -> list[dict[str, Any]]:
    return section["outcomeMeasuresModule"]["outcomeMeasures"]


def test_every_measure_has_participants_analysed_for_every_group(section: dict[str, Any]) -> None:
    for m in _measures(section):
        participants = next(d for d in m["denoms"] if d["units"] == "Participants")
        assert {c["groupId"] for c in participants["counts"]} == {g["id"] for g in m["groups"]}, m["title"]
        assert all(int(c["value"]) > 0 for c in participants["counts"]), m["title"]
        if m.get("typeUnitsAnalyzed"):
            assert any(d["units"] == m["typeUnitsAnalyzed"] for d in m["denoms"]), m["title"]
    assert results_problems(section) == []


def test_period_measures_count_participants_and_their_periods(section: dict[str, Any], snapshot: TrialSnapshot) -> None:
    gel = next(m for m in _measures(section) if m["type"] == "PRIMARY" and m.get("typeUnitsAnalyzed"))
    people = {c["groupId"]: int(c["value"]) for c in gel["denoms"][0]["counts"]}
    periods = {c["groupId"]: int(c["value"]) for c in gel["denoms"][1]["counts"]}
    scanned = {m.participant_id for m in snapshot.mri}
    # each participant has one period on each treatment: as many participant-periods as participants per group
    assert people == periods
    assert all(n <= len(scanned & {p.participant_id for p in snapshot.randomized}) for n in people.values())
    assert sum(periods.values()) > len(snapshot.randomized)  # both periods are counted


def test_a_measure_without_denominators_is_reported(section: dict[str, Any]) -> None:
    broken = json.loads(json.dumps(section))
    del broken["outcomeMeasuresModule"]["outcomeMeasures"][2]["denoms"]
    broken["outcomeMeasuresModule"]["outcomeMeasures"][0]["denoms"][0]["counts"].pop()
    problems = results_problems(broken)
    assert any("outcome measure 3" in p and "no denominator in Participants" in p for p in problems)
    assert any("outcome measure 1" in p and "analysed for group(s) OG001" in p for p in problems)


def test_methods_are_named_for_people_never_by_results_key(section: dict[str, Any]) -> None:
    analyses = [a for m in _measures(section) for a in m.get("analyses", [])]
    assert analyses
    assert {a["statisticalMethod"] for a in analyses} <= REGISTRY_METHODS
    assert not any("results key" in json.dumps(a) or "gel_" in json.dumps(a) for a in analyses)
    broken = json.loads(json.dumps(section))
    broken["outcomeMeasuresModule"]["outcomeMeasures"][2]["analyses"][0]["statisticalMethod"] = (
        "gel_within_sequence.MSC-PLACEBO"
    )
    assert any("is an internal key" in p for p in results_problems(broken))


def test_each_analysis_takes_estimate_ci_and_p_from_one_model(
    section: dict[str, Any], stats_results: dict[str, Any]
) -> None:
    """Wald intervals and tests of one model agree: p < 0.05 exactly when the 95 % CI of a ratio excludes 1.
    A CI of one model beside the p of another (the signed-rank test) breaks this for the GEL volume."""
    for m in _measures(section):
        for a in m.get("analyses", []):
            if "ciLowerLimit" in a and "pValue" in a:
                low, high, p = float(a["ciLowerLimit"]), float(a["ciUpperLimit"]), float(a["pValue"])
                if min(abs(low - 1), abs(high - 1)) > 0.005 and abs(p - 0.05) > 0.002:
                    assert (p < 0.05) == (not low <= 1 <= high), (m["title"], a)
    volume = next(m for m in _measures(section) if "volume of GEL" in m["title"] and m.get("analyses"))
    loglinear, signed_rank = volume["analyses"]
    r = stats_results["gel_volume"]
    assert float(loglinear["ciLowerLimit"]) == pytest.approx(r["loglinear_ci_low"], abs=5e-4)
    assert float(loglinear["pValue"]) == pytest.approx(r["loglinear_p_value"], abs=5e-4)
    assert float(signed_rank["pValue"]) == pytest.approx(r["wilcoxon_p_value"], abs=5e-4)
    assert "ciLowerLimit" not in signed_rank
    assert float(signed_rank["paramValue"]) == pytest.approx(r["hodges_lehmann_difference"], abs=5e-4)


def _category_counts(module: dict[str, Any], title: str) -> dict[str, int]:
    total = module["groups"][-1]["id"]
    measure = next(m for m in module["measures"] if m["title"] == title)
    return {
        c["title"]: int(next(x["value"] for x in c["measurements"] if x["groupId"] == total))
        for c in measure["classes"][0]["categories"]
    }


def test_race_and_ethnicity_use_the_registry_categories(protocol: Protocol, snapshot: TrialSnapshot) -> None:
    n = len(snapshot.randomized)
    not_collected = tuple(dataclasses.replace(p, race=None, ethnicity=None) for p in snapshot.participants)
    unknown = baseline_module(protocol, dataclasses.replace(snapshot, participants=not_collected))
    assert _category_counts(unknown, "Race (NIH/OMB)")["Unknown or Not Reported"] == n
    assert _category_counts(unknown, "Ethnicity (NIH/OMB)")["Unknown or Not Reported"] == n
    races = ["WHITE", "ASIAN", "NOT REPORTED", "BLACK OR AFRICAN AMERICAN", "MULTIPLE", None]
    ethnic = ["HISPANIC OR LATINO", "NOT HISPANIC OR LATINO", "UNKNOWN"]
    people = tuple(
        dataclasses.replace(p, race=races[i % len(races)], ethnicity=ethnic[i % len(ethnic)])
        for i, p in enumerate(snapshot.participants)
    )
    collected = dataclasses.replace(snapshot, participants=people)
    randomized = [p for p in people if p.randomized]
    race = _category_counts(baseline_module(protocol, collected), "Race (NIH/OMB)")
    assert race["White"] == sum(p.race == "WHITE" for p in randomized)
    assert race["More than one race"] == sum(p.race == "MULTIPLE" for p in randomized)
    assert race["Unknown or Not Reported"] == sum(p.race in (None, "NOT REPORTED") for p in randomized)
    assert sum(race.values()) == n
    eth = _category_counts(baseline_module(protocol, collected), "Ethnicity (NIH/OMB)")
    assert eth["Hispanic or Latino"] == sum(p.ethnicity == "HISPANIC OR LATINO" for p in randomized)
    assert sum(eth.values()) == n


@pytest.mark.parametrize(
    ("recorded", "label"),
    [
        ("WITHDRAWAL BY SUBJECT", "Withdrawal by Subject"),
        ("withdrew consent", "Withdrawal by Subject"),
        ("LOST TO FOLLOW-UP", "Lost to Follow-up"),
        ("ADVERSE EVENT", "Adverse Event"),
        ("PROTOCOL DEVIATION", "Protocol Violation"),
        ("PHYSICIAN DECISION", "Physician Decision"),
        ("MOVED ABROAD", "Moved abroad"),
        (None, "Reason not recorded"),
    ],
)
def test_withdrawal_reasons_use_the_registry_wording(recorded: str | None, label: str) -> None:
    assert withdrawal_label(recorded) == label


def test_flow_reports_a_lost_participant_in_the_registry_wording(protocol: Protocol, snapshot: TrialSnapshot) -> None:
    who = next(p for p in snapshot.randomised
               if p.disposition.status == "WITHDRAWN" and "LOST" not in (p.disposition.reason or "").upper())
    lost = dataclasses.replace(who, disposition=Disposition("WITHDRAWN", who.disposition.date, "LOST TO FOLLOW-UP", 2))
    changed = dataclasses.replace(snapshot, participants=tuple(lost if p is who else p for p in snapshot.participants))
    def people_by_type(snap: TrialSnapshot) -> dict[str, int]:
        counts: dict[str, int] = {}
        for period in flow_module(protocol, snap)["periods"]:
            for d in period["dropWithdraws"]:
                counts[d["type"]] = counts.get(d["type"], 0) + sum(int(r["numSubjects"]) for r in d["reasons"])
        return counts

    before, after = people_by_type(snapshot), people_by_type(changed)
    assert after["Lost to Follow-up"] == before.get("Lost to Follow-up", 0) + 1
    assert sum(after.values()) == sum(before.values())
