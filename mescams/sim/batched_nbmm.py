"""The crossover NB2 mixed model fitted to thousands of simulated trials at once (Laplace approximation).

Why: an in-silico trial must be analysed with the same model as the real one (the contract's ``gel_crossover``),
and a power grid needs tens of thousands of fits. A loop of single fits (or glmmTMB) manages a few per second.
Two engines run the same procedure: here (``engine="numpy"``, the readable reference) every array has shape
``trials x participants x periods`` and every Newton step is taken for all trials at once; the default
(``engine="compiled"``, :mod:`mescams.sim.compiled_nbmm`) runs each trial's iteration in compiled code without the
interpreter lock, which is several times faster and lets worker threads run at once.

Model (per trial): period GEL totals :math:`y_{ij}` of participant :math:`i` in period :math:`j`,

.. math::

    y_{ij} \\mid b_i \\sim \\mathrm{NB2}(\\mu_{ij}, \\theta),\\quad
    \\log\\mu_{ij} = \\beta_0 + \\beta_1\\,\\mathrm{MSC}_{ij} + \\beta_2\\,[j = 2] + \\log n_{ij} + b_i,\\quad
    b_i \\sim N(0, \\sigma^2),

variance :math:`\\mu + \\mu^2/\\theta`. The marginal likelihood of participant :math:`i` is approximated by Laplace
around the mode :math:`\\hat b_i` of :math:`h_i(b) = \\sum_j \\ell_{ij}(b) + \\log\\phi(b; 0, \\sigma^2)`:

.. math::

    \\log L_i \\approx \\sum_j \\ell_{ij}(\\hat b_i) - \\hat b_i^2 / (2\\sigma^2) - \\log\\sigma - \\tfrac12\\log H_i,
    \\qquad H_i = -h_i''(\\hat b_i) = \\sum_j w_{ij} + 1/\\sigma^2.

The inner modes come from a batched Newton solve (:mod:`mescams.sim.laplace_nbmm`), which also gives the exact
gradient and Hessian in :math:`\\varphi = (\\beta, \\log\\theta, \\log\\sigma)` by implicit differentiation of
:math:`\\hat b_i` (NB derivatives up to fourth order). Here the outer problem: a batched damped Newton iteration,
its steps taken in :math:`(\\beta, 1/\\theta, \\sigma)` so the Poisson limit and a vanishing SD are reached at
once, one vectorised evaluation per round with step halving for the trials whose step was refused, and the
stats area's boundary rule (theta above 1e5 or SD below 1e-3: refit pinned at the limit; a fit ending on a limit
is also restarted from the stats area's start and the higher maximum kept). Wald standard errors come from the
exact Hessian at the optimum, as glmmTMB's ``sdreport`` does.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import stats

from mescams.errors import InputValidationError
from mescams.sim.laplace_nbmm import N_PARAMS, NBMMData, laplace_terms
from mescams.sim.small_linalg import solve_positive_definite

__all__ = ["BatchedNBMMResult", "fit_nbmm_batch"]

LOG_THETA_LIMITS = (-8.0, 30.0)  # theta = e^30 ~ 1e13: NB2 is then Poisson to ~1e-13
LOG_SIGMA_LIMITS = (-25.0, 3.0)  # sigma = 1.4e-11: the Laplace likelihood is then the NB2 GLM's
THETA_BOUNDARY = 1e5  # theta above this is pinned at the Poisson limit (as mescams.stats.nbmm does)
SIGMA_BOUNDARY = 1e-3  # an SD below this is pinned at 0 (as mescams.stats.nbmm does)
Z_975 = float(stats.norm.ppf(0.975))


@dataclass(frozen=True)
class BatchedNBMMResult:
    """Fits of ``T`` trials: every field is an array with the trials on the first axis."""

    beta: np.ndarray  # (T, 3): intercept, MSC, period 2
    se: np.ndarray  # (T, 3): Wald standard errors
    theta: np.ndarray
    random_intercept_sd: np.ndarray
    loglik: np.ndarray
    converged: np.ndarray
    at_bound: np.ndarray  # theta or the SD ended on its limit (reported as infinity or 0)
    iterations: np.ndarray
    n_participants: np.ndarray
    n_periods: np.ndarray

    @property
    def log_rate_ratio(self) -> np.ndarray:
        return self.beta[:, 1]

    @property
    def rate_ratio(self) -> np.ndarray:
        return np.exp(self.beta[:, 1])

    @property
    def ci_low(self) -> np.ndarray:
        return np.exp(self.beta[:, 1] - Z_975 * self.se[:, 1])

    @property
    def ci_high(self) -> np.ndarray:
        return np.exp(self.beta[:, 1] + Z_975 * self.se[:, 1])

    @property
    def p_value(self) -> np.ndarray:
        return 2.0 * stats.norm.sf(np.abs(self.beta[:, 1] / self.se[:, 1]))


def _start(data: NBMMData) -> np.ndarray:
    """Starting values: a Poisson regression for beta, then moments of its residuals for sigma and theta.

    Under the model, Cov(y_i1, y_i2) = mu_i1 mu_i2 (e^{s2} - 1) and Var(y) = mu + mu^2 (e^{s2} (1 + 1/theta) - 1),
    which gives sigma^2 from the cross-period products of residuals and 1/theta from their squares.
    """
    n_t = data.y.shape[1]
    beta = np.zeros((n_t, 3))
    total = data.y.sum(axis=(0, 2))
    exposure = np.exp(data.offset).sum(axis=(0, 2))
    beta[:, 0] = np.log(np.maximum(total, 0.5) / np.maximum(exposure, 1e-9))
    for _ in range(6):  # Poisson IRLS (Fisher scoring), a few steps are plenty for a start
        mu = np.exp(beta[:, 0, None] + beta[:, 1, None] * data.trt + data.offset)
        mu[1] *= np.exp(beta[:, 2, None])
        score = data.xsum(data.y - mu).sum(1)
        info = data.xxsum(mu) + 1e-6 * np.eye(3)
        beta = beta + np.clip(solve_positive_definite(info, score, regularise=True)[0], -2.0, 2.0)
    mu = np.exp(beta[:, 0, None] + beta[:, 1, None] * data.trt + data.offset)
    mu[1] *= np.exp(beta[:, 2, None])
    res = data.y - mu
    both = data.present[0] & data.present[1]
    cov = (res[0] * res[1] * both).sum(-1) / np.maximum((mu[0] * mu[1] * both).sum(-1), 1e-9)
    s2 = np.clip(np.log1p(np.maximum(cov, 0.0)), 0.05, 4.0)
    excess = ((res**2 - mu).sum(axis=(0, 2))) / np.maximum((mu**2).sum(axis=(0, 2)), 1e-9)
    inv_theta = np.clip((excess + 1.0) / np.exp(s2) - 1.0, 0.05, 20.0)
    phi = np.empty((n_t, N_PARAMS))
    phi[:, :3] = beta
    phi[:, 3] = -np.log(inv_theta)
    phi[:, 4] = 0.5 * np.log(s2)
    return phi


# The Newton steps are taken in z = (beta, alpha = 1/theta, sigma): near the Poisson limit (alpha -> 0) and a
# vanishing random intercept (sigma -> 0) the log-likelihood is linear or quadratic in these, so a step lands
# on the limit at once, where on the log scale it would creep towards it by a constant amount per iteration.
_FINAL_STEP = 1e-7
_Z_LOWER = np.array([-np.inf, -np.inf, -np.inf, np.exp(-LOG_THETA_LIMITS[1]), np.exp(LOG_SIGMA_LIMITS[0])])
_Z_UPPER = np.array([np.inf, np.inf, np.inf, np.exp(-LOG_THETA_LIMITS[0]), np.exp(LOG_SIGMA_LIMITS[1])])


def _to_z(phi: np.ndarray) -> np.ndarray:
    z = phi.copy()
    z[:, 3] = np.exp(-phi[:, 3])
    z[:, 4] = np.exp(phi[:, 4])
    return z


def _from_z(z: np.ndarray) -> np.ndarray:
    phi = z.copy()
    phi[:, 3] = -np.log(z[:, 3])
    phi[:, 4] = np.log(z[:, 4])
    return phi


def _newton_direction(grad: np.ndarray, hess: np.ndarray, phi: np.ndarray, fixed: np.ndarray) -> np.ndarray:
    """Ascent direction in z, -H_z^{-1} g_z with H_z made negative definite; a parameter at a limit that the
    gradient pushes against is held there, and so is a ``fixed`` one."""
    z = _to_z(phi)
    jac = np.ones_like(phi)
    jac[:, 3] = -np.exp(phi[:, 3])  # d log(theta) / d alpha
    jac[:, 4] = 1.0 / z[:, 4]  # d log(sigma) / d sigma
    g = grad * jac
    h = hess * jac[:, :, None] * jac[:, None, :]
    h[:, 3, 3] += grad[:, 3] * jac[:, 3] ** 2  # d2 log(theta) / d alpha2 = theta^2
    h[:, 4, 4] -= grad[:, 4] * jac[:, 4] ** 2  # d2 log(sigma) / d sigma2 = -1/sigma^2
    held = ((z <= _Z_LOWER * (1 + 1e-9)) & (g < 0)) | ((z >= _Z_UPPER * (1 - 1e-9)) & (g > 0)) | fixed
    g = np.where(held, 0.0, g)
    keep = ~held
    neg = -h * keep[:, :, None] * keep[:, None, :] + np.eye(N_PARAMS) * held[:, :, None]
    direction, _ = solve_positive_definite(neg, g, regularise=True)
    direction = np.where(held, 0.0, direction)
    # Cap the step: 2 on the log rate scale; alpha and sigma rise at most 3-fold and fall at most 10-fold per
    # step, so an interior maximum on the way is not jumped over, except once they are small (1e-4 for alpha,
    # 1e-2 for sigma), from where a step may land on the limit at once.
    cap = np.full_like(z, 2.0)
    small = z[:, 3:] < np.array([1e-4, 1e-2])
    fall = np.where(small, np.inf, 0.9 * z[:, 3:])
    cap[:, 3:] = np.where(direction[:, 3:] > 0, 2.0 * z[:, 3:] + 0.1, fall)
    scale = np.maximum(1.0, (np.abs(direction) / cap).max(axis=1))
    return direction / scale[:, None]


class _State:
    """The fit's current point for every trial, updated in place by :func:`_optimise`."""

    def __init__(self, data: NBMMData, phi: np.ndarray) -> None:
        n_trials, n_part = data.y.shape[1:]
        self.phi = phi
        ll, grad, hess, b, sens = laplace_terms(data, phi, np.zeros((n_trials, n_part)))
        assert hess is not None
        self.ll, self.grad, self.hess, self.b, self.sens = ll, grad, hess, b, sens
        self.converged = np.zeros(n_trials, dtype=bool)
        self.iterations = np.zeros(n_trials, dtype=int)
        self.fixed = np.zeros((n_trials, N_PARAMS), dtype=bool)
        self.abandoned = np.zeros(n_trials, dtype=bool)

    def replace(self, idx: np.ndarray, other: _State, other_idx: np.ndarray) -> None:
        """Take the fits ``other_idx`` of ``other`` for this state's trials ``idx``."""
        for name in ("phi", "ll", "grad", "hess", "b", "sens", "converged", "fixed"):
            getattr(self, name)[idx] = getattr(other, name)[other_idx]
        self.iterations[idx] += other.iterations[other_idx]

    def reevaluate(self, data: NBMMData, idx: np.ndarray) -> None:
        ll, grad, hess, b, sens = laplace_terms(data.take(idx), self.phi[idx], self.b[idx])
        self.ll[idx], self.grad[idx], self.hess[idx], self.b[idx], self.sens[idx] = ll, grad, hess, b, sens


