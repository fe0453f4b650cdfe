"""Efficacy outputs: primary (Table 14.2.1), secondary (Table 14.2.2) and the forest plot (Figure 14.2.1).

Descriptive values are computed from the snapshot (period totals by treatment); every estimate, interval and
p-value is copied from the statistics results file (``mescams analyze --json``), never recomputed, and each row
shows one model's estimate, CI and p together, named as in the ClinicalTrials.gov results
(:data:`mescams.interop.ctgov_analyses.METHODS`). A model that gave no estimate prints "not estimated".
"""

from __future__ import annotations

import io
import statistics
from typing import Any

from mescams.core.protocol import Protocol
from mescams.interop.ctgov_analyses import METHODS
from mescams.interop.ctgov_measures import PERIOD_METRICS, period_totals, treatments
from mescams.interop.snapshot import TrialSnapshot
from mescams.interop.tlf.model import Output

__all__ = ["forest_figure", "primary_efficacy_table", "secondary_efficacy_table"]

NOT_ESTIMATED = "not estimated"


def _p(value: float | None) -> str:
    return NOT_ESTIMATED if value is None else "<0.001" if value < 0.001 else f"{value:.3f}"


def _estimate(est: float | None, low: float | None, high: float | None) -> str:
    if est is None:
        return NOT_ESTIMATED
    return f"{est:.2f} ({low:.2f}, {high:.2f})" if low is not None and high is not None else f"{est:.2f}"


def _model_row(label: str, method: str, r: dict[str, Any] | None, keys: tuple[str, str, str, str]) -> tuple[str, ...]:
    r = r or {}
    est, low, high, p = (r.get(k) for k in keys)
    return (label, METHODS[method].name, METHODS[method].param, _estimate(est, low, high), _p(p))


RATE = ("rate_ratio", "ci_low", "ci_high", "p_value")
MODEL_COLUMNS = ("Comparison", "Method", "Parameter", "Estimate (95% CI)", "p-value")


def _descriptive_rows(protocol: Protocol, snapshot: TrialSnapshot, metric: str, label: str) -> list[tuple[str, ...]]:
    field, unit = PERIOD_METRICS[metric]
    totals = period_totals(protocol, snapshot, field)
    sequence = {p.participant_id: p.sequence for p in snapshot.randomized if p.sequence}
    rows: list[tuple[str, ...]] = []
    for t in treatments(protocol):
        values = [
            v for (pid, period), v in totals.items()
            if pid in sequence and protocol.treatment_in_period(sequence[pid], period) == t
        ]  # fmt: skip
        sd = f"{statistics.stdev(values):.2f}" if len(values) > 1 else "-"
        rows.append(
            (
                f"{label}, {unit} per period: {t}",
                "Descriptive",
                "n periods; mean (SD); median",
                f"{len(values)}; {statistics.mean(values):.2f} ({sd}); {statistics.median(values):.1f}"
                if values
                else "0",
                "",
            )
        )
    return rows


def primary_efficacy_table(protocol: Protocol, snapshot: TrialSnapshot, results: dict[str, Any]) -> Output:
    active, placebo = treatments(protocol)[:2]
    primary = next(o for o in protocol.outcomes if o.type == "primary" and "gadolinium" in o.description.lower())
    rows = [
        *_descriptive_rows(protocol, snapshot, "gel", "GEL"),
        _model_row(f"GEL, {active} vs {placebo}, both periods (primary)", "gel_crossover",
                   results.get("gel_crossover"), RATE),
        _model_row(f"GEL, {active} vs {placebo}, first period only", "gel_period1", results.get("gel_period1"), RATE),
    ]  # fmt: skip
    return Output(
        "Table",
        "14.2.1",
        f"Primary efficacy outcome {primary.id}: {primary.description.split('. ')[0].rstrip('.')}",
        "Efficacy population: randomised participants with at least one scan in a period",
        MODEL_COLUMNS,
        tuple(rows),
        (
            primary.description,
            "GEL: gadolinium-enhancing lesions; period total: sum over the period's scans "
            + "; ".join(
                f"period {p.number}: weeks {', '.join(map(str, p.assessment_weeks))}" for p in protocol.design.periods
            )
            + ".",
            "Rate ratio below 1 favours the active treatment. " + METHODS["gel_crossover"].detail,
        ),
    )


