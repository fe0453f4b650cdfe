"""Render the DSMB report (HTML with embedded figures; PDF through WeasyPrint) from a finished analysis.

Everything printed comes from the fitted objects: the methods text is written from what was actually fitted
(number of participants and periods, convergence, boundary estimates), and a model that did not converge
appears as "not estimated" with its reason, never with a number.
"""

from __future__ import annotations

import datetime as dt
import platform
from collections.abc import Mapping, Sequence
from importlib import metadata
from pathlib import Path
from typing import Any

import pandas as pd
from jinja2 import Environment, PackageLoader, select_autoescape

from mescams.stats.analysis import Analysis
from mescams.stats.crossover import period_term, treatment_term
from mescams.stats.report import figures
from mescams.stats.validation import SCENARIOS

__all__ = ["render_html", "software_versions", "write_pdf"]

PACKAGES = ("mescams", "numpy", "scipy", "pandas", "statsmodels", "lifelines", "matplotlib", "Jinja2",
            "weasyprint")
NOT_ESTIMATED = "not estimated"


def software_versions() -> dict[str, str]:
    versions = {"python": platform.python_version()}
    for name in PACKAGES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = "not installed"
    return versions


def fmt(value: Any, digits: int = 2) -> str:
    """A number for the report; None (not estimated) prints as such."""
    if value is None or (isinstance(value, float) and value != value):
        return NOT_ESTIMATED
    if isinstance(value, float) and value == float("inf"):
        return "infinity (boundary)"
    return f"{value:.{digits}f}"


def fmt_p(value: float | None) -> str:
    if value is None:
        return NOT_ESTIMATED
    return "< 0.001" if value < 0.001 else f"{value:.3f}"


def _consort(analysis: Analysis) -> list[dict[str, Any]]:
    subjects = analysis.subjects
    rows = []
    for sequence in analysis.protocol.design.sequences:
        mine = subjects[subjects["sequence"] == sequence.code]
        rows.append({
            "sequence": sequence.code,
            "label": sequence.label,
            "randomised": len(mine),
            "infusion1": int(mine["infusion1_date"].notna().sum()),
            "infusion2": int(mine["infusion2_date"].notna().sum()),
            "efficacy": int(mine["efficacy"].sum()),
            "completed": int(mine["completed"].sum()),
        })
    return rows


def _baseline(subjects: pd.DataFrame, sequences: list[str]) -> list[dict[str, Any]]:
    groups = {s: subjects[subjects["sequence"] == s] for s in sequences} | {"All": subjects}

    def per_group(fn: Any) -> dict[str, str]:
        return {name: fn(rows) if len(rows) else "-" for name, rows in groups.items()}

    def mean_sd(column: str) -> Any:
        return lambda rows: f"{rows[column].mean():.1f} ({rows[column].std():.1f})"

    def median_iqr(column: str) -> Any:
        return lambda rows: (f"{rows[column].median():.1f} ({rows[column].quantile(0.25):.1f}-"
                             f"{rows[column].quantile(0.75):.1f})")

    def count(column: str, value: str) -> Any:
        return lambda rows: f"{int((rows[column] == value).sum())} ({100 * (rows[column] == value).mean():.0f} %)"

    table = [{"label": "Participants, n", "values": per_group(lambda rows: str(len(rows)))},
             {"label": "Age, years: mean (SD)", "values": per_group(mean_sd("age"))},
             {"label": "Female, n (%)", "values": per_group(count("sex", "F"))}]
    for course in ("RRMS", "SPMS", "PPMS"):
        table.append({"label": f"{course}, n (%)", "values": per_group(count("ms_course", course))})
    table += [{"label": "EDSS: median (IQR)", "values": per_group(median_iqr("baseline_edss"))},
              {"label": "Weight, kg: mean (SD)", "values": per_group(mean_sd("weight_kg"))},
              {"label": "Baseline GEL: mean (SD)", "values": per_group(mean_sd("baseline_gel"))}]
    for column, label in (("sex", "sex"), ("age", "age"), ("ms_course", "MS course"), ("baseline_edss", "EDSS"),
                          ("weight_kg", "weight")):
        if subjects[column].isna().any():  # missing data are shown, never silently left out of a denominator
            table.append({"label": f"Not recorded: {label}, n",
                          "values": per_group(lambda rows, c=column: str(int(rows[c].isna().sum())))})
    for site in sorted(subjects["site"].unique()):
        table.append({"label": f"Site {site}, n (%)", "values": per_group(count("site", site))})
    return table