def _optimise(data: NBMMData, st: _State, active: np.ndarray, tol: float, max_iter: int,
              abandon: np.ndarray | None = None) -> None:
    """Damped Newton in z for the trials in ``active`` until each converges (steps below ``tol``).

    One log-likelihood evaluation per round for every trial still running: a trial whose step was refused
    halves it and tries again in the next round with the others, rather than in a loop of its own, so the
    number of (vectorised) evaluations is the number of rounds, not rounds times halvings.
    """
    phi, ll, grad, hess, b, sens = st.phi, st.ll, st.grad, st.hess, st.b, st.sens
    n_trials = phi.shape[0]
    direction = np.zeros((n_trials, N_PARAMS))
    decrement = np.zeros(n_trials)
    alpha = np.ones(n_trials)
    halvings = np.zeros(n_trials, dtype=int)
    fresh = np.zeros(n_trials, dtype=bool)
    fresh[active] = True
    for _round in range(max_iter * 4):
        if active.size == 0:
            break
        new = active[fresh[active]]
        if new.size:
            p = phi[new]
            direction[new] = _newton_direction(grad[new], hess[new], p, st.fixed[new])
            jac = np.ones_like(p)
            jac[:, 3] = -np.exp(p[:, 3])
            jac[:, 4] = np.exp(-p[:, 4])
            decrement[new] = np.einsum("ti,ti->t", grad[new] * jac, direction[new])
            alpha[new], halvings[new], fresh[new] = 1.0, 0, False
            # A step this small is taken without a new evaluation: the error left after it is of order step^2.
            full = _from_z(np.clip(_to_z(p) + direction[new], _Z_LOWER, _Z_UPPER))
            last = np.abs(full - p).max(axis=1) < _FINAL_STEP
            phi[new[last]] = full[last]
            st.iterations[new[last]] += 1
            st.converged[new[last]] = True
            active = np.setdiff1d(active, new[last], assume_unique=True)
            if active.size == 0:
                break
        p = phi[active]
        trial_p = _from_z(np.clip(_to_z(p) + alpha[active, None] * direction[active], _Z_LOWER, _Z_UPPER))
        guess = b[active] + np.matmul((trial_p - p)[:, None, :], sens[active])[:, 0, :]
        l1, g1, h1, b1, s1 = laplace_terms(data.take(active), trial_p, guess)
        ok = np.isfinite(l1) & (l1 >= ll[active] - 1e-10 * (1.0 + np.abs(ll[active])))
        acc = active[ok]
        step = np.abs(trial_p[ok] - p[ok])
        phi[acc], ll[acc], grad[acc], hess[acc], b[acc], sens[acc] = trial_p[ok], l1[ok], g1[ok], h1[ok], b1[ok], s1[ok]  # type: ignore[index]
        st.iterations[acc] += 1
        fresh[acc] = True
        # Done when nothing moves, or when the effects are settled and the log-likelihood can hardly rise
        # (log theta or log sigma drifting along a flat ridge towards a limit).
        done = (step.max(axis=1) < tol) | ((step[:, :3].max(axis=1) < tol) & (decrement[acc] < 1e-12))
        st.converged[acc[done]] = True
        refused = active[~ok]
        alpha[refused] *= 0.5
        halvings[refused] += 1
        stop = np.zeros(n_trials, dtype=bool)
        stop[acc[done]] = True
        stuck = refused[halvings[refused] >= 40]  # no ascent along the Newton direction
        st.converged[stuck] = decrement[stuck] < 1e-8  # a maximum to rounding if the step promised nothing
        stop[stuck] = True
        stop[active[st.iterations[active] >= max_iter]] = True
        if abandon is not None:  # heading for a limit already known: this start has nothing new to find
            z_acc = _to_z(phi[acc])
            crossing = (abandon[acc, 3] & (z_acc[:, 3] < 1.0 / THETA_BOUNDARY)) | (
                abandon[acc, 4] & (z_acc[:, 4] < SIGMA_BOUNDARY))
            st.converged[acc[crossing]] = False
            st.abandoned[acc[crossing]] = True
            stop[acc[crossing]] = True
        active = active[~stop[active]]


