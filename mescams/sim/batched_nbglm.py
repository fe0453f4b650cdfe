"""The parallel (period-1) NB2 regression fitted to many simulated trials at once, theta by maximum likelihood.

The contract's ``gel_period1``: ``gel_total ~ treatment + offset(log(n_scans))`` on period 1 alone, as
``MASS::glm.nb`` fits it. Every trial's three parameters (intercept, MSC effect, log theta) are found together by a
batched Newton iteration with the exact Hessian; the reported standard errors follow ``glm.nb``'s convention: the
Fisher information of the GLM with theta fixed at its estimate, weights mu theta / (theta + mu).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import special, stats

from mescams.errors import InputValidationError
from mescams.sim.count_terms import CountTerms
from mescams.sim.small_linalg import solve_positive_definite

__all__ = ["BatchedNBGLMResult", "fit_nbglm_batch"]

LOG_THETA_LIMITS = (-8.0, 30.0)  # theta = e^30 ~ 1e13: NB2 is then Poisson to ~1e-13
Z_975 = float(stats.norm.ppf(0.975))


@dataclass(frozen=True)
class BatchedNBGLMResult:
    """Fits of ``T`` trials: every field is an array with the trials on the first axis."""

    beta: np.ndarray  # (T, 2): intercept, MSC
    se: np.ndarray  # (T, 2)
    theta: np.ndarray
    loglik: np.ndarray
    converged: np.ndarray
    at_bound: np.ndarray
    iterations: np.ndarray
    n_participants: np.ndarray

    @property
    def rate_ratio(self) -> np.ndarray:
        return np.exp(self.beta[:, 1])

    @property
    def ci_low(self) -> np.ndarray:
        return np.exp(self.beta[:, 1] - Z_975 * self.se[:, 1])

    @property
    def ci_high(self) -> np.ndarray:
        with np.errstate(over="ignore"):
            return np.exp(self.beta[:, 1] + Z_975 * self.se[:, 1])

    @property
    def p_value(self) -> np.ndarray:
        return 2.0 * stats.norm.sf(np.abs(self.beta[:, 1] / self.se[:, 1]))


def _terms(y: np.ndarray, off: np.ndarray, trt: np.ndarray, present: np.ndarray, phi: np.ndarray,
           counts: CountTerms, lgamma_y1: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Log-likelihood (T,), gradient (T, 3), Hessian (T, 3, 3) in (beta0, beta1, log theta), and mu (T, N)."""
    theta = np.exp(phi[:, 2])[:, None]
    mu = np.exp(np.minimum(phi[:, 0, None] + phi[:, 1, None] * trt + off, 700.0)) * present
    den = theta + mu
    r = mu / den
    a = y + theta
    lg, dig, trig = counts(theta[:, 0])
    s = (y - a * r) * present
    w = a * r * (1.0 - r) * present
    l_t = (dig - np.log1p(mu / theta) + (mu - y) / den) * present
    l_tt = (trig + (mu * mu + theta * y) / den**2 / theta) * present
    s_t = r * (y - mu) / den * present  # d2 l / d eta d theta
    ll = ((lg - lgamma_y1 - theta * np.log1p(mu / theta)
           + y * np.log(np.where(present, r, 1.0))) * present).sum(-1)
    grad = np.stack([s.sum(-1), (trt * s).sum(-1), (theta * l_t).sum(-1)], -1)
    th = theta[:, 0]
    h01 = -(trt * w).sum(-1)
    h11 = -(trt * trt * w).sum(-1)
    h02 = th * s_t.sum(-1)
    h12 = th * (trt * s_t).sum(-1)
    h22 = th * l_t.sum(-1) + th**2 * l_tt.sum(-1)
    hess = np.stack([np.stack([-w.sum(-1), h01, h02], -1), np.stack([h01, h11, h12], -1),
                     np.stack([h02, h12, h22], -1)], -2)
    return ll, grad, hess, mu


ENGINES = ("compiled", "numpy")


def fit_nbglm_batch(gel_total: np.ndarray, n_scans: np.ndarray, treatment: np.ndarray, *, tol: float = 1e-10,
                    max_iter: int = 100, engine: str = "compiled") -> BatchedNBGLMResult:
    """Fit ``gel_total ~ treatment + offset(log(n_scans))`` (NB2, theta by ML) to every trial: arrays (T, N).

    A participant with ``n_scans`` 0 is left out. ``treatment`` is 1 for MSC, 0 for placebo. ``engine``:
    ``"compiled"`` (each trial's iteration in compiled code, :mod:`mescams.sim.compiled_nbglm`) or ``"numpy"``
    (all trials at once in array arithmetic, here); the same procedure, equal to rounding.
    """
    if engine not in ENGINES:
        raise InputValidationError("engine", f"unknown engine {engine!r}; choose from {', '.join(ENGINES)}")
    present = np.asarray(n_scans) > 0
    y = np.where(present, np.asarray(gel_total, dtype=float), 0.0)
    off = np.where(present, np.log(np.maximum(np.asarray(n_scans, dtype=float), 1.0)), 0.0)
    trt = np.where(present, np.asarray(treatment, dtype=float), 0.0)
    lower = np.array([-np.inf, -np.inf, LOG_THETA_LIMITS[0]])
    upper = np.array([np.inf, np.inf, LOG_THETA_LIMITS[1]])
    if engine == "compiled":
        from mescams.sim.compiled_nbglm import fit_glm_trials

        n_t = y.shape[0]
        phi, ll = np.empty((n_t, 3)), np.empty(n_t)
        converged, iterations = np.empty(n_t, dtype=bool), np.empty(n_t, dtype=np.int64)
        fit_glm_trials(np.ascontiguousarray(y), np.ascontiguousarray(off), np.ascontiguousarray(trt),
                       np.ascontiguousarray(present), float(tol), int(max_iter), lower, upper, phi, ll, converged,
                       iterations)
    else:
        phi, ll, converged, iterations = _fit_numpy(y, off, trt, present, tol, max_iter, lower, upper)
    return _result(y, off, trt, present, phi, ll, converged, iterations, lower, upper)


