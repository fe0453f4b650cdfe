"""Negative binomial (NB2) mixed model with a random intercept, by Laplace maximum likelihood (as glmmTMB).

``y_ij ~ NB2(mu_ij, theta)``, ``log mu_ij = x_ij' beta + offset_ij + b_i``, ``b_i ~ N(0, sigma^2)``: the contract's
primary model ``gel_total ~ treatment + period + offset(log(n_scans)) + (1 | participant_id)``.

Fitting (statsmodels has no NB mixed model): the inner Newton solve per participant and the Laplace
log-likelihood with its exact gradient are in :mod:`mescams.stats.nbmm_laplace`; here the outer optimisation over
``z = (beta, log theta, log sigma)`` is a quasi-Newton search with capped steps and a backtracking line search
(see :func:`quasi_newton` for why not scipy's), followed, when its stop was not tight, by Newton steps on the
Hessian, which is the central difference of the analytic gradient. Wald standard errors
come from the inverse of that Hessian at the optimum, like TMB's ``sdreport`` (the fixed-effect block of the
joint covariance of all outer parameters).

R reference: ``glmmTMB(y ~ treatment + period + offset(log(n)) + (1 | id), family = nbinom2)``; ``theta_`` is
``sigma(fit)`` there and ``random_intercept_sd_`` is the SD in ``VarCorr(fit)``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd

from mescams.stats.nb_glm import check_count_design
from mescams.stats.nbmm_laplace import laplace_loglik
from mescams.stats.results import FittedModel, finite_or_none, wald_table

__all__ = ["NegativeBinomialMixedModel", "pad_by_group"]

GRADIENT_TOLERANCE = 1e-5
POLISH_BELOW = 1e-6  # L-BFGS-B usually ends below this; Newton steps only when it did not
SIGMA_BOUNDARY = 1e-3  # below this the SD estimate is on the boundary (0); glmmTMB then reports ~1e-4 or less
PINNED_LOG_SIGMA = -25.0  # sigma = 1.4e-11: the Laplace likelihood then equals the NB2 GLM likelihood
LOG_THETA_RANGE = (-12.0, 20.0)  # the search box; the boundary tests below act well inside it
LOG_SIGMA_RANGE = (-14.0, 5.0)
THETA_BOUNDARY = 1e5  # above this theta is on its boundary (Poisson); glmmTMB then reports ~1e7
PINNED_LOG_THETA = 30.0  # theta = 1e13: NB2 is Poisson to ~1e-13 (nb2_terms keeps lgamma stable there)


def pad_by_group(
    groups: np.ndarray, y: np.ndarray, design: np.ndarray, offset: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Long data to the padded ``(n groups, max rows per group)`` arrays the Laplace functions take.

    Returns ``(group_labels, y, X, offset, mask)``; padded cells have ``mask == False`` and zeros elsewhere.
    """
    labels, codes = np.unique(groups, return_inverse=True)
    order = np.argsort(codes, kind="stable")
    counts = np.bincount(codes, minlength=len(labels))
    width = int(counts.max())
    position = np.empty(len(codes), dtype=int)
    starts = np.concatenate([[0], np.cumsum(counts)[:-1]])
    position[order] = np.arange(len(codes)) - np.repeat(starts, counts)
    shape = (len(labels), width)
    y_pad, off_pad = np.zeros(shape), np.zeros(shape)
    x_pad = np.zeros((*shape, design.shape[1]))
    mask = np.zeros(shape, dtype=bool)
    y_pad[codes, position] = y
    off_pad[codes, position] = offset
    x_pad[codes, position] = design
    mask[codes, position] = True
    return labels, y_pad, x_pad, off_pad, mask


Objective = Callable[[np.ndarray], tuple[float, np.ndarray]]