def _fit_from(data: NBMMData, phi: np.ndarray, tol: float, max_iter: int,
              abandon: np.ndarray | None = None) -> _State:
    """Optimise from ``phi``, then apply the boundary rule: refit with theta or the SD pinned at its limit.

    ``abandon`` (T, 5): stop a trial as soon as it crosses the boundary of a parameter marked there (its fit
    is then left unconverged, to be discarded by the caller)."""
    st = _State(data, phi)
    _optimise(data, st, np.arange(phi.shape[0]), tol, max_iter, abandon)
    z = _to_z(st.phi)
    st.fixed[:, 3] = z[:, 3] < 1.0 / THETA_BOUNDARY
    st.fixed[:, 4] = z[:, 4] < SIGMA_BOUNDARY
    pinned = np.nonzero(st.fixed.any(axis=1) & ~st.abandoned)[0]
    if pinned.size:
        z[pinned] = np.where(st.fixed[pinned], _Z_LOWER, z[pinned])
        st.phi[pinned] = _from_z(z[pinned])
        st.reevaluate(data, pinned)
        st.converged[pinned] = False
        _optimise(data, st, pinned, tol, max_iter)
    return st


ENGINES = ("compiled", "numpy")


def fit_nbmm_batch(
    gel_total: np.ndarray,
    n_scans: np.ndarray,
    treatment: np.ndarray,
    *,
    tol: float = 1e-9,
    max_iter: int = 60,
    engine: str = "compiled",
) -> BatchedNBMMResult:
    """Fit the crossover NB2 mixed model to every trial of the batch.

    Parameters
    ----------
    gel_total : (T, N, 2) period GEL totals (any value where ``n_scans`` is 0).
    n_scans : (T, N, 2) scans done in the period; 0 leaves the period out (a participant with none is absent).
    treatment : (T, N, 2) 1 where the period's treatment is MSC, 0 for placebo.
    tol : a trial has converged when its last Newton step moved no parameter by more than ``tol``.
    engine : ``"compiled"`` (each trial's iteration in compiled code, :mod:`mescams.sim.compiled_nbmm`) or
        ``"numpy"`` (all trials in lock-step rounds of array arithmetic, this module); the same procedure, equal
        to rounding.

    Boundary rule (the stats area's, :mod:`mescams.stats.nbmm`): a fit ending with theta above
    ``THETA_BOUNDARY`` or the SD below ``SIGMA_BOUNDARY`` is refitted with that parameter pinned at its limit
    (Poisson; no random intercept), and reported as infinity or 0.
    """
    if engine not in ENGINES:
        raise InputValidationError("engine", f"unknown engine {engine!r}; choose from {', '.join(ENGINES)}")
    data = NBMMData(np.asarray(gel_total), np.asarray(n_scans), np.asarray(treatment))
    fit = _fit_compiled if engine == "compiled" else _fit_numpy
    phi, hess, ll, converged, iterations = fit(data, tol, max_iter)
    return _result(data, phi, hess, ll, converged, iterations)


