r"""Random-effects meta-analysis by REML: the two-stage alternative to the pooled fit (a fit per trial, then this).

Trial ``k`` gives an estimate ``y_k`` with variance ``v_k``; ``y_k ~ N(mu, v_k + tau^2)``. The restricted
log-likelihood of ``tau^2`` (Viechtbauer 2005; ``metafor::rma(method = "REML")``), with ``w_k = 1/(v_k + tau^2)`` and
``mu_hat = sum w y / sum w``, is

.. math:: -\tfrac12 \left[\sum_k \log(v_k + \tau^2) + \log \sum_k w_k + \sum_k w_k (y_k - \hat\mu)^2\right]

maximised over ``tau^2 >= 0`` by Fisher scoring, as metafor does: with ``P = W - w w' / sum w``, the step is
``(y' P P y - tr P) / tr(P P)``, halved while it would leave ``tau^2`` negative (numpy only: the coordinator
loads no SciPy). Then ``mu_hat`` has SE
``(sum w)^(-1/2)``, a Wald 95 % interval and p-value; ``Q`` is Cochran's, ``I^2 = tau^2 / (tau^2 + s^2)`` with
``s^2`` the typical within-trial variance of Higgins and Thompson (2002), as metafor reports it.
"""

from __future__ import annotations

from dataclasses import dataclass
from math import erfc, sqrt
from typing import Any

import numpy as np
from numpy.typing import NDArray

__all__ = ["MetaAnalysis", "reml_meta_analysis"]


@dataclass(frozen=True)
class MetaAnalysis:
    estimate: float
    se: float
    tau2: float
    q: float
    i2: float
    k: int

    def to_dict(self) -> dict[str, Any]:
        """On the rate-ratio scale, like the contract's effects, plus the heterogeneity."""
        z = self.estimate / self.se
        return {"rate_ratio": float(np.exp(self.estimate)), "ci_low": float(np.exp(self.estimate - 1.959963984540054
                                                                                    * self.se)),
                "ci_high": float(np.exp(self.estimate + 1.959963984540054 * self.se)),
                "p_value": erfc(abs(z) / sqrt(2.0)), "log_rate_ratio": self.estimate, "se": self.se,
                "tau2": self.tau2, "q": self.q, "i2": self.i2, "n_trials": self.k, "method": "REML"}


def _restricted(tau2: float, y: NDArray[np.float64], v: NDArray[np.float64]) -> float:
    w = 1.0 / (v + tau2)
    mu = float(np.sum(w * y) / np.sum(w))
    return -0.5 * float(np.sum(np.log(v + tau2)) + np.log(np.sum(w)) + np.sum(w * (y - mu) ** 2))


def reml_meta_analysis(estimates: NDArray[np.float64] | list[float],
                       variances: NDArray[np.float64] | list[float]) -> MetaAnalysis:
    """Pool ``estimates`` (with sampling ``variances``) by the REML random-effects model (module docstring)."""
    y, v = np.asarray(estimates, dtype=float), np.asarray(variances, dtype=float)
    if len(y) < 2 or len(y) != len(v):
        raise ValueError(f"estimates: need at least 2 trials with one variance each, got {len(y)} and {len(v)}")
    if not np.all(np.isfinite(y)) or not np.all(v > 0):
        raise ValueError("variances: every estimate needs a finite value and a positive variance")
    tau2 = max(0.0, float(np.var(y, ddof=1)) - float(np.mean(v)))  # a moment start, as metafor's
    for _ in range(200):
        w = 1.0 / (v + tau2)
        p = np.diag(w) - np.outer(w, w) / np.sum(w)
        py = p @ y
        step = float((py @ py - np.trace(p)) / np.trace(p @ p))
        while tau2 + step < 0.0 and step < -1e-16:
            step /= 2.0
        tau2 = max(0.0, tau2 + step)
        if abs(step) < 1e-12 * max(1.0, tau2):
            break
    if _restricted(0.0, y, v) >= _restricted(tau2, y, v):  # the maximum is on the boundary
        tau2 = 0.0
    w = 1.0 / (v + tau2)
    w0 = 1.0 / v
    mu_fixed = float(np.sum(w0 * y) / np.sum(w0))
    q = float(np.sum(w0 * (y - mu_fixed) ** 2))
    typical = (len(y) - 1) * float(np.sum(w0)) / (float(np.sum(w0)) ** 2 - float(np.sum(w0**2)))
    return MetaAnalysis(float(np.sum(w * y) / np.sum(w)), float(np.sqrt(1.0 / np.sum(w))), tau2, q,
                        100.0 * tau2 / (tau2 + typical), len(y))
