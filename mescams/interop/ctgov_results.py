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

import statistics
from collections import defaultdict
from typing import Any

from mescams.core.protocol import Outcome, Protocol
from mescams.interop.ctgov_flow import baseline_module, flow_module
from mescams.interop.snapshot import TrialSnapshot

__all__ = ["results_section"]

PERIOD_METRICS = {
    "gel": ("gel_count", "lesions"),
    "cua": ("cua_count", "lesions"),
    "gel_volume": ("gel_volume_mm3", "mm3"),
    "black_hole_volume": ("black_hole_volume_mm3", "mm3"),
}
METHODS = {
    "gel_crossover": "Negative binomial (NB2) mixed model, Laplace ML, random intercept per participant",
    "gel_period1": "Negative binomial (NB2) regression on period 1",
    "cua_crossover": "Negative binomial (NB2) mixed model, Laplace ML, random intercept per participant",
    "cua_period1": "Negative binomial (NB2) regression on period 1",
    "relapses": "Negative binomial / Poisson rate ratio with exposure offset",
}


def _n(x: float | None, digits: int = 3) -> str | None:
    return None if x is None else f"{x:.{digits}g}" if abs(x) < 1e-3 else f"{x:.{digits}f}"


def _treatments(protocol: Protocol) -> list[str]:
    active = [p.code for p in protocol.products if p.matches is None]
    return active + [p.code for p in protocol.products if p.matches is not None]


def period_totals(protocol: Protocol, snapshot: TrialSnapshot, field: str) -> dict[tuple[str, int], float]:
    """(participant, period) -> sum of ``field`` over the scans done in the period's assessment weeks."""
    out: dict[tuple[str, int], float] = defaultdict(float)
    for m in snapshot.mri:
        week = protocol.visit(m.visit_code).week
        period = None if week is None else protocol.period_of_week(week)
        value = getattr(m, field)
        if period is not None and value is not None:
            out[(m.participant_id, period)] += float(value)
    return dict(out)


def _groups_by_treatment(protocol: Protocol) -> list[dict[str, str]]:
    return [
        {"id": f"OG{i:03d}", "title": t, "description": protocol.design.treatments[t]}
        for i, t in enumerate(_treatments(protocol))
    ]


def _analysis(result: dict[str, Any] | None, key: str, group_ids: list[str], param: str = "Rate Ratio") -> list[dict]:
    if not result or result.get("rate_ratio") is None:
        return []
    out = {
        "groupIds": group_ids,
        "statisticalMethod": METHODS.get(key, key),
        "paramType": param,
        "paramValue": _n(result["rate_ratio"]),
        "ciPctValue": "95",
        "ciNumSides": "TWO_SIDED",
        "ciLowerLimit": _n(result.get("ci_low")),
        "ciUpperLimit": _n(result.get("ci_high")),
        "pValue": _n(result.get("p_value")),
        "estimateComment": f"results key {key}",
    }
    return [{k: v for k, v in out.items() if v is not None}]


def _mean_sd(values: list[float]) -> dict[str, str]:
    return {
        "value": f"{statistics.mean(values):.2f}",
        "spread": f"{statistics.stdev(values):.2f}" if len(values) > 1 else "NA",
    }


def _by_treatment_measure(protocol: Protocol, snapshot: TrialSnapshot, metric: str, periods: list[int]) -> dict:
    field, unit = PERIOD_METRICS[metric]
    totals = period_totals(protocol, snapshot, field)
    groups = _groups_by_treatment(protocol)
    seq = {p.participant_id: p.sequence for p in snapshot.randomized}
    values: dict[str, list[float]] = {g["id"]: [] for g in groups}
    for (pid, period), total in totals.items():
        if period in periods and pid in seq and seq[pid]:
            treatment = protocol.treatment_in_period(seq[pid], period)
            values[next(g["id"] for g in groups if g["title"] == treatment)].append(total)
    return {
        "paramType": "MEAN",
        "dispersionType": "STANDARD_DEVIATION",
        "unitOfMeasure": f"{unit} per period",
        "groups": groups,
        "denoms": [
            {
                "units": "Participant-periods",
                "counts": [{"groupId": g, "value": str(len(v))} for g, v in values.items()],
            }
        ],
        "classes": [
            {"categories": [{"measurements": [{"groupId": g, **_mean_sd(v)} for g, v in values.items() if v]}]}
        ],
    }