def _fit_numpy(y: np.ndarray, off: np.ndarray, trt: np.ndarray, present: np.ndarray, tol: float, max_iter: int,
               lower: np.ndarray, upper: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    n_t = y.shape[0]
    # Start: the two groups' observed log rates, theta from the moments of the pooled counts.
    phi = np.zeros((n_t, 3))
    exp_off = np.exp(off) * present
    rate_p = np.maximum((y * (1 - trt)).sum(-1), 0.5) / np.maximum((exp_off * (1 - trt)).sum(-1), 1e-9)
    rate_m = np.maximum((y * trt).sum(-1), 0.5) / np.maximum((exp_off * trt).sum(-1), 1e-9)
    phi[:, 0], phi[:, 1] = np.log(rate_p), np.log(rate_m / rate_p)
    mu0 = np.exp(phi[:, 0, None] + phi[:, 1, None] * trt) * exp_off
    excess = (((y - mu0) ** 2 - mu0) * present).sum(-1) / np.maximum((mu0**2).sum(-1), 1e-9)
    phi[:, 2] = -np.log(np.clip(excess, 0.05, 20.0))

    counts = CountTerms(y, trial_axis=0)
    lgamma_y1 = special.gammaln(y + 1.0)
    ll, grad, hess, _ = _terms(y, off, trt, present, phi, counts, lgamma_y1)
    converged = np.zeros(n_t, dtype=bool)
    iterations = np.zeros(n_t, dtype=int)
    active = np.arange(n_t)
    for _ in range(max_iter):
        if active.size == 0:
            break
        p, g, h = phi[active], grad[active], hess[active]
        held = ((p <= lower + 1e-12) & (g < 0)) | ((p >= upper - 1e-12) & (g > 0))
        gg = np.where(held, 0.0, g)
        neg = -h * ~held[:, :, None] * ~held[:, None, :] + np.eye(3) * held[:, :, None]
        step, _ = solve_positive_definite(neg, gg, regularise=True)
        step /= np.maximum(1.0, np.abs(step).max(axis=1) / 3.0)[:, None]
        decrement = np.einsum("ti,ti->t", gg, step)
        alpha = np.ones(active.size)
        new_p = p.copy()
        pending = np.arange(active.size)
        for _halving in range(40):
            idx = active[pending]
            trial = np.clip(p[pending] + alpha[pending, None] * step[pending], lower, upper)
            sub_counts = counts if idx.size == n_t and pending.size == n_t else CountTerms(y[idx], trial_axis=0)
            l1, g1, h1, _ = _terms(y[idx], off[idx], trt[idx], present[idx], trial, sub_counts, lgamma_y1[idx])
            ok = np.isfinite(l1) & (l1 >= ll[idx] - 1e-10 * (1.0 + np.abs(ll[idx])))
            new_p[pending[ok]] = trial[ok]
            ll[idx[ok]], grad[idx[ok]], hess[idx[ok]] = l1[ok], g1[ok], h1[ok]
            pending = pending[~ok]
            if pending.size == 0:
                break
            alpha[pending] *= 0.5
        moved = np.abs(new_p - p)
        phi[active] = new_p
        iterations[active] += 1
        done = (moved.max(axis=1) < tol) | ((moved[:, :2].max(axis=1) < tol) & (decrement < 1e-14))
        converged[active[done]] = True
        active = active[~done]
    return phi, ll, converged, iterations


def _result(y: np.ndarray, off: np.ndarray, trt: np.ndarray, present: np.ndarray, phi: np.ndarray, ll: np.ndarray,
            converged: np.ndarray, iterations: np.ndarray, lower: np.ndarray,
            upper: np.ndarray) -> BatchedNBGLMResult:
    """glm.nb's standard errors at each trial's optimum, the boundary flags, the result."""
    theta = np.exp(phi[:, 2])[:, None]
    mu = np.exp(np.minimum(phi[:, 0, None] + phi[:, 1, None] * trt + off, 700.0)) * present
    w = mu * theta / (theta + mu) * present  # IRLS weights of the GLM with theta fixed (glm.nb's SEs)
    info = np.stack([np.stack([w.sum(-1), (trt * w).sum(-1)], -1),
                     np.stack([(trt * w).sum(-1), (trt * trt * w).sum(-1)], -1)], -2)
    det = info[:, 0, 0] * info[:, 1, 1] - info[:, 0, 1] ** 2
    ok_info = det > 1e-12 * np.maximum(info[:, 0, 0] ** 2, 1e-300)
    det = np.where(ok_info, det, np.nan)
    se = np.sqrt(np.stack([info[:, 1, 1] / det, info[:, 0, 0] / det], -1))
    at_bound = (phi[:, 2] <= lower[2] + 1e-9) | (phi[:, 2] >= upper[2] - 1e-9)
    return BatchedNBGLMResult(
        beta=phi[:, :2].copy(), se=se, theta=np.exp(phi[:, 2]), loglik=ll, converged=converged & ok_info,
        at_bound=at_bound, iterations=iterations, n_participants=present.sum(-1),
    )
