r"""The coordinator's pooled fit: Newton steps on the sums of the nodes' Laplace parts, trial as a fixed effect.

Model: ``gel_total ~ treatment + period + trial + offset(log(n_scans)) + (1 | participant)``. Node ``k`` (trial
``k``) sees the contract's model ``gel_total ~ treatment + period + offset(log(n_scans)) + (1 | participant)``
with its own intercept ``beta_0 + gamma_k`` (``gamma_1 = 0``: the first node is the reference trial), so each
node's local parameters are a linear map ``z_k = A_k z`` of the full ones, and

.. math:: \ell(z) = \sum_k \ell_k(A_k z), \quad \nabla \ell = \sum_k A_k' g_k,
          \quad \nabla^2 \ell = \sum_k A_k' H_k A_k.

The maximiser is a damped Newton method: the step solves ``(-H + lambda I) d = g`` with ``lambda`` raised only
when ``-H`` is not positive definite, is capped at 2 in any coordinate, and is halved until the log-likelihood
rises enough (Armijo). Near the maximum it takes full Newton steps, which converge quadratically, so a gradient
of 1e-8 is reached in a few evaluations. Standard errors are from the inverse of ``-H`` at the maximum (the
fixed-effect block of the joint covariance, as TMB's ``sdreport``).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from mescams.stats.federated.parts import NodePart

__all__ = ["LOCAL_TERMS", "PooledFit", "fit_pooled", "local_map", "maximise"]

Array = NDArray[np.float64]
LOCAL_TERMS = ("(Intercept)", "treatment", "period", "log_theta", "log_sigma")
"""The node's parameters, in order: what each node evaluates."""
LOG_RANGE = (-12.0, 12.0)
"""log theta and log sigma stay inside: theta up to 1.6e5 (NB2 is then Poisson to 1e-5, and lgamma differences
keep 1e-10), sigma down to 6e-6 (no between-participant variation)."""
GRADIENT_TOLERANCE = 1e-8


class FitFailed(RuntimeError):
    """The maximiser stopped before the gradient vanished (an evaluation limit, a failed line search)."""


Evaluate = Callable[[Array], NodePart]


@dataclass(frozen=True)
class Maximum:
    z: Array
    part: NodePart
    evaluations: int
    converged: bool
    message: str
    held: NDArray[np.bool_]
    """Parameters held on a bound at the maximum."""


def maximise(evaluate: Evaluate, start: Array, *, max_evaluations: int = 60,
             bounded: Sequence[int] = ()) -> Maximum:
    """Damped Newton maximisation of a log-likelihood given its value, gradient and Hessian (module docstring).

    Coordinates in ``bounded`` (log theta, log sigma) stay in :data:`LOG_RANGE`; one that sits on its bound with
    the gradient pointing outwards is held there (projected Newton), and the message says so: the maximum is then
    on the boundary (no overdispersion, or no between-participant variation) as far as these data can tell."""
    z = np.asarray(start, dtype=float)
    part, evaluations = evaluate(z), 1
    while True:
        g = part.gradient
        held = np.zeros(len(z), dtype=bool)
        for i in bounded:
            held[i] = (z[i] >= LOG_RANGE[1] and g[i] > 0) or (z[i] <= LOG_RANGE[0] and g[i] < 0)
        free = ~held
        if np.max(np.abs(g[free])) < GRADIENT_TOLERANCE:
            message = "converged" if not held.any() else "converged with a variance parameter on its boundary"
            return Maximum(z, part, evaluations, True, message, held)
        information = -part.hessian[np.ix_(free, free)]
        shift = 0.0
        while True:
            try:
                chol = np.linalg.cholesky(information + shift * np.eye(int(free.sum())))
                break
            except np.linalg.LinAlgError:
                shift = max(2.0 * shift, 1e-3 * max(1.0, float(np.abs(np.diag(information)).max())))
        step = np.zeros(len(z))
        step[free] = np.linalg.solve(chol.T, np.linalg.solve(chol, g[free]))
        length = np.max(np.abs(step))
        if length > 2.0:
            step *= 2.0 / length
        t = 1.0
        while True:
            if evaluations >= max_evaluations:
                return Maximum(z, part, evaluations, False, f"stopped at the limit of {max_evaluations} evaluations",
                               held)
            candidate = z + t * step
            if bounded:
                index = list(bounded)
                candidate[index] = np.clip(candidate[index], *LOG_RANGE)
            trial, evaluations = evaluate(candidate), evaluations + 1
            if np.isfinite(trial.loglik) and trial.loglik >= part.loglik + 1e-4 * t * float(g @ step) - 1e-12:
                break
            t /= 2.0
            if t < 1e-8:
                return Maximum(z, part, evaluations, False, "line search failed", held)
        z, part = candidate, trial


def local_map(node: int, n_nodes: int) -> Array:
    """``A_k``: the node's local parameters from the full ``(beta_0, treatment, period, gamma_2..gamma_K, log theta,
    log sigma)``."""
    width = 3 + (n_nodes - 1) + 2
    a = np.zeros((5, width))
    a[0, 0] = a[1, 1] = a[2, 2] = a[3, -2] = a[4, -1] = 1.0
    if node > 0:
        a[0, 3 + node - 1] = 1.0
    return a


@dataclass(frozen=True)
class PooledFit:
    """The pooled maximum: parameters, their covariance, and bookkeeping."""

    terms: tuple[str, ...]
    z: Array
    covariance: Array | None
    loglik: float
    evaluations: int
    converged: bool
    message: str

    def estimate(self, term: str) -> tuple[float, float | None]:
        k = self.terms.index(term)
        se = None if self.covariance is None else float(np.sqrt(self.covariance[k, k]))
        return float(self.z[k]), se


def fit_pooled(evaluate_nodes: Callable[[list[Array]], list[NodePart]], n_nodes: int, start_rate: float, *,
               max_evaluations: int = 60) -> PooledFit:
    """Fit the pooled model with trial as a fixed effect; ``evaluate_nodes([z_1, ..., z_K])`` returns each node's
    part (its Laplace log-likelihood, gradient and Hessian at its local parameters ``z_k``), asking the nodes at
    once if it can."""
    maps = [local_map(k, n_nodes) for k in range(n_nodes)]

    def evaluate(z: Array) -> NodePart:
        parts = evaluate_nodes([a @ z for a in maps])
        return NodePart(sum(p.loglik for p in parts),
                        sum((a.T @ p.gradient for a, p in zip(maps, parts, strict=True)), np.zeros(len(z))),
                        sum((a.T @ p.hessian @ a for a, p in zip(maps, parts, strict=True)),
                            np.zeros((len(z), len(z)))))

    terms = ("(Intercept)", "treatment", "period", *(f"trial{k + 1}" for k in range(1, n_nodes)),
             "log_theta", "log_sigma")
    start = np.zeros(len(terms))
    start[0], start[-1] = start_rate, np.log(0.5)
    width = len(terms)
    best = maximise(evaluate, start, max_evaluations=max_evaluations, bounded=(width - 2, width - 1))
    covariance = None
    free = ~best.held
    if best.converged:
        information = -best.part.hessian[np.ix_(free, free)]
        if np.linalg.eigvalsh(information).min() > 0:
            covariance = np.full((width, width), np.nan)
            covariance[np.ix_(free, free)] = np.linalg.inv(information)
    message = best.message if covariance is not None or not best.converged else \
        "the Hessian at the maximum is not negative definite"
    return PooledFit(terms, best.z, covariance, best.part.loglik, best.evaluations,
                     best.converged and covariance is not None, message)