def secondary_efficacy_table(protocol: Protocol, snapshot: TrialSnapshot, results: dict[str, Any]) -> Output:
    active, placebo = treatments(protocol)[:2]
    versus = f"{active} vs {placebo}"
    loglinear = ("loglinear_ratio", "loglinear_ci_low", "loglinear_ci_high", "loglinear_p_value")
    signed_rank = ("hodges_lehmann_difference", "none", "none", "wilcoxon_p_value")
    rows: list[tuple[str, ...]] = [
        *_descriptive_rows(protocol, snapshot, "cua", "CUA"),
        _model_row(f"CUA, {versus}, both periods", "cua_crossover", results.get("cua_crossover"), RATE),
        _model_row(f"CUA, {versus}, first period only", "cua_period1", results.get("cua_period1"), RATE),
    ]
    for s in protocol.design.sequences:
        r = (results.get("gel_within_sequence") or {}).get(s.code)
        rows.append(_model_row(f"GEL, second vs first period, sequence {s.code}", "gel_within_sequence", r, RATE))
    for metric, label in (("gel_volume", "GEL volume"), ("black_hole_volume", "Black-hole volume")):
        rows.append(_model_row(f"{label}, {versus}", "volume_loglinear", results.get(metric), loglinear))
        rows.append(_model_row(f"{label}, {versus}", "volume_signed_rank", results.get(metric), signed_rank))
    rel = results.get("relapses") or {}
    for t, rate in (rel.get("rates") or {}).items():
        rows.append((f"Relapses: {t}", "Descriptive", "relapses; annualised rate",
                     f"{rate['relapses']}; {rate['annualised_rate']:.3f}", ""))  # fmt: skip
    rows.append(_model_row(f"Relapses, {versus}", "relapses", rel, RATE))
    for key, label in (("progression_period1", "first period"), ("progression_study", "whole study, by sequence")):
        r = results.get(key) or {}
        events = ", ".join(f"{g}: {r.get('events', {}).get(g, 0)}/{n}" for g, n in (r.get("n") or {}).items())
        rows.append((f"Sustained progression, {label}: events", "Descriptive", "events / participants",
                     events or "-", ""))  # fmt: skip
        rows.append(_model_row(f"Sustained progression, {label}", "logrank", r, ("none", "none", "none", "logrank_p")))
        rows.append(_model_row(f"Sustained progression, {label}", "cox", r,
                               ("hazard_ratio", "hr_ci_low", "hr_ci_high", "hr_p_value")))  # fmt: skip
    return Output(
        "Table",
        "14.2.2",
        "Secondary efficacy outcomes",
        "Efficacy population",
        MODEL_COLUMNS,
        tuple(rows),
        (
            "CUA: combined unique active lesions. Each row's estimate, confidence interval and p-value come from "
            "the one method named in the row.",
            "Volumes: " + METHODS["volume_loglinear"].detail + " " + METHODS["volume_signed_rank"].detail,
            "'not estimated': the model gave no estimate (for example no event in a group); see the DSMB report.",
        ),
    )


def forest_figure(protocol: Protocol, results: dict[str, Any]) -> Output:
    """Figure 14.2.1: rate ratios with 95% CIs on a log scale (matplotlib, PNG)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    active, placebo = treatments(protocol)[:2]
    wanted = [
        ("GEL, both periods (primary)", results.get("gel_crossover")),
        ("GEL, first period", results.get("gel_period1")),
        ("CUA, both periods", results.get("cua_crossover")),
        ("CUA, first period", results.get("cua_period1")),
        ("Relapses", results.get("relapses")),
    ]
    shown = [(label, r) for label, r in wanted if r and r.get("rate_ratio") is not None and r.get("ci_low") is not None]
    from matplotlib.ticker import FixedLocator, NullFormatter, NullLocator

    fig, ax = plt.subplots(figsize=(7, 0.45 * len(shown) + 1.3))
    for y, (_, r) in enumerate(reversed(shown)):
        ax.plot([r["ci_low"], r["ci_high"]], [y, y], color="black")
        ax.plot(r["rate_ratio"], y, "s", color="black")
    ax.axvline(1.0, linestyle="--", color="grey")
    ax.set_xscale("log")
    ticks = [
        t
        for t in (0.1, 0.25, 0.5, 1.0, 2.0, 4.0, 10.0)
        if min([r["ci_low"] for _, r in shown] + [1.0]) / 2 <= t <= max([r["ci_high"] for _, r in shown] + [1.0]) * 2
    ]
    ax.xaxis.set_major_locator(FixedLocator(ticks))
    ax.set_xticklabels([f"{t:g}" for t in ticks])
    ax.xaxis.set_minor_locator(NullLocator())
    ax.xaxis.set_minor_formatter(NullFormatter())
    ax.set_yticks(range(len(shown)), [label for label, _ in reversed(shown)])
    ax.set_xlabel(f"Rate ratio, {active} / {placebo} (95% CI, log scale)")
    fig.tight_layout()
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=150)
    plt.close(fig)
    rows = tuple(
        (label, f"{r['rate_ratio']:.2f}", f"{r['ci_low']:.2f}", f"{r['ci_high']:.2f}", _p(r.get("p_value")))
        for label, r in shown
    )
    return Output(
        "Figure",
        "14.2.1",
        f"Rate ratios of {active} against {placebo} with 95% confidence intervals",
        "Efficacy population",
        ("Outcome", "Rate ratio", "95% CI lower", "95% CI upper", "p-value"),
        rows,
        ("Below 1 favours the active treatment. Estimates from the statistics results file.",),
        image_png=buffer.getvalue(),
    )