def _mixed_method(model: Any, what: str) -> str:
    if not model.converged_:
        return f"{what}: the fit did not converge ({model.message_}); no estimate is reported."
    text = (f"{what}: NB2 mixed model with a random intercept per participant fitted to {model.n_obs_} period "
            f"totals of {model.n_groups_} participants by maximum likelihood with the Laplace approximation "
            f"(Newton iteration with the exact gradient and Hessian, {model.iterations_} iterations, final max "
            f"|gradient| {model.max_gradient_:.1e}); Wald 95 % CIs from the inverse Hessian.")
    if model.boundary_:
        text += f" Note: {model.message_.removeprefix('converged; ')}."
    return text


def _glm_method(model: Any, what: str) -> str:
    if not model.converged_:
        return f"{what}: the fit did not converge ({model.message_}); no estimate is reported."
    text = (f"{what}: NB2 regression on {model.n_obs_} observations, theta by maximum likelihood "
            f"({fmt(model.theta_, 3)}), standard errors of the GLM at that theta (as MASS::glm.nb).")
    if getattr(model, "poisson_boundary_", False):
        text += " Theta is at its boundary (no overdispersion): the estimates are those of the Poisson fit."
    return text


def _methods(analysis: Analysis) -> list[str]:
    m = analysis.models
    protocol = analysis.protocol
    periods = "; ".join(f"period {p.number}: weeks {', '.join(map(str, p.assessment_weeks))}"
                        for p in protocol.design.periods)
    dp = protocol.disability_progression
    window = next(o.time_frame_weeks for o in protocol.outcomes if o.id == "O1")
    lines = [
        f"Period totals: sum of GEL (or combined unique active lesions) over the scans done in each period "
        f"({periods}); log(number of scans) enters as an offset; a period without a scan is left out. Placebo "
        f"and period 1 are the reference levels.",
        _mixed_method(m["gel_crossover"], "Primary analysis (GEL, treatment + period)"),
        _glm_method(m["gel_period1"], "Period 1 alone (parallel groups)"),
        _glm_method(m["gel_carryover"], "Carry-over test (participant totals over both periods by sequence)"),
    ]
    for sequence in (s.code for s in analysis.protocol.design.sequences):
        lines.append(_mixed_method(m[f"gel_within_{sequence}"], f"Weeks 28-48 vs 4-24 within {sequence}"))
    lines += [
        _mixed_method(m["cua_crossover"], "Combined unique activity (treatment + period)"),
        _glm_method(m["cua_period1"], "Combined unique activity, period 1"),
        "Volumes (GEL and black holes): mean volume per scan in each period; Wilcoxon signed-rank test of the "
        "within-participant difference (active - placebo) with the Hodges-Lehmann estimate; sensitivity: "
        "linear mixed model of log(volume + 1) with treatment and period, random intercept, ML.",
        f"Relapses: confirmed relapses per period, Poisson GLM with log(exposure years) offset, treatment and "
        f"period, participant-clustered standard errors ({analysis.models['relapses'].message_}).",
        f"Sustained disability progression: the protocol's definition (EDSS increase >= "
        f"{dp.min_increase_low_baseline:g} from a baseline below {dp.high_baseline_from:g}, >= "
        f"{dp.min_increase_high_baseline:g} from {dp.high_baseline_from:g} or more, confirmed at the next "
        f"assessment >= {dp.confirmation_weeks} weeks later), applied by the clinical core. Period 1 from infusion "
        f"1 with the randomisation baseline; period 2 from infusion 2, re-baselined at the cross-over visit; whole "
        f"study by sequence. Kaplan-Meier per group with log(-log) 95 % CIs, log-rank test, Cox model with Efron "
        f"ties (Wald CI). Progression-free proportions are read at the end of the visit window of each period's "
        f"last visit.",
        f"Safety: each adverse event is attributed to the treatment of the infusion most recently preceding its "
        f"onset (onset on an infusion day counts for that infusion); events before the first infusion are "
        f"reported as pre-treatment. Proportions of exposed participants with exact (Clopper-Pearson) 95 % CIs, "
        f"over the whole study and within {window} weeks of the attributed infusion.",
        f"Validation: the NB2 mixed and regression models, the relapse, volume and survival analyses are checked "
        f"against R (glmmTMB nbinom2, MASS::glm.nb, glm, lme4, wilcox.test, survival) on {len(SCENARIOS)} "
        f"generated datasets to 1e-4 relative (tests/unit/stats).",
    ]
    return lines


