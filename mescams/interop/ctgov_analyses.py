"""The statistical analyses of the ClinicalTrials.gov outcome measures: one method per analysis, named for people.

Why a module of its own: the registry's ``MeasureAnalysis`` pairs an estimate, its confidence interval and a
p-value under one ``statisticalMethod``. Each entry here is built from exactly one result object of the statistics
results file, so a confidence interval from one model can never sit beside a p-value from another (the GEL-volume
analysis once paired the log-linear model's interval with the signed-rank test's p). The method is the registry's
name where its list has one ("Mixed Models Analysis", "Log Rank", "Regression, Cox"), otherwise a plain name
("Regression, Negative Binomial", "Wilcoxon signed-rank test"); the model itself is described in
``statisticalComment``. Internal result keys never reach the registry.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

__all__ = ["METHODS", "Method", "estimate_analysis", "number", "p_value_analysis"]


@dataclass(frozen=True)
class Method:
    """How one result was computed: the registry's method name, the model in words, the estimated parameter."""

    name: str
    detail: str
    param: str


_NB_CROSSOVER = Method(
    "Mixed Models Analysis",
    "Negative binomial (NB2) generalised linear mixed model of the count per period: treatment and period as fixed "
    "effects, the number of scans as exposure offset and a random intercept per participant; Laplace maximum "
    "likelihood, Wald 95% confidence interval and p-value. Both periods of every participant.",
    "Rate Ratio",
)
_NB_PERIOD1 = Method(
    "Regression, Negative Binomial",
    "Negative binomial (NB2) regression of the first-period count on treatment with the number of scans as "
    "exposure offset (a parallel-group comparison of period 1); Wald 95% confidence interval and p-value.",
    "Rate Ratio",
)

METHODS: dict[str, Method] = {
    "gel_crossover": _NB_CROSSOVER,
    "gel_period1": _NB_PERIOD1,
    "cua_crossover": _NB_CROSSOVER,
    "cua_period1": _NB_PERIOD1,
    "gel_within_sequence": Method(
        "Mixed Models Analysis",
        "Negative binomial (NB2) generalised linear mixed model within one sequence: second period against first "
        "period, number of scans as exposure offset, random intercept per participant; Laplace maximum likelihood, "
        "Wald 95% confidence interval and p-value.",
        "Rate Ratio (second period / first period)",
    ),
    "relapses": Method(
        "Regression, Poisson",
        "Poisson regression of relapses per period on treatment and period with log exposure-years as offset and "
        "standard errors clustered by participant (sandwich); Wald 95% confidence interval and p-value.",
        "Rate Ratio",
    ),
    "volume_loglinear": Method(
        "Mixed Models Analysis",
        "Linear mixed model of log(volume per scan + 1) on treatment and period with a random intercept per "
        "participant, maximum likelihood; the estimate is the ratio of geometric means of (volume + 1), with its "
        "Wald 95% confidence interval and p-value.",
        "Ratio of geometric means",
    ),
    "volume_signed_rank": Method(
        "Wilcoxon signed-rank test",
        "Two-sided Wilcoxon signed-rank test of the within-participant differences (active period minus placebo "
        "period) of the volume per scan; the estimate is the Hodges-Lehmann median of the Walsh averages.",
        "Median Difference (Hodges-Lehmann)",
    ),
    "cox": Method(
        "Regression, Cox",
        "Cox proportional-hazards regression of time to confirmed progression on group; Wald 95% confidence "
        "interval and p-value.",
        "Hazard Ratio (HR)",
    ),
    "logrank": Method("Log Rank", "Two-sided log-rank test of time to confirmed progression.", ""),
}


def number(x: float | None, digits: int = 3) -> str | None:
    """The registry's string for a number: 3 decimals, or 3 significant digits below 0.001; None stays None."""
    return None if x is None else f"{x:.{digits}g}" if abs(x) < 1e-3 else f"{x:.{digits}f}"


def estimate_analysis(
    method: str,
    group_ids: list[str],
    *,
    estimate: float | None,
    ci: tuple[float | None, float | None] | None,
    p_value: float | None,
    comparison: str,
) -> list[dict[str, Any]]:
    """One analysis (as a one-item list) whose estimate, CI and p all come from the method ``method``; [] when the
    method gave no estimate (a model that did not converge is not reported as if it had)."""
    if estimate is None:
        return []
    m = METHODS[method]
    entry: dict[str, Any] = {
        "groupIds": group_ids,
        "groupDescription": comparison,
        "statisticalMethod": m.name,
        "statisticalComment": m.detail,
        "paramType": m.param,
        "paramValue": number(estimate),
        "pValue": number(p_value),
    }
    if ci is not None and ci[0] is not None and ci[1] is not None:
        entry |= {
            "ciPctValue": "95",
            "ciNumSides": "TWO_SIDED",
            "ciLowerLimit": number(ci[0]),
            "ciUpperLimit": number(ci[1]),
        }
    return [{k: v for k, v in entry.items() if v is not None}]


def p_value_analysis(
    method: str, group_ids: list[str], *, p_value: float | None, comparison: str
) -> list[dict[str, Any]]:
    """A hypothesis test without an estimate (the log-rank test); [] when it was not computed."""
    if p_value is None:
        return []
    m = METHODS[method]
    return [
        {
            "groupIds": group_ids,
            "groupDescription": comparison,
            "statisticalMethod": m.name,
            "statisticalComment": m.detail,
            "pValue": number(p_value),
        }
    ]
