"""Outcome-measure building blocks for the ClinicalTrials.gov results: groups, descriptive values, denominators.

Descriptive values come from the snapshot (period totals of the MRI measures by treatment or by sequence);
analyses copy the statistics results file through :mod:`mescams.interop.ctgov_analyses`. Every measure carries
its denominators, because the registry rejects a measure without the number of participants analysed per group:
``Participants`` always, and for measures whose unit of analysis is the treatment period also
``Participant-periods`` (each participant of a crossover counts once per period).
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from typing import Any

from mescams.core.protocol import Protocol
from mescams.interop.ctgov_analyses import estimate_analysis, p_value_analysis
from mescams.interop.snapshot import TrialSnapshot

__all__ = [
    "PERIOD_METRICS",
    "by_sequence_measure",
    "by_treatment_measure",
    "denoms",
    "exposed_by_treatment",
    "groups_by_treatment",
    "period_totals",
    "progression_measure",
    "rate_ratio_analysis",
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
PERIOD_UNITS = "Participant-periods"


def treatments(protocol: Protocol) -> list[str]:
    active = [p.code for p in protocol.products if p.matches is None]
    return active + [p.code for p in protocol.products if p.matches is not None]


def denoms(counts: dict[str, int], units: str = "Participants") -> dict[str, Any]:
    """One ``Denom`` of the registry: ``units`` and a count (a string) per group id."""
    return {"units": units, "counts": [{"groupId": g, "value": str(n)} for g, n in counts.items()]}


def exposed_by_treatment(protocol: Protocol, snapshot: TrialSnapshot) -> dict[str, int]:
    """Participants who received each treatment at least once (the at-risk population of the safety measures)."""
    got: dict[str, set[str]] = defaultdict(set)
    for inf in snapshot.infusions:
        got[inf.product].add(inf.participant_id)
    return {t: len(got[t]) for t in treatments(protocol)}


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


def rate_ratio_analysis(
    result: dict[str, Any] | None, method: str, group_ids: list[str], comparison: str
) -> list[dict[str, Any]]:
    """The rate ratio of one model of the results file, with that model's own CI and p."""
    if not result:
        return []
    return estimate_analysis(
        method,
        group_ids,
        estimate=result.get("rate_ratio"),
        ci=(result.get("ci_low"), result.get("ci_high")),
        p_value=result.get("p_value"),
        comparison=comparison,
    )


def _mean_sd(values: list[float]) -> dict[str, str]:
    return {
        "value": f"{statistics.mean(values):.2f}",
        "spread": f"{statistics.stdev(values):.2f}" if len(values) > 1 else "NA",
    }


def by_treatment_measure(
    protocol: Protocol, snapshot: TrialSnapshot, metric: str, periods: list[int]
) -> dict[str, Any]:
    field, unit = PERIOD_METRICS[metric]
    totals = period_totals(protocol, snapshot, field)
    groups = groups_by_treatment(protocol)
    seq = {p.participant_id: p.sequence for p in snapshot.randomised if p.sequence}
    values: dict[str, list[float]] = {g["id"]: [] for g in groups}
    people: dict[str, set[str]] = {g["id"]: set() for g in groups}
    for (pid, period), total in sorted(totals.items()):
        if period in periods and pid in seq:
            treatment = protocol.treatment_in_period(seq[pid], period)
            gid = next(g["id"] for g in groups if g["title"] == treatment)
            values[gid].append(total)
            people[gid].add(pid)
    return {
        "paramType": "MEAN",
        "dispersionType": "STANDARD_DEVIATION",
        "unitOfMeasure": f"{unit} per period",
        "typeUnitsAnalyzed": PERIOD_UNITS,
        "denomUnitsSelected": PERIOD_UNITS,
        "groups": groups,
        "denoms": [
            denoms({g: len(p) for g, p in people.items()}),
            denoms({g: len(v) for g, v in values.items()}, PERIOD_UNITS),
        ],
        "classes": [
            {"categories": [{"measurements": [{"groupId": g, **_mean_sd(v)} for g, v in values.items() if v]}]}
        ],
    }


