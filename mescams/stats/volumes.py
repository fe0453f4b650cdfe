"""Lesion volumes (GEL and black-hole volume; outcomes O4/O5): distribution-free within-participant comparison.

Per participant and period the volume is the mean over the period's scans (mm^3 per scan, so a missed scan
does not shrink the period). For participants with both periods, ``d_i = volume(active period) -
volume(placebo period)``:

- Wilcoxon signed-rank test of ``d`` (scipy; R ``wilcox.test(d, exact = ..., correct = TRUE)`` semantics:
  exact without ties or zeros for n < 50, otherwise the normal approximation with continuity correction),
- the Hodges-Lehmann estimate: the median of the Walsh averages ``(d_i + d_j) / 2, i <= j``,
- sensitivity: a log-linear mixed model ``log(volume + 1) ~ treatment + period + (1 | participant)`` by ML
  (R: ``lme4::lmer(..., REML = FALSE)``), reported as the ratio of geometric means of ``volume + 1``.

Why the random-intercept LMM is fitted here and not by statsmodels' MixedLM: on these data the participant
variance is often 0 (black-hole volume barely varies between periods), and MixedLM then stops with a singular
matrix or reports standard errors from a Hessian that includes the variance parameter (1 % off lmer's). With one
random intercept the ML problem reduces to a 1-D profile over the variance ratio ``psi = tau^2 / sigma^2``,
solved exactly below, the boundary ``psi = 0`` included; the Wald covariance is lmer's
``sigma^2 (sum_i X_i' W_i X_i)^-1``.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray
from scipy import optimize, stats

from mescams.core.protocol import Protocol
from mescams.stats.crossover import active_and_placebo
from mescams.stats.results import FittedModel, finite_or_none, wald_table

__all__ = ["VolumeComparison", "hodges_lehmann", "random_intercept_lmm", "signed_rank_test"]


def random_intercept_lmm(
    y: NDArray[np.float64], X: NDArray[np.float64], groups: NDArray[Any]
) -> tuple[NDArray[np.float64], NDArray[np.float64], float]:
    """ML fit of ``y = X beta + b_group + e``: returns ``(beta, covariance of beta, psi = tau^2 / sigma^2)``.

    For a group of size ``n``, ``V^-1 = (I - c J) / sigma^2`` with ``c = psi / (1 + n psi)`` and
    ``log|V| = n log sigma^2 + log(1 + n psi)``; given ``psi``, beta is GLS and ``sigma^2 = r'Wr / N``.
    """
    _, codes = np.unique(groups, return_inverse=True)
    sizes = np.bincount(codes)
    n_obs = len(y)

    def solve(psi: float) -> tuple[float, NDArray[np.float64], NDArray[np.float64], float]:
        c = (psi / (1.0 + sizes * psi))[codes]
        def weighted(a: NDArray[np.float64]) -> NDArray[np.float64]:  # W a, with W = I - c J within each group
            sums = np.zeros((len(sizes), *a.shape[1:]))
            np.add.at(sums, codes, a)
            return a - (c.reshape(-1, *([1] * (a.ndim - 1)))) * sums[codes]
        xtwx = X.T @ weighted(X)
        beta = np.linalg.solve(xtwx, X.T @ weighted(y))
        resid: NDArray[np.float64] = y - X @ beta
        sigma2 = float(resid @ weighted(resid)) / n_obs
        loglik = -0.5 * (n_obs * np.log(2 * np.pi * sigma2) + np.sum(np.log1p(sizes * psi)) + n_obs)
        return loglik, beta, sigma2 * np.linalg.inv(xtwx), sigma2

    best = optimize.minimize_scalar(lambda lp: -solve(float(np.exp(lp)))[0], bounds=(-25.0, 12.0),
                                    method="bounded", options={"xatol": 1e-12})
    psi = float(np.exp(best.x)) if -best.fun > solve(0.0)[0] else 0.0
    if psi < 1e-9:
        psi = 0.0
    _, beta, covariance, _ = solve(psi)
    return beta, covariance, psi


def signed_rank_test(differences: NDArray[np.float64]) -> tuple[float, float]:
    """Wilcoxon signed-rank (statistic, two-sided p) with R's ``wilcox.test`` choice of method.

    R uses the exact distribution for n < 50 without ties or zeros and otherwise the normal approximation with
    tie and continuity corrections; scipy's ``method="auto"`` differs when there are ties, so choose here.
    """
    d = np.asarray(differences, dtype=float)
    magnitudes = np.abs(d)
    exact = len(d) < 50 and np.all(d != 0) and len(np.unique(magnitudes)) == len(magnitudes)
    test = stats.wilcoxon(d, zero_method="wilcox", correction=True, method="exact" if exact else "approx")
    return float(test.statistic), float(test.pvalue)


def hodges_lehmann(differences: NDArray[np.float64]) -> float:
    """One-sample Hodges-Lehmann estimate: the median of all Walsh averages (pairs i <= j)."""
    d = np.asarray(differences, dtype=float)
    i, j = np.triu_indices(len(d))
    return float(np.median((d[i] + d[j]) / 2.0))


class VolumeComparison(FittedModel):
    """Within-participant comparison of one volume column; ``fit(totals)`` returns self.

    ``summary`` is the log-linear mixed model's table (term ``active``); the signed-rank results are
    ``statistic_``, ``p_value_``, ``hodges_lehmann_``; ``data_`` holds the per-period volumes used.
    """

    def __init__(self, protocol: Protocol, column: str) -> None:
        self.protocol = protocol
        self.column = column
        self.name = f"{column}: active vs placebo"

    def fit(self, totals: pd.DataFrame) -> VolumeComparison:
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
        late = self.protocol.design.periods[-1].number
        design = np.column_stack([np.ones(len(rows)), (rows["treatment"] == active).to_numpy(dtype=float),
                                  (rows["period"] == late).to_numpy(dtype=float)])
        try:
            beta, covariance, self.variance_ratio_ = random_intercept_lmm(
                np.log1p(rows["volume"].to_numpy(dtype=float)), design, rows["participant_id"].to_numpy())
            self.mixed_ = wald_table(["active"], beta[1:2], np.sqrt(np.diag(covariance))[1:2])
            self.summary_, self.converged_ = self.mixed_, True
        except np.linalg.LinAlgError as exc:
            self.message_ = f"log-linear mixed model not estimable: {exc}"
        return self

    def _diagnostics(self) -> dict[str, Any]:
        return {"pairs": self.n_pairs_, "wilcoxon_p": self.p_value_, "hodges_lehmann": self.hodges_lehmann_,
                "variance_ratio": getattr(self, "variance_ratio_", None), "message": self.message_}

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
