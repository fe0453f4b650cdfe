"""The ClinicalTrials.gov API v2 ``resultsSection`` of the trial: flow, baseline, every outcome, adverse events.

Descriptive values (means, counts) are computed here from the snapshot; estimates, confidence intervals and
p-values come only from the statistics results file (``mescams analyze --json``, keys of the analysis-data
contract and the stats area's extra keys) and are never recomputed. Each protocol outcome is matched to its
analysis by what it measures (adverse events, GEL, combined activity and volumes, relapses, progression) and its
time frame; an outcome that matches nothing is listed with ``reportingStatus`` NOT_POSTED and a warning.
Adverse events belong to the treatment of the infusion most recently preceding their onset (the contract's rule);
events before the first infusion are left out and said so.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from mescams.core.protocol import Outcome, Protocol
from mescams.interop.ae_coding import coding_vocabulary, soc_and_pt
from mescams.interop.ctgov_analyses import estimate_analysis, p_value_analysis
from mescams.interop.ctgov_checks import results_problems
from mescams.interop.ctgov_flow import baseline_module, flow_module
from mescams.interop.ctgov_measures import (
    by_sequence_measure,
    by_treatment_measure,
    groups_by_treatment,
    progression_measure,
    rate_ratio_analysis,
    relapse_measure,
    safety_measure,
    treatments,
)
from mescams.interop.snapshot import TrialSnapshot

__all__ = ["results_section"]


def _kind(o: Outcome) -> str | None:
    text = f"{o.title} {o.description}".lower()
    if "adverse event" in text:
        return "safety"
    if "combined unique" in text:
        return "combined"
    if "relapse" in text:
        return "relapses"
    if "progression" in text:
        return "progression"
    if "gadolinium" in text or "gel" in text:
        return "gel"
    return None


def _volume_analyses(r: dict[str, Any] | None, ids: list[str], comparison: str) -> list[dict[str, Any]]:
    """The two analyses of a volume, each with its own method's numbers: the log-linear mixed model (ratio, CI, p)
    and the signed-rank test (Hodges-Lehmann estimate, p)."""
    if not r:
        return []
    return estimate_analysis(
        "volume_loglinear",
        ids,
        estimate=r.get("loglinear_ratio"),
        ci=(r.get("loglinear_ci_low"), r.get("loglinear_ci_high")),
        p_value=r.get("loglinear_p_value"),
        comparison=comparison,
    ) + (
        estimate_analysis(
            "volume_signed_rank",
            ids,
            estimate=r.get("hodges_lehmann_difference"),
            ci=None,
            p_value=r.get("wilcoxon_p_value"),
            comparison=comparison,
        )
        if r.get("hodges_lehmann_difference") is not None
        else p_value_analysis("volume_signed_rank", ids, p_value=r.get("wilcoxon_p_value"), comparison=comparison)
    )


def _outcome_measures(
    protocol: Protocol, snapshot: TrialSnapshot, results: dict[str, Any], warnings: list[str]
) -> list[dict[str, Any]]:
    first = protocol.design.periods[0]
    active, placebo = treatments(protocol)[:2]
    versus = f"{active} against {placebo}"
    both = f"{versus}, both periods"
    period1 = f"{versus}, first period only"
    out: list[dict[str, Any]] = []
    for o in protocol.outcomes:
        base = {
            "type": o.type.upper(),
            "title": f"{o.title}: {o.description}"[:254],
            "description": o.description,
            "timeFrame": o.time_frame,
            "reportingStatus": "POSTED",
        }
        kind = _kind(o)
        within = o.time_frame_weeks > first.end_week  # beyond period 1: the within-sequence comparison
        periods = [p.number for p in protocol.design.periods]  # each period is the time frame after its infusion
        ids = [g["id"] for g in groups_by_treatment(protocol)]
        if kind == "safety":
            out.append({**base, **safety_measure(protocol, results.get("adverse_events") or {}, o.time_frame_weeks)})
        elif kind == "gel" and not within:
            m = by_treatment_measure(protocol, snapshot, "gel", periods)
            m["analyses"] = rate_ratio_analysis(results.get("gel_crossover"), "gel_crossover", ids, both)
            m["analyses"] += rate_ratio_analysis(results.get("gel_period1"), "gel_period1", ids, period1)
            out.append({**base, **m})
        elif kind == "gel":
            m = by_sequence_measure(protocol, snapshot, "gel")
            m["analyses"] = [
                a
                for g, s in zip(m["groups"], protocol.design.sequences, strict=True)
                for a in rate_ratio_analysis(
                    (results.get("gel_within_sequence") or {}).get(s.code),
                    "gel_within_sequence",
                    [g["id"]],
                    f"{s.label}: second period against first period",
                )
            ]
            out.append({**base, **m})
        elif kind == "combined":
            for metric, label in (
                ("cua", "combined unique active lesions"),
                ("gel_volume", "volume of GEL"),
                ("black_hole_volume", "volume of black holes"),
            ):
                m = (
                    by_sequence_measure(protocol, snapshot, metric)
                    if within
                    else by_treatment_measure(protocol, snapshot, metric, periods)
                )
                if metric == "cua" and not within:
                    m["analyses"] = rate_ratio_analysis(results.get("cua_crossover"), "cua_crossover", ids, both)
                    m["analyses"] += rate_ratio_analysis(results.get("cua_period1"), "cua_period1", ids, period1)
                elif not within:
                    m["analyses"] = _volume_analyses(results.get(metric), ids, both)
                out.append({**base, "title": f"{o.title}: {label} ({o.time_frame})", **m})
        elif kind == "relapses":
            out.append({**base, **relapse_measure(protocol, snapshot, results.get("relapses") or {})})
        elif kind == "progression":
            out.append({**base, **progression_measure(protocol, results)})
        else:
            warnings.append(f"outcome {o.id} ({o.title}) matches no analysis: listed as NOT_POSTED")
            out.append({**base, "reportingStatus": "NOT_POSTED"})
    return out


def _by_organ_system(item: tuple[tuple[bool, str, str, str], Any]) -> tuple[str, str]:
    return item[0][2], item[0][1]


def _adverse_events_module(protocol: Protocol, snapshot: TrialSnapshot) -> dict[str, Any]:
    arms = treatments(protocol)
    gid = {t: f"EG{i:03d}" for i, t in enumerate(arms)}
    infusions: dict[str, list[tuple[Any, str]]] = defaultdict(list)
    for inf in snapshot.infusions:
        infusions[inf.participant_id].append((inf.date, inf.product))
    at_risk = {t: len({pid for pid, inf in infusions.items() if any(p == t for _, p in inf)}) for t in arms}
    # (serious, term, organ system, vocabulary): a coded AE is counted under its MedDRA PT and primary SOC, with
    # "MedDRA (version)" as the record's vocabulary; an AE not yet coded under its verbatim, "Not coded"
    events: dict[tuple[bool, str, str, str], dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    for ae in snapshot.adverse_events:
        before = [(d, p) for d, p in sorted(infusions.get(ae.participant_id, [])) if d <= ae.onset_date]
        if before:
            soc, pt, _ = soc_and_pt(ae)
            events[(ae.serious, pt, soc, coding_vocabulary(ae))][before[-1][1]].append(ae.participant_id)

    def listing(serious: bool) -> list[dict[str, Any]]:
        return [
            {
                "term": term,
                "organSystem": soc,
                "sourceVocabulary": vocabulary,
                "assessmentType": "SYSTEMATIC_ASSESSMENT",
                "stats": [
                    {
                        "groupId": gid[t],
                        "numEvents": len(by_t.get(t, [])),
                        "numAffected": len(set(by_t.get(t, []))),
                        "numAtRisk": at_risk[t],
                    }
                    for t in arms
                ],
            }
            for (ser, term, soc, vocabulary), by_t in sorted(events.items(), key=_by_organ_system)
            if ser == serious
        ]

    def affected(serious: bool) -> dict[str, int]:
        return {
            t: len({pid for (ser, *_), by_t in events.items() if ser == serious for pid in by_t.get(t, [])})
            for t in arms
        }

    ser, oth = affected(True), affected(False)
    return {
        "frequencyThreshold": "0",
        "timeFrame": f"From the first infusion to week {protocol.design.periods[-1].end_week}",
        "description": "Events are attributed to the treatment of the most recent infusion before onset; events "
        "before the first infusion are not included.",
        "eventGroups": [
            {
                "id": gid[t],
                "title": t,
                "description": protocol.design.treatments[t],
                "seriousNumAffected": ser[t],
                "seriousNumAtRisk": at_risk[t],
                "otherNumAffected": oth[t],
                "otherNumAtRisk": at_risk[t],
            }
            for t in arms
        ],
        "seriousEvents": listing(True),
        "otherEvents": listing(False),
    }


def results_section(
    protocol: Protocol, snapshot: TrialSnapshot, results: dict[str, Any]
) -> tuple[dict[str, Any], list[str]]:
    """(resultsSection, warnings) for the trial."""
    warnings: list[str] = []
    section = {
        "participantFlowModule": flow_module(protocol, snapshot),
        "baselineCharacteristicsModule": baseline_module(protocol, snapshot),
        "outcomeMeasuresModule": {"outcomeMeasures": _outcome_measures(protocol, snapshot, results, warnings)},
        "adverseEventsModule": _adverse_events_module(protocol, snapshot),
    }
    warnings += results_problems(section)
    return section, warnings
