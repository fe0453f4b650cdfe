"""Outcome-measure building blocks for the ClinicalTrials.gov results: groups, descriptive values, analyses.

Descriptive values come from the snapshot (period totals of the MRI measures by treatment or by sequence);
analyses copy the statistics results file (estimate, 95 % CI, p-value), formatted as the registry's strings.
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from typing import Any

from mescams.core.protocol import Protocol
from mescams.interop.snapshot import TrialSnapshot

__all__ = [
    "METHODS",
    "PERIOD_METRICS",
    "analysis_entry",
    "by_sequence_measure",
    "by_treatment_measure",
    "groups_by_treatment",
    "number",
    "period_totals",
    "progression_measure",
    "relapse_measure",
    "safety_measure",
    "treatments",
]

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


def number(x: float | None, digits: int = 3) -> str | None:
    return None if x is None else f"{x:.{digits}g}" if abs(x) < 1e-3 else f"{x:.{digits}f}"


def treatments(protocol: Protocol) -> list[str]:
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


def groups_by_treatment(protocol: Protocol) -> list[dict[str, str]]:
    return [
        {"id": f"OG{i:03d}", "title": t, "description": protocol.design.treatments[t]}
        for i, t in enumerate(treatments(protocol))
    ]


def analysis_entry(
    result: dict[str, Any] | None, key: str, group_ids: list[str], param: str = "Rate Ratio"
) -> list[dict]:
    if not result or result.get("rate_ratio") is None:
        return []
    out = {
        "groupIds": group_ids,
        "statisticalMethod": METHODS.get(key, key),
        "paramType": param,
        "paramValue": number(result["rate_ratio"]),
        "ciPctValue": "95",
        "ciNumSides": "TWO_SIDED",
        "ciLowerLimit": number(result.get("ci_low")),
        "ciUpperLimit": number(result.get("ci_high")),
        "pValue": number(result.get("p_value")),
        "estimateComment": f"results key {key}",
    }
    return [{k: v for k, v in out.items() if v is not None}]


def _mean_sd(values: list[float]) -> dict[str, str]:
    return {
        "value": f"{statistics.mean(values):.2f}",
        "spread": f"{statistics.stdev(values):.2f}" if len(values) > 1 else "NA",
    }


def by_treatment_measure(protocol: Protocol, snapshot: TrialSnapshot, metric: str, periods: list[int]) -> dict:
    field, unit = PERIOD_METRICS[metric]
    totals = period_totals(protocol, snapshot, field)
    groups = groups_by_treatment(protocol)
    seq = {p.participant_id: p.sequence for p in snapshot.randomised}
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


def by_sequence_measure(protocol: Protocol, snapshot: TrialSnapshot, metric: str) -> dict:
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


def safety_measure(protocol: Protocol, ae: dict[str, Any], weeks: int | None = None) -> dict[str, Any]:
    """AE counts by treatment; the statistics' ``within_window`` counts when its window equals ``weeks``."""
    groups = groups_by_treatment(protocol)
    ae = {
        t: (
            v["within_window"]
            if isinstance(v, dict) and weeks is not None and (v.get("within_window") or {}).get("weeks") == weeks
            else v
        )
        for t, v in ae.items()
    }
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


def relapse_measure(protocol: Protocol, rel: dict[str, Any]) -> dict[str, Any]:
    groups = groups_by_treatment(protocol)
    rates = rel.get("rates", {})
    meas = [{"groupId": g["id"], "value": str(rates[g["title"]]["relapses"])} for g in groups if g["title"] in rates]
    ids = [g["id"] for g in groups]
    return {
        "paramType": "NUMBER",
        "dispersionType": "NA",
        "unitOfMeasure": "relapses",
        "groups": groups,
        "classes": [{"categories": [{"measurements": meas}]}],
        "analyses": analysis_entry(rel, "relapses", ids),
    }


def progression_measure(protocol: Protocol, results: dict[str, Any]) -> dict[str, Any]:
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
                    "pValue": number(res["logrank_p"]),
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
