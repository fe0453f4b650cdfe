"""Checks of a ClinicalTrials.gov ``resultsSection`` against the registry's results rules that its schema misses.

The API's OpenAPI schema accepts a measure without denominators or an analysis named by an internal key; the
registry's review does not (Results Data Element Definitions: "Overall Number of Participants Analyzed" is
required for every outcome measure and arm, the baseline needs race and ethnicity, a statistical analysis names
its method). Each problem is a sentence naming the measure and the rule; an empty list means none was found.
"""

from __future__ import annotations

import re
from typing import Any

__all__ = ["INTERNAL_KEY", "results_problems"]

#: what an internal results key looks like (``gel_within_sequence.MSC-PLACEBO``, ``cua_period1``)
INTERNAL_KEY = re.compile(r"[a-z0-9]+(?:_[a-z0-9]+)+(?:\.[A-Za-z0-9_-]+)*|[a-z0-9_]+\.[A-Za-z0-9_.-]+")
BASELINE_REQUIRED = ("Race (NIH/OMB)", "Ethnicity (NIH/OMB)")


def _denom_problems(where: str, measure: dict[str, Any], group_ids: list[str]) -> list[str]:
    problems = []
    units = {d.get("units"): {c.get("groupId") for c in d.get("counts", [])} for d in measure.get("denoms", [])}
    if "Participants" not in units:
        problems.append(f"{where}: no denominator in Participants (the number analysed per group is required)")
    elif missing := [g for g in group_ids if g not in units["Participants"]]:
        problems.append(f"{where}: no number of participants analysed for group(s) {', '.join(missing)}")
    if (unit := measure.get("typeUnitsAnalyzed")) and unit not in units:
        problems.append(f"{where}: units analysed {unit!r} given without a denominator in those units")
    return problems


def _analysis_problems(where: str, analysis: dict[str, Any], group_ids: set[str]) -> list[str]:
    problems = []
    method = analysis.get("statisticalMethod") or ""
    if not method:
        problems.append(f"{where}: no statistical method")
    elif INTERNAL_KEY.fullmatch(method):
        problems.append(f"{where}: statistical method {method!r} is an internal key, not a method name")
    if unknown := [g for g in analysis.get("groupIds", []) if g not in group_ids]:
        problems.append(f"{where}: compares group(s) {', '.join(unknown)} that the measure does not have")
    low, high, value = (analysis.get(k) for k in ("ciLowerLimit", "ciUpperLimit", "paramValue"))
    if low is not None and high is not None and value is not None and not float(low) <= float(value) <= float(high):
        problems.append(f"{where}: estimate {value} outside its confidence interval {low}-{high}")
    return problems


def results_problems(section: dict[str, Any]) -> list[str]:
    """Every registry rule the section breaks, as sentences; [] when it follows them all."""
    problems: list[str] = []
    for i, m in enumerate(section.get("outcomeMeasuresModule", {}).get("outcomeMeasures", [])):
        if m.get("reportingStatus") != "POSTED":
            continue
        where = f"outcome measure {i + 1} ({m.get('title', '')[:60]})"
        ids = [g["id"] for g in m.get("groups", [])]
        problems += _denom_problems(where, m, ids)
        for j, a in enumerate(m.get("analyses", [])):
            problems += _analysis_problems(f"{where}, analysis {j + 1}", a, set(ids))
    baseline = section.get("baselineCharacteristicsModule", {})
    if baseline:
        problems += _denom_problems("baseline characteristics", baseline, [g["id"] for g in baseline.get("groups", [])])
        titles = {m.get("title") for m in baseline.get("measures", [])}
        problems += [f"baseline characteristics: no {t!r} measure" for t in BASELINE_REQUIRED if t not in titles]
    return problems
