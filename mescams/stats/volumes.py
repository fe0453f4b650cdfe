"""Lesion volumes (GEL and black-hole volume; outcomes O4/O5): distribution-free within-participant comparison.

Per participant and period the volume is the mean over the period's scans (mm^3 per scan, so a missed scan
does not shrink the period). For participants with both periods, ``d_i = volume(active period) -
volume(placebo period)``:

- Wilcoxon signed-rank test of ``d`` (scipy; R ``wilcox.test(d, exact = ..., correct = TRUE)`` semantics:
  exact without ties or zeros for n < 50, otherwise the normal approximation with continuity correction),
- the Hodges-Lehmann estimate: the median of the Walsh averages ``(d_i + d_j) / 2, i <= j``,
- sensitivity: a log-linear mixed model ``log(volume + 1) ~ treatment + period + (1 | participant)`` (statsmodels
  MixedLM by ML), reported as the ratio of geometric means of ``volume + 1``.
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from mescams.core.protocol import Protocol
from mescams.stats.crossover import active_and_placebo
from mescams.stats.results import finite_or_none, wald_table

__all__ = ["VolumeComparison", "hodges_lehmann", "signed_rank_test"]


def signed_rank_test(differences: np.ndarray) -> tuple[float, float]:
    """Wilcoxon signed-rank (statistic, two-sided p) with R's ``wilcox.test`` choice of method.

    R uses the exact distribution for n < 50 without ties or zeros and otherwise the normal approximation with
    tie and continuity corrections; scipy's ``method="auto"`` differs when there are ties, so choose here.
    """
    d = np.asarray(differences, dtype=float)
    magnitudes = np.abs(d)
    exact = len(d) < 50 and np.all(d != 0) and len(np.unique(magnitudes)) == len(magnitudes)
    test = stats.wilcoxon(d, zero_method="wilcox", correction=True, method="exact" if exact else "approx")
    return float(test.statistic), float(test.pvalue)


def hodges_lehmann(differences: np.ndarray) -> float:
    """One-sample Hodges-Lehmann estimate: the median of all Walsh averages (pairs i <= j)."""
    d = np.asarray(differences, dtype=float)
    i, j = np.triu_indices(len(d))
    return float(np.median((d[i] + d[j]) / 2.0))


class VolumeComparison:
    """Within-participant comparison of one volume column; ``fit(totals)`` returns self."""

    def __init__(self, protocol: Protocol, column: str) -> None:
        self.protocol = protocol
        self.column = column
        self.name = f"{column}: active vs placebo"

    def fit(self, totals: pd.DataFrame) -> VolumeComparison:
        import statsmodels.formula.api as smf

        active, placebo = active_and_placebo(self.protocol)
        rows = totals.assign(volume=totals[self.column] / totals["n_scans"])
        wide = rows.pivot(index="participant_id", columns="treatment", values="volume").dropna()
        self.data_ = rows
        self.n_pairs_ = len(wide)
        self.differences_ = (wide[active] - wide[placebo]).to_numpy() if len(wide) else np.array([])
        self.median_by_treatment_ = rows.groupby("treatment")["volume"].median().to_dict()
        self.statistic_ = self.p_value_ = self.hodges_lehmann_ = float("nan")
        self.message_ = "ok"
        if self.n_pairs_ and np.any(self.differences_ != 0):
            self.statistic_, self.p_value_ = signed_rank_test(self.differences_)
            self.hodges_lehmann_ = hodges_lehmann(self.differences_)
        else:
            self.message_ = "no participant with a non-zero difference: the test is not defined"
        self.mixed_ = None
        frame = rows.assign(log_volume=np.log1p(rows["volume"]),
                            active=(rows["treatment"] == active).astype(float),
                            late=(rows["period"] == self.protocol.design.periods[-1].number).astype(float))
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                fit = smf.mixedlm("log_volume ~ active + late", frame, groups=frame["participant_id"]).fit(reml=False)
            if fit.converged:
                self.mixed_ = wald_table(["active"], np.array([fit.params["active"]]), np.array([fit.bse["active"]]))
        except (ValueError, np.linalg.LinAlgError) as exc:
            self.message_ = f"log-linear mixed model not estimable: {exc}"
        return self

    def to_dict(self) -> dict[str, Any]:
        mixed = self.mixed_.loc["active"] if self.mixed_ is not None else None
        return {
            "n_pairs": self.n_pairs_,
            "median_per_scan_by_treatment": {k: finite_or_none(v) for k, v in self.median_by_treatment_.items()},
            "wilcoxon_statistic": finite_or_none(self.statistic_),
            "wilcoxon_p_value": finite_or_none(self.p_value_),
            "hodges_lehmann_difference": finite_or_none(self.hodges_lehmann_),
            "loglinear_ratio": finite_or_none(mixed["exp(coef)"]) if mixed is not None else None,
            "loglinear_ci_low": finite_or_none(mixed["exp(ci_low)"]) if mixed is not None else None,
            "loglinear_ci_high": finite_or_none(mixed["exp(ci_high)"]) if mixed is not None else None,
            "loglinear_p_value": finite_or_none(mixed["p"]) if mixed is not None else None,
            "message": self.message_,
        }