def quasi_newton(
    objective: Objective, start: np.ndarray, *, gtol: float = 1e-8, max_iter: int = 400, max_step: float = 2.0,
    lower: np.ndarray | None = None, upper: np.ndarray | None = None,
) -> tuple[np.ndarray, float, np.ndarray, int, str]:
    """Minimise a smooth function with BFGS updates, an Armijo backtracking line search and a capped step.

    Why not ``scipy.optimize``: plain BFGS there takes a first step of the raw gradient, which sent some NB
    mixed-model fits to log theta = 700 and diverged; and L-BFGS-B calls threaded BLAS for every iteration,
    which on a busy 2-core machine made a 10 ms fit take 100 ms. Steps longer than ``max_step`` (in the
    log/coefficient scale) are shortened, and candidates are clipped to ``[lower, upper]``, so log theta and log
    sigma cannot run off to where exp() overflows when the maximum is on a boundary. Returns
    ``(z, value, gradient, iterations, message)``.
    """
    z = np.array(start, dtype=float)
    value, grad = objective(z)
    inverse = np.eye(len(z))
    for iteration in range(1, max_iter + 1):
        if np.max(np.abs(grad)) < gtol:
            return z, value, grad, iteration - 1, "gradient below tolerance"
        direction = -inverse @ grad
        if direction @ grad >= 0:  # not a descent direction: restart from steepest descent
            inverse = np.eye(len(z))
            direction = -grad
        length = np.max(np.abs(direction))
        if length > max_step:
            direction = direction * (max_step / length)
        step = 1.0
        while True:
            candidate = z + step * direction
            if lower is not None and upper is not None:
                candidate = np.clip(candidate, lower, upper)
            new_value, new_grad = objective(candidate)
            if np.isfinite(new_value) and new_value <= value + 1e-4 * step * (direction @ grad):
                break
            step /= 2.0
            if step < 1e-10:
                return z, value, grad, iteration, "line search failed"
        s_vec, y_vec = candidate - z, new_grad - grad
        curvature = s_vec @ y_vec
        if curvature > 1e-12:
            rho = 1.0 / curvature
            if iteration == 1:
                inverse = np.eye(len(z)) * (curvature / (y_vec @ y_vec))
            left = np.eye(len(z)) - rho * np.outer(s_vec, y_vec)
            inverse = left @ inverse @ left.T + rho * np.outer(s_vec, s_vec)
        converged = abs(value - new_value) <= 1e-15 * max(1.0, abs(value))
        z, value, grad = candidate, new_value, new_grad
        if converged and np.max(np.abs(grad)) < 1e3 * gtol:
            return z, value, grad, iteration, "no further decrease"
    return z, value, grad, max_iter, "iteration limit reached"


def _newton_polish(
    objective: Objective, hessian: Callable[[np.ndarray], np.ndarray], z: np.ndarray, max_iter: int = 10
) -> tuple[np.ndarray, int]:
    """Newton steps with step halving on the numerical Hessian, when the quasi-Newton stop was not tight.

    A step is taken only when it lowers the objective and is finite; otherwise polishing stops where it is
    (a near-singular Hessian on a flat direction proposes huge steps)."""
    for iteration in range(max_iter):
        value, grad = objective(z)
        if np.max(np.abs(grad)) < POLISH_BELOW * 1e-3:
            return z, iteration
        try:
            step = np.linalg.solve(hessian(z), grad)
        except np.linalg.LinAlgError:
            return z, iteration
        if not np.all(np.isfinite(step)) or np.max(np.abs(step)) > 5.0:
            return z, iteration
        scale = 1.0
        while scale > 1e-4 and not objective(z - scale * step)[0] <= value + 1e-12:
            scale /= 2.0
        if scale <= 1e-4:
            return z, iteration
        z = z - scale * step
    return z, max_iter