def _fit_numpy(data: NBMMData, tol: float, max_iter: int) -> tuple[np.ndarray, ...]:
    st = _fit_from(data, _start(data), tol, max_iter)
    # A fit that ends on a limit may have missed a higher interior maximum (the likelihood in theta can have two
    # local maxima): refit those from theta = 1 and sigma = 0.5, the stats area's start; keep the higher one.
    again = np.nonzero(st.fixed.any(axis=1))[0]
    if again.size:
        sub = data.take(again)
        phi0 = _start(sub)
        phi0[:, 3], phi0[:, 4] = 0.0, np.log(0.5)
        other = _fit_from(sub, phi0, tol, max_iter, abandon=st.fixed[again])
        better = other.converged & ~other.abandoned & (other.ll > st.ll[again] + 1e-9)
        st.replace(again[better], other, np.nonzero(better)[0])
    return st.phi, st.hess, st.ll, st.converged, st.iterations


def _fit_compiled(data: NBMMData, tol: float, max_iter: int) -> tuple[np.ndarray, ...]:
    from mescams.sim.compiled_nbmm import fit_trials

    n_t = data.y.shape[1]
    bounds = np.zeros((3, N_PARAMS))
    bounds[0], bounds[1] = _Z_LOWER, _Z_UPPER
    bounds[2, :3] = _FINAL_STEP, THETA_BOUNDARY, SIGMA_BOUNDARY
    phi, hess = np.empty((n_t, N_PARAMS)), np.empty((n_t, N_PARAMS, N_PARAMS))
    ll, converged, iterations = np.empty(n_t), np.empty(n_t, dtype=bool), np.empty(n_t, dtype=np.int64)

    def per_trial(a: np.ndarray) -> np.ndarray:  # (2, T, N) -> (T, 2, N): each trial's cells contiguous
        return np.ascontiguousarray(a.transpose(1, 0, 2))

    fit_trials(per_trial(data.y), per_trial(data.offset), per_trial(data.trt), per_trial(data.present),
               float(tol), int(max_iter), bounds, phi, hess, ll, converged, iterations)
    return phi, hess, ll, converged, iterations