def by_sequence_measure(protocol: Protocol, snapshot: TrialSnapshot, metric: str) -> dict[str, Any]:
    field, unit = PERIOD_METRICS[metric]
    totals = period_totals(protocol, snapshot, field)
    groups = [
        {"id": f"OG{i:03d}", "title": s.code, "description": s.label} for i, s in enumerate(protocol.design.sequences)
    ]
    sequence = {p.participant_id: p.sequence for p in snapshot.randomized}
    classes = []
    analysed: dict[str, set[str]] = {g["id"]: set() for g in groups}
    for period in protocol.design.periods:
        meas, counted = [], {}
        for g in groups:
            rows = [
                (pid, t)
                for (pid, per), t in sorted(totals.items())
                if per == period.number and sequence.get(pid) == g["title"]
            ]
            counted[g["id"]] = len(rows)
            analysed[g["id"]].update(pid for pid, _ in rows)
            if rows:
                meas.append({"groupId": g["id"], **_mean_sd([t for _, t in rows])})
        weeks = ", ".join(map(str, period.assessment_weeks))
        classes.append(
            {
                "title": f"Period {period.number} (weeks {weeks})",
                "denoms": [denoms(counted)],
                "categories": [{"measurements": meas}],
            }
        )
    return {
        "paramType": "MEAN",
        "dispersionType": "STANDARD_DEVIATION",
        "unitOfMeasure": f"{unit} per period",
        "groups": groups,
        "denoms": [denoms({g: len(p) for g, p in analysed.items()})],
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
        "denoms": [denoms({g["id"]: int(ae[g["title"]].get("exposed", 0)) for g in groups if g["title"] in ae})],
        "classes": classes,
    }


def relapse_measure(protocol: Protocol, snapshot: TrialSnapshot, rel: dict[str, Any]) -> dict[str, Any]:
    """Relapses by treatment; denominators are the participants who received each treatment."""
    groups = groups_by_treatment(protocol)
    rates = rel.get("rates", {})
    meas = [{"groupId": g["id"], "value": str(rates[g["title"]]["relapses"])} for g in groups if g["title"] in rates]
    ids = [g["id"] for g in groups]
    exposed = exposed_by_treatment(protocol, snapshot)
    active, placebo = treatments(protocol)[:2]
    return {
        "paramType": "NUMBER",
        "dispersionType": "NA",
        "unitOfMeasure": "relapses",
        "groups": groups,
        "denoms": [denoms({g["id"]: exposed[g["title"]] for g in groups})],
        "classes": [{"categories": [{"measurements": meas}]}],
        "analyses": rate_ratio_analysis(rel, "relapses", ids, f"{active} against {placebo}"),
    }


def progression_measure(protocol: Protocol, results: dict[str, Any]) -> dict[str, Any]:
    """Kaplan-Meier progression-free proportions (first period by treatment, whole study by sequence)."""
    groups: list[dict[str, str]] = []
    counts: dict[str, int] = {}
    classes, analyses = [], []
    for key, label in (
        ("progression_period1", "First period, by treatment"),
        ("progression_study", "Whole study, by sequence"),
    ):
        res = results.get(key) or {}
        for group, n in (res.get("n") or {}).items():
            if not any(g["title"] == group for g in groups):
                groups.append({"id": f"OG{len(groups):03d}", "title": group})
                counts[groups[-1]["id"]] = int(n)
        gid = {g["title"]: g["id"] for g in groups}
        for group, landmarks in (res.get("progression_free") or {}).items():
            for week, value in landmarks.items():
                est = value.get("estimate") if isinstance(value, dict) else value
                if est is not None and group in gid:
                    classes.append(
                        {
                            "title": f"{label}: progression-free at {week.replace('_', ' ')}",
                            "categories": [{"measurements": [{"groupId": gid[group], "value": f"{est:.3f}"}]}],
                        }
                    )
        ids = [gid[g] for g in res.get("n", {}) if g in gid]
        comparison = f"{label}: {res.get('treated')} against {res.get('reference')}"
        analyses += p_value_analysis("logrank", ids, p_value=res.get("logrank_p"), comparison=comparison)
        analyses += estimate_analysis(
            "cox",
            ids,
            estimate=res.get("hazard_ratio"),
            ci=(res.get("hr_ci_low"), res.get("hr_ci_high")),
            p_value=res.get("hr_p_value"),
            comparison=comparison,
        )
    return {
        "paramType": "NUMBER",
        "dispersionType": "NA",
        "unitOfMeasure": "proportion progression-free",
        "groups": groups,
        "denoms": [denoms(counts)],
        "classes": classes,
        "analyses": analyses,
    }