def _forest_rows(analysis: Analysis) -> list[dict[str, Any]]:
    term = treatment_term(analysis.protocol)
    m = analysis.models
    rows = [("GEL, crossover (primary)", m["gel_crossover"]._effect(term)),
            ("GEL, period 1 only", m["gel_period1"]._effect(term)),
            ("CUA, crossover", m["cua_crossover"]._effect(term)),
            ("CUA, period 1 only", m["cua_period1"]._effect(term)),
            ("Relapses (Poisson)", m["relapses"]._effect(getattr(m["relapses"], "term_", term)))]
    return [{"label": label, **effect} for label, effect in rows]


def render_html(analysis: Analysis, results: dict[str, Any],
                tlf_outputs: Sequence[Mapping[str, Any]] = ()) -> str:
    """The full report as one self-contained HTML page (figures embedded as PNG data URIs).

    ``tlf_outputs`` are the numbered tables and listings of ``mescams export tlf`` as their ``tlf.json`` holds
    them (label, title, population, columns, rows, footnotes): the report shows them as delivered. They arrive as
    plain data because the statistics area does not import the exports that build them.
    """
    protocol = analysis.protocol
    data = analysis.data
    sequences = [s.code for s in protocol.design.sequences]
    env = Environment(loader=PackageLoader("mescams.stats.report", "templates"),
                      autoescape=select_autoescape(["html"]))
    env.filters["fmt"] = fmt
    env.filters["fmt_p"] = fmt_p
    progression = {key: analysis.models[key] for key in ("progression_period1", "progression_period2",
                                                         "progression_study")}
    context = {
        "protocol": protocol,
        "generated": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "folder_hash": data.source_hash,
        "versions": software_versions(),
        "consort": _consort(analysis),
        "pre_treatment_only": int((~analysis.subjects["safety"]).sum()),
        "baseline": _baseline(analysis.subjects, sequences),
        "sequences": sequences,
        "results": results,
        "models": analysis.models,
        "term": treatment_term(protocol),
        "period_term": period_term(protocol),
        "methods": _methods(analysis),
        "forest_rows": _forest_rows(analysis),
        "figures": {
            "gel_by_visit": figures.gel_by_visit(data.mri, data.participants,
                                                 [p.infusion_week for p in protocol.design.periods]),
            "spaghetti": figures.spaghetti(data.mri, data.participants),
            "forest": figures.forest_plot(_forest_rows(analysis)),
            **{key: figures.km_curves(model.km_, model.name) for key, model in progression.items() if model.km_},
        },
        "treatments": [*protocol.design.treatments, "PRE_TREATMENT"],
        "grades": ("1", "2", "3", "4", "5"),
        "tlf_outputs": list(tlf_outputs),
    }
    return env.get_template("report.html").render(**context)


def write_pdf(html: str, path: Path) -> None:
    """Print the HTML report to PDF with WeasyPrint."""
    from weasyprint import HTML

    HTML(string=html).write_pdf(str(path))