def _result(data: NBMMData, phi: np.ndarray, hess: np.ndarray, ll: np.ndarray, converged: np.ndarray,
            iterations: np.ndarray) -> BatchedNBMMResult:
    """Standard errors, boundary flags and the reported estimates from the optimum of each trial."""
    z = _to_z(phi)
    at_limit = (z <= _Z_LOWER * (1 + 1e-6)) | (z >= _Z_UPPER * (1 - 1e-6))
    # Standard errors from the observed information; a parameter held at its limit is treated as known.
    info = -hess * ~at_limit[:, :, None] * ~at_limit[:, None, :] + np.eye(N_PARAMS) * at_limit[:, :, None]
    cov, posdef = solve_positive_definite(info, np.broadcast_to(np.eye(N_PARAMS), info.shape).copy())
    cov[~posdef] = np.nan
    var = np.diagonal(cov, axis1=1, axis2=2)[:, :3]
    converged &= posdef & np.isfinite(ll)
    return BatchedNBMMResult(
        beta=phi[:, :3].copy(),
        se=np.sqrt(np.where(var > 0, var, np.nan)),
        # On a limit the estimate is the limit itself (theta infinite: Poisson; SD 0), as the stats area reports.
        theta=np.where(at_limit[:, 3] & (phi[:, 3] > 0), np.inf, np.exp(phi[:, 3])),
        random_intercept_sd=np.where(at_limit[:, 4] & (phi[:, 4] < 0), 0.0, np.exp(phi[:, 4])),
        loglik=ll,
        converged=converged,
        at_bound=at_limit.any(axis=1),
        iterations=iterations,
        n_participants=(data.present[0] | data.present[1]).sum(-1),
        n_periods=data.present.sum(axis=(0, 2)),
    )
