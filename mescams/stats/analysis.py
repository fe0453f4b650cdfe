"""Run the whole statistical analysis plan on a checked analysis-data folder.

:func:`run_analysis` derives the datasets, fits every model and returns an :class:`Analysis` holding the fitted
objects (for the report) and :meth:`Analysis.results` (the contract's results JSON: ``gel_crossover``,
``gel_period1``, ``adverse_events``, plus extra keys for every other outcome). Fits that did not converge are
kept with their message; their estimates are ``None``, never a number.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from mescams.core.protocol import Protocol
from mescams.stats.analysis_data import MISSING_HANDLED, AnalysisData, missing_characteristics
from mescams.stats.crossover import (
    active_and_placebo,
    fit_carryover,
    fit_crossover,
    fit_period1,
    fit_within_sequence,
    period_term,
    treatment_term,
)
from mescams.stats.datasets import attributed_adverse_events, period_totals, relapse_counts, subject_level
from mescams.stats.relapses import RelapseRates
from mescams.stats.results import ConvergenceWarning
from mescams.stats.safety import (
    adverse_event_summary,
    adverse_events_by_soc_pt,
    adverse_events_by_term,
    serious_event_listing,
)
from mescams.stats.survival import SurvivalComparison, progression_times
from mescams.stats.volumes import VolumeComparison

__all__ = ["STEPS", "Analysis", "run_analysis"]

STEPS = ("datasets", "gel", "cua", "volumes", "relapses", "progression", "safety")


@dataclass
class Analysis:
    """Everything the report needs: datasets, fitted models and the results dictionary."""

    protocol: Protocol
    data: AnalysisData
    subjects: pd.DataFrame
    totals: pd.DataFrame
    adverse_events: pd.DataFrame
    relapses: pd.DataFrame
    models: dict[str, Any] = field(default_factory=dict)
    times: dict[str, pd.DataFrame] = field(default_factory=dict)
    safety: dict[str, Any] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)

    def results(self) -> dict[str, Any]:
        """The contract's results object (exact keys first), plus every other outcome under extra keys."""
        m = self.models
        term, late = treatment_term(self.protocol), period_term(self.protocol)
        crossover = m["gel_crossover"].to_dict(term)
        period = m["gel_crossover"]._effect(late)
        first = m["gel_period1"].to_dict(term)
        first["n_participants"] = first.pop("n_obs")
        return {
            "gel_crossover": crossover,
            "gel_period1": first,
            "adverse_events": self.safety,
            "gel_period_effect": {"rate_ratio": period["rate_ratio"], "ci_low": period["ci_low"],
                                  "ci_high": period["ci_high"], "p_value": period["p_value"]},
            "gel_carryover": m["gel_carryover"].to_dict(m["gel_carryover"].terms_[-1]),
            "gel_within_sequence": {seq: m[f"gel_within_{seq}"].to_dict(late)
                                    for seq in self._sequences()},
            "cua_crossover": m["cua_crossover"].to_dict(term),
            "cua_period1": m["cua_period1"].to_dict(term),
            "gel_volume": m["gel_volume"].to_dict(),
            "black_hole_volume": m["black_hole_volume"].to_dict(),
            "relapses": m["relapses"].to_dict(),
            "progression_period1": self._progression("progression_period1"),
            "progression_period2": self._progression("progression_period2"),
            "progression_study": self._progression("progression_study"),
            "adverse_events_by_term": adverse_events_by_term(self.adverse_events, self.protocol),
            "adverse_events_by_soc_pt": adverse_events_by_soc_pt(self.adverse_events, self.protocol),
            "serious_adverse_events": serious_event_listing(self.adverse_events),
            "populations": {flag: int(self.subjects[flag].sum())
                            for flag in ("randomised", "safety", "efficacy", "completed")},
            "input_folder_sha256": self.data.source_hash,
            "missing_data": missing_characteristics(self.data),
            "warnings": self.warnings,
        }

    def _sequences(self) -> list[str]:
        return [s.code for s in self.protocol.design.sequences]

    def _progression(self, key: str) -> dict[str, Any]:
        """Survival results; progression-free proportions only at landmarks inside the analysis' follow-up
        (a period analysis follows 24 weeks, so it has no week-48 value)."""
        comparison: SurvivalComparison = self.models[key]
        out = comparison.to_dict()
        landmarks = _landmarks(self.protocol)
        if key != "progression_study":
            landmarks = landmarks[:1]
        out["progression_free"] = {
            group: {f"week_{w}": comparison.survival_at(group, day) for w, day in landmarks}
            for group in (comparison.reference, comparison.treated)
        }
        return out


def _landmarks(protocol: Protocol) -> list[tuple[int, int]]:
    """(week, study day) at the end of each period's last visit window: where progression-free is read."""
    out = []
    for period in protocol.design.periods:
        visit = protocol.visit_at_week(period.end_week)
        out.append((period.end_week, 7 * period.end_week + 1 + visit.window_after_days))
    return out


def run_analysis(data: AnalysisData, protocol: Protocol,
                 progress: Callable[[str], None] | None = None) -> Analysis:
    """Derive the datasets and fit every model of the plan; ``progress(step)`` is called before each step."""
    def step(name: str) -> None:
        if progress:
            progress(name)

    step("datasets")
    analysis = Analysis(protocol, data, subject_level(data, protocol), period_totals(data, protocol),
                        attributed_adverse_events(data, protocol), relapse_counts(data, protocol))
    totals, m = analysis.totals, analysis.models
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", ConvergenceWarning)
        step("gel")
        m["gel_crossover"] = fit_crossover(totals, protocol)
        m["gel_period1"] = fit_period1(totals, protocol)
        m["gel_carryover"] = fit_carryover(totals, protocol)
        for sequence in analysis._sequences():
            m[f"gel_within_{sequence}"] = fit_within_sequence(totals, protocol, sequence)
        step("cua")
        m["cua_crossover"] = fit_crossover(totals, protocol, "cua_total")
        m["cua_period1"] = fit_period1(totals, protocol, "cua_total")
        step("volumes")
        m["gel_volume"] = VolumeComparison(protocol, "gel_volume_mm3").fit(totals)
        m["black_hole_volume"] = VolumeComparison(protocol, "black_hole_volume_mm3").fit(totals)
        step("relapses")
        m["relapses"] = RelapseRates(protocol).fit(analysis.relapses)
        step("progression")
        active, placebo = active_and_placebo(protocol)
        first, second = (s.code for s in protocol.design.sequences)
        for key, analysis_name, reference, treated in (("progression_period1", "period1", placebo, active),
                                                       ("progression_period2", "period2", placebo, active),
                                                       ("progression_study", "study", second, first)):
            times = progression_times(data, protocol, analysis=analysis_name)
            analysis.times[key] = times
            m[key] = SurvivalComparison(reference, treated, name=f"sustained progression ({analysis_name})"
                                        ).fit(times)
        step("safety")
        analysis.safety = adverse_event_summary(analysis.adverse_events, analysis.subjects, protocol)
    analysis.warnings = [*missing_data_warnings(data),
                         *(str(w.message) for w in caught if issubclass(w.category, ConvergenceWarning))]
    return analysis


def missing_data_warnings(data: AnalysisData) -> list[str]:
    """One warning per characteristic missing for some participants, saying whom and what the plan did."""
    return [f"participants.csv: {column} missing for {len(people)} participant(s) ({', '.join(people)}): "
            f"{MISSING_HANDLED[column]}" for column, people in missing_characteristics(data).items()]