def _by_sequence_measure(protocol: Protocol, snapshot: TrialSnapshot, metric: str) -> dict:
    field, unit = PERIOD_METRICS[metric]
    totals = period_totals(protocol, snapshot, field)
    groups = [
        {"id": f"OG{i:03d}", "title": s.code, "description": s.label} for i, s in enumerate(protocol.design.sequences)
    ]
    classes = []
    for period in protocol.design.periods:
        meas = []
        for g in groups:
            v = [
                t
                for (pid, per), t in totals.items()
                if per == period.number and snapshot.participant(pid).sequence == g["title"]
            ]
            if v:
                meas.append({"groupId": g["id"], **_mean_sd(v)})
        weeks = ", ".join(map(str, period.assessment_weeks))
        classes.append({"title": f"Period {period.number} (weeks {weeks})", "categories": [{"measurements": meas}]})
    return {
        "paramType": "MEAN",
        "dispersionType": "STANDARD_DEVIATION",
        "unitOfMeasure": f"{unit} per period",
        "groups": groups,
        "classes": classes,
    }


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


def _outcome_measures(
    protocol: Protocol, snapshot: TrialSnapshot, results: dict[str, Any], warnings: list[str]
) -> list[dict[str, Any]]:
    first = protocol.design.periods[0]
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
        ids = [g["id"] for g in _groups_by_treatment(protocol)]
        if kind == "safety":
            out.append({**base, **_safety_measure(protocol, results.get("adverse_events") or {})})
        elif kind == "gel" and not within:
            m = _by_treatment_measure(protocol, snapshot, "gel", [p.number for p in protocol.design.periods])
            m["analyses"] = _analysis(results.get("gel_crossover"), "gel_crossover", ids) + _analysis(
                results.get("gel_period1"), "gel_period1", ids
            )
            out.append({**base, **m})
        elif kind == "gel":
            m = _by_sequence_measure(protocol, snapshot, "gel")
            m["analyses"] = [
                a
                for g, s in zip(m["groups"], protocol.design.sequences, strict=True)
                for a in _analysis(
                    (results.get("gel_within_sequence") or {}).get(s.code),
                    f"gel_within_sequence.{s.code}",
                    [g["id"]],
                    "Rate Ratio (late/early)",
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
                    _by_sequence_measure(protocol, snapshot, metric)
                    if within
                    else _by_treatment_measure(protocol, snapshot, metric, periods)
                )
                if metric == "cua" and not within:
                    m["analyses"] = _analysis(results.get("cua_crossover"), "cua_crossover", ids) + _analysis(
                        results.get("cua_period1"), "cua_period1", ids
                    )
                elif not within and (r := results.get(metric)) and r.get("loglinear_ratio") is not None:
                    m["analyses"] = [
                        {
                            "groupIds": ids,
                            "statisticalMethod": "Log-linear mixed model (sensitivity); "
                            "Wilcoxon signed-rank on period differences",
                            "paramType": "Ratio of means",
                            "paramValue": _n(r["loglinear_ratio"]),
                            "ciPctValue": "95",
                            "ciNumSides": "TWO_SIDED",
                            "ciLowerLimit": _n(r["loglinear_ci_low"]),
                            "ciUpperLimit": _n(r["loglinear_ci_high"]),
                            "pValue": _n(r["wilcoxon_p_value"]),
                            "pValueComment": "Wilcoxon signed-rank test",
                        }
                    ]
                out.append({**base, "title": f"{o.title}: {label} ({o.time_frame})", **m})
        elif kind == "relapses":
            out.append({**base, **_relapse_measure(protocol, results.get("relapses") or {})})
        elif kind == "progression":
            out.append({**base, **_progression_measure(protocol, results)})
        else:
            warnings.append(f"outcome {o.id} ({o.title}) matches no analysis: listed as NOT_POSTED")
            out.append({**base, "reportingStatus": "NOT_POSTED"})
    return out


def _safety_measure(protocol: Protocol, ae: dict[str, Any]) -> dict[str, Any]:
    groups = _groups_by_treatment(protocol)
    rows = [
        ("Participants with any adverse event", "participants_with_ae"),
        ("Participants with a serious adverse event", "participants_with_serious_ae"),
    ]
    classes = [
        {
            "title": title,
            "categories": [
                {
                    "measurements": [
                        {"groupId": g["id"], "value": str(ae[g["title"]][key])} for g in groups if g["title"] in ae
                    ]
                }
            ],
        }
        for title, key in rows
    ]
    classes += [
        {
            "title": f"Maximum severity: grade {grade}",
            "categories": [
                {
                    "measurements": [
                        {
                            "groupId": g["id"],
                            "value": str(ae[g["title"]].get("participants_by_max_grade", {}).get(grade, 0)),
                        }
                        for g in groups
                        if g["title"] in ae
                    ]
                }
            ],
        }
        for grade in ("1", "2", "3", "4", "5")
    ]
    return {
        "paramType": "COUNT_OF_PARTICIPANTS",
        "unitOfMeasure": "Participants",
        "groups": groups,
        "denoms": [
            {
                "units": "Participants",
                "counts": [
                    {"groupId": g["id"], "value": str(ae[g["title"]].get("exposed", ""))}
                    for g in groups
                    if g["title"] in ae
                ],
            }
        ],
        "classes": classes,
    }


def _relapse_measure(protocol: Protocol, rel: dict[str, Any]) -> dict[str, Any]:
    groups = _groups_by_treatment(protocol)
    rates = rel.get("rates", {})
    meas = [{"groupId": g["id"], "value": str(rates[g["title"]]["relapses"])} for g in groups if g["title"] in rates]
    ids = [g["id"] for g in groups]
    return {
        "paramType": "NUMBER",
        "dispersionType": "NA",
        "unitOfMeasure": "relapses",
        "groups": groups,
        "classes": [{"categories": [{"measurements": meas}]}],
        "analyses": _analysis(rel, "relapses", ids),
    }


def _progression_measure(protocol: Protocol, results: dict[str, Any]) -> dict[str, Any]:
    groups, classes, analyses = [], [], []
    for key, label in (
        ("progression_period1", "First period, by treatment"),
        ("progression_study", "Whole study, by sequence"),
    ):
        res = results.get(key) or {}
        for group, landmarks in (res.get("progression_free") or {}).items():
            gid = next((g["id"] for g in groups if g["title"] == group), None)
            if gid is None:
                gid = f"OG{len(groups):03d}"
                groups.append({"id": gid, "title": group})
            for week, value in landmarks.items():
                est = value.get("estimate") if isinstance(value, dict) else value
                if est is not None:
                    classes.append(
                        {
                            "title": f"{label}: progression-free at {week.replace('_', ' ')}",
                            "categories": [{"measurements": [{"groupId": gid, "value": f"{est:.3f}"}]}],
                        }
                    )
        if res.get("logrank_p") is not None:
            ids = [g["id"] for g in groups if g["title"] in res.get("n", {})]
            analyses.append(
                {
                    "groupIds": ids,
                    "statisticalMethod": "Log Rank",
                    "pValue": _n(res["logrank_p"]),
                    "estimateComment": f"results key {key}",
                }
            )
    return {
        "paramType": "NUMBER",
        "dispersionType": "NA",
        "unitOfMeasure": "proportion progression-free",
        "groups": groups,
        "classes": classes,
        "analyses": analyses,
    }


def _adverse_events_module(protocol: Protocol, snapshot: TrialSnapshot) -> dict[str, Any]:
    treatments = _treatments(protocol)
    gid = {t: f"EG{i:03d}" for i, t in enumerate(treatments)}
    infusions: dict[str, list[tuple[Any, str]]] = defaultdict(list)
    for inf in snapshot.infusions:
        infusions[inf.participant_id].append((inf.date, inf.product))
    at_risk = {t: len({pid for pid, inf in infusions.items() if any(p == t for _, p in inf)}) for t in treatments}
    events: dict[tuple[bool, str], dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    for ae in snapshot.adverse_events:
        before = [(d, p) for d, p in sorted(infusions.get(ae.participant_id, [])) if d <= ae.onset_date]
        if before:
            events[(ae.serious, ae.term)][before[-1][1]].append(ae.participant_id)

    def listing(serious: bool) -> list[dict[str, Any]]:
        return [
            {
                "term": term,
                "organSystem": "Not coded",
                "sourceVocabulary": "verbatim",
                "assessmentType": "SYSTEMATIC_ASSESSMENT",
                "stats": [
                    {
                        "groupId": gid[t],
                        "numEvents": len(by_t.get(t, [])),
                        "numAffected": len(set(by_t.get(t, []))),
                        "numAtRisk": at_risk[t],
                    }
                    for t in treatments
                ],
            }
            for (ser, term), by_t in sorted(events.items())
            if ser == serious
        ]

    def affected(serious: bool) -> dict[str, int]:
        return {
            t: len({pid for (ser, _), by_t in events.items() if ser == serious for pid in by_t.get(t, [])})
            for t in treatments
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
            for t in treatments
        ],
        "seriousEvents": listing(True),
        "otherEvents": listing(False),
    }


def results_section(protocol: Protocol, snapshot: TrialSnapshot, results: dict[str, Any]) -> tuple[dict, list[str]]:
    """(resultsSection, warnings) for the trial."""
    warnings: list[str] = []
    section = {
        "participantFlowModule": flow_module(protocol, snapshot),
        "baselineCharacteristicsModule": baseline_module(protocol, snapshot),
        "outcomeMeasuresModule": {"outcomeMeasures": _outcome_measures(protocol, snapshot, results, warnings)},
        "adverseEventsModule": _adverse_events_module(protocol, snapshot),
    }
    return section, warnings
