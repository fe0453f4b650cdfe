"""The one result type of the NB2 fits: a batch of trials, with a single-trial view."""

from __future__ import annotations

from dataclasses import dataclass, fields, replace

import numpy as np
from numpy.typing import NDArray
from scipy import stats

from mescams.stats.nb2.data import NB2Data
from mescams.stats.nb2.linalg import solve_positive_definite
from mescams.stats.nb2.optimiser import to_z, z_limits
from mescams.stats.nb2.spec import Z_975

__all__ = ["NB2Fit", "make_result"]

Array = NDArray[np.float64]


@dataclass(frozen=True)
class NB2Fit:
    """Fits of ``T`` trials: every field has the trials on its first axis; ``trial(i)`` is trial i alone.

    ``theta`` is infinity and ``random_intercept_sd`` 0 where the fit ended on that limit (``theta_boundary``,
    ``sd_boundary``; ``at_bound``: either); the SD is NaN for a GLM. ``se``: Wald standard errors of beta, from
    the observed information of all parameters (mixed model, as glmmTMB's ``sdreport``) or from the GLM's
    information at the estimated theta (``MASS::glm.nb``'s convention). ``covariance``: the inverse information
    of all parameters not on a limit. ``term``: the column the rate-ratio properties read (the treatment's).
    """

    beta: Array
    se: Array
    theta: Array
    random_intercept_sd: Array
    loglik: Array
    converged: NDArray[np.bool_]
    at_bound: NDArray[np.bool_]
    theta_boundary: NDArray[np.bool_]
    sd_boundary: NDArray[np.bool_]
    iterations: NDArray[np.int64]
    max_gradient: Array
    covariance: Array
    random_effects: Array
    n_participants: NDArray[np.int64]
    n_periods: NDArray[np.int64]
    term: int = 1

    def trial(self, i: int) -> NB2Fit:
        """Trial ``i`` alone (a batch of one)."""
        return replace(self, **{f.name: getattr(self, f.name)[i:i + 1] for f in fields(self) if f.name != "term"})

    @property
    def log_rate_ratio(self) -> Array:
        return self.beta[:, self.term]

    @property
    def rate_ratio(self) -> Array:
        return np.exp(self.log_rate_ratio)

    @property
    def ci_low(self) -> Array:
        return np.exp(self.log_rate_ratio - Z_975 * self.se[:, self.term])

    @property
    def ci_high(self) -> Array:
        with np.errstate(over="ignore"):
            return np.exp(self.log_rate_ratio + Z_975 * self.se[:, self.term])

    @property
    def p_value(self) -> Array:
        return np.asarray(2.0 * stats.norm.sf(np.abs(self.log_rate_ratio / self.se[:, self.term])))


def make_result(data: NB2Data, phi: Array, hess: Array, ll: Array, converged: NDArray[np.bool_],
                iterations: NDArray[np.int64], gradient: Array | None = None, b: Array | None = None) -> NB2Fit:
    """Standard errors, boundary flags and the reported estimates from each trial's optimum."""
    p, n_t, k = data.X.shape[0], data.n_trials, phi.shape[1]
    lower, upper = z_limits(p, data.random_intercept)
    z = to_z(phi, p)
    at_limit = (z <= lower * (1 + 1e-6)) | (z >= upper * (1 - 1e-6))
    # The observed information; a parameter held at its limit is treated as known.
    info = -hess * ~at_limit[:, :, None] * ~at_limit[:, None, :] + np.eye(k) * at_limit[:, :, None]
    cov, posdef = solve_positive_definite(info, np.broadcast_to(np.eye(k), info.shape).copy())
    cov[~posdef] = np.nan
    if data.random_intercept:
        var = np.diagonal(cov, axis1=1, axis2=2)[:, :p]
    else:  # glm.nb: the information of the GLM with theta fixed, weights mu theta / (theta + mu)
        theta = np.exp(phi[:, p])[:, None]
        mu = np.exp(np.minimum(np.einsum("pmtn,tp->mtn", data.X, phi[:, :p]) + data.offset, 700.0))
        fisher = np.zeros((n_t, p, p))
        fisher[:, data.upper[0], data.upper[1]] = fisher[:, data.upper[1], data.upper[0]] = np.einsum(
            "kmtn,mtn->tk", data.XX, mu * theta / (theta + mu))
        glm_cov, posdef = solve_positive_definite(fisher, np.broadcast_to(np.eye(p), fisher.shape).copy())
        var = np.where(posdef[:, None], np.diagonal(glm_cov, axis1=1, axis2=2), np.nan)
    theta_bound = at_limit[:, p] & (phi[:, p] > 0)
    sd_bound = at_limit[:, p + 1] & (phi[:, p + 1] < 0) if data.random_intercept else np.zeros(n_t, dtype=bool)
    free_gradient = np.where(at_limit, 0.0, gradient) if gradient is not None else np.full((n_t, k), np.nan)
    return NB2Fit(
        beta=phi[:, :p].copy(),
        se=np.sqrt(np.where(var > 0, var, np.nan)),
        theta=np.where(theta_bound, np.inf, np.exp(phi[:, p])),
        random_intercept_sd=(np.where(sd_bound, 0.0, np.exp(phi[:, p + 1])) if data.random_intercept
                             else np.full(n_t, np.nan)),
        loglik=ll,
        converged=converged & posdef & np.isfinite(ll),
        at_bound=at_limit.any(axis=1),
        theta_boundary=theta_bound,
        sd_boundary=sd_bound,
        iterations=iterations,
        max_gradient=np.abs(free_gradient).max(axis=1),
        covariance=cov,
        random_effects=b if b is not None else np.full((n_t, data.y.shape[2]), np.nan),
        n_participants=data.any_present.sum(-1),
        n_periods=data.present.sum(axis=(0, 2)),
    )