class NegativeBinomialMixedModel(FittedModel):
    """NB2 GLMM with a random intercept per group; ``fit(y, design, groups, offset)`` returns self.

    Attributes after fitting: ``data_`` (the data used), ``params_`` (beta), ``bse_``, ``theta_``,
    ``random_intercept_sd_``, ``covariance_`` (the outer parameters not on a boundary), ``boundary_``
    (``sd_boundary_``: SD = 0; ``poisson_boundary_``: theta = infinity), ``loglik_``, ``random_effects_``
    (conditional modes), ``n_groups_``, ``n_obs_``, ``iterations_``, ``max_gradient_``, ``summary_``,
    ``converged_``, ``message_``.
    """

    def __init__(self, name: str = "NB2 mixed model", *, strict: bool = False) -> None:
        self.name = name
        self.strict = strict

    def fit(self, y: Any, design: pd.DataFrame, groups: Any, offset: Any | None = None) -> NegativeBinomialMixedModel:
        y_arr = np.asarray(y, dtype=float)
        off = np.zeros_like(y_arr) if offset is None else np.asarray(offset, dtype=float)
        self.terms_ = list(design.columns)
        self.n_obs_ = len(y_arr)
        self.data_ = {"y": y_arr, "design": design, "groups": np.asarray(groups), "offset": off}  # the data used
        self.converged_ = False
        problem = check_count_design(y_arr, design)
        if problem:
            self._fail(problem, strict=self.strict)
            return self
        labels, yp, xp, op, mask = pad_by_group(np.asarray(groups), y_arr, design.to_numpy(dtype=float), off)
        self.n_groups_ = len(labels)
        p = xp.shape[-1]
        state: dict[str, np.ndarray | None] = {"b": None}

        full = np.zeros(p + 2)
        free = np.ones(p + 2, dtype=bool)

        def negative(z: np.ndarray) -> tuple[float, np.ndarray]:
            full[free] = z
            out = laplace_loglik(yp, xp, op, mask, full[:p], full[p], full[p + 1], state["b"])
            if np.all(np.isfinite(out.b_hat)):
                state["b"] = out.b_hat
            return -float(out.loglik), -out.gradient[free]

        def hessian(z: np.ndarray) -> np.ndarray:
            steps = 1e-5 * np.maximum(1.0, np.abs(z))
            cols = [(negative(z + e)[1] - negative(z - e)[1]) / (2 * e[k]) for k, e in enumerate(np.diag(steps))]
            matrix = np.array(cols)
            return (matrix + matrix.T) / 2.0

        def optimise(start: np.ndarray) -> tuple[np.ndarray, float, np.ndarray, int, str]:
            index = np.flatnonzero(free)  # which of (beta, log theta, log sigma) each free slot is
            lower = np.select([index == p, index == p + 1], [LOG_THETA_RANGE[0], LOG_SIGMA_RANGE[0]], -np.inf)
            upper = np.select([index == p, index == p + 1], [LOG_THETA_RANGE[1], LOG_SIGMA_RANGE[1]], np.inf)
            z, value, grad, iterations, message = quasi_newton(negative, start, lower=lower, upper=upper)
            on_box = bool(np.any((z <= lower) | (z >= upper)))
            if np.max(np.abs(grad)) >= POLISH_BELOW and np.isfinite(value) and not on_box:
                z, extra = _newton_polish(negative, hessian, z)
                iterations += extra
                value, grad = negative(z)
            return z, value, grad, iterations, message

        has_intercept = bool(design.iloc[:, 0].eq(1).all())
        rate = np.log(y_arr.sum() / np.exp(off).sum())
        start = np.concatenate([[rate] if has_intercept else [], np.zeros(p - int(has_intercept)),
                                [0.0, np.log(0.5)]])
        z, value, grad, iterations, message = optimise(start)
        self.sd_boundary_ = bool(z[p + 1] < np.log(SIGMA_BOUNDARY))
        self.poisson_boundary_ = bool(z[p] > np.log(THETA_BOUNDARY))
        self.boundary_ = self.sd_boundary_ or self.poisson_boundary_
        if self.boundary_:  # the maximum is on a boundary: refit with that parameter pinned at its limit
            full[:] = z
            if self.sd_boundary_:
                free[p + 1], full[p + 1] = False, PINNED_LOG_SIGMA
            if self.poisson_boundary_:
                free[p], full[p] = False, PINNED_LOG_THETA
            state["b"] = None
            z, value, grad, more, message = optimise(z[free])
            iterations += more
            full[free] = z
            z = full.copy()
        self.iterations_ = iterations
        self.max_gradient_ = float(np.max(np.abs(grad)))
        self.loglik_ = -value
        if not np.isfinite(value) or self.max_gradient_ > GRADIENT_TOLERANCE:
            self._fail(f"optimiser stopped with max |gradient| {self.max_gradient_:.2g} ({message})",
                       strict=self.strict)
            return self
        information = hessian(z[free])
        eigen = np.linalg.eigvalsh(information)
        if eigen.min() <= 0:
            self._fail("the Hessian at the optimum is not positive definite", strict=self.strict)
            return self
        negative(z[free])  # leave the conditional modes at the optimum
        self.covariance_ = np.linalg.inv(information)
        se = np.sqrt(np.diag(self.covariance_))
        self.params_ = pd.Series(z[:p], index=self.terms_)
        self.bse_ = pd.Series(se[:p], index=self.terms_)
        self.theta_ = float("inf") if self.poisson_boundary_ else float(np.exp(z[p]))
        self.random_intercept_sd_ = 0.0 if self.sd_boundary_ else float(np.exp(z[p + 1]))
        self.random_effects_ = pd.Series(state["b"], index=labels)
        self.summary_ = wald_table(self.terms_, z[:p], se[:p])
        self.converged_ = True
        notes = []
        if self.sd_boundary_:
            notes.append("the random-intercept SD is estimated at its boundary, 0")
        if self.poisson_boundary_:
            notes.append("theta is estimated at its boundary, infinity (no overdispersion: Poisson limit)")
        self.message_ = "; ".join(["converged", *notes])
        return self

    def _diagnostics(self) -> dict[str, Any]:
        out = super()._diagnostics()
        out.update(n_obs=getattr(self, "n_obs_", None), n_groups=getattr(self, "n_groups_", None))
        if self.converged_:
            out.update(theta=round(self.theta_, 5), random_intercept_sd=round(self.random_intercept_sd_, 5),
                       loglik=round(self.loglik_, 4), iterations=self.iterations_,
                       max_gradient=f"{self.max_gradient_:.1e}")
        return out

    def to_dict(self, term: str) -> dict[str, Any]:
        """The effect of ``term`` on the rate-ratio scale, theta, the random-intercept SD, bookkeeping."""
        out: dict[str, Any] = self._effect(term)
        out.update(
            theta=finite_or_none(self.theta_) if self.converged_ else None,
            random_intercept_sd=finite_or_none(self.random_intercept_sd_) if self.converged_ else None,
            converged=self.converged_,
            message=self.message_,
            n_participants=getattr(self, "n_groups_", None),
            n_periods=getattr(self, "n_obs_", None),
        )
        return out
