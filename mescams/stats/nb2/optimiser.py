"""The one optimiser of the NB2 fits (NumPy engine): damped Newton on the exact Hessian, all trials at once.

Steps are taken in ``z = (beta, alpha = 1/theta, sigma)``: near the Poisson limit (alpha -> 0) and a vanishing
random intercept (sigma -> 0) the log-likelihood is linear or quadratic in these, so a step lands on the limit at
once where on the log scale it would creep towards it. Each round evaluates every trial still running once; a
trial whose step was refused halves it and tries again in the next round with the others. Boundary rule
(:mod:`mescams.stats.nb2.spec`): a fit ending beyond a boundary is refitted with that parameter pinned at its
limit; a fit that ends on a limit is also restarted from theta = 1 and sigma = 0.5 and the higher maximum kept.
The compiled engine (:mod:`mescams.stats.nb2.compiled`) runs the same procedure, step for step, per trial.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from mescams.stats.nb2 import spec
from mescams.stats.nb2.data import NB2Data
from mescams.stats.nb2.likelihood import evaluate
from mescams.stats.nb2.linalg import solve_positive_definite

__all__ = ["State", "fit_numpy", "from_z", "start_values", "to_z", "z_limits"]

Array = NDArray[np.float64]
Flags = NDArray[np.bool_]


def z_limits(p: int, random_intercept: bool) -> tuple[Array, Array]:
    """Lower and upper limits of z = (beta (p), 1/theta[, sigma])."""
    lower, upper = np.full(p + 1, -np.inf), np.full(p + 1, np.inf)
    lower[p], upper[p] = np.exp(-spec.LOG_THETA_LIMITS[1]), np.exp(-spec.LOG_THETA_LIMITS[0])
    if random_intercept:
        lower = np.append(lower, np.exp(spec.LOG_SIGMA_LIMITS[0]))
        upper = np.append(upper, np.exp(spec.LOG_SIGMA_LIMITS[1]))
    return lower, upper


def to_z(phi: Array, p: int) -> Array:
    z = phi.copy()
    z[:, p] = np.exp(-phi[:, p])
    z[:, p + 1:] = np.exp(phi[:, p + 1:])
    return z


def from_z(z: Array, p: int) -> Array:
    phi = z.copy()
    phi[:, p] = -np.log(z[:, p])
    phi[:, p + 1:] = np.log(z[:, p + 1:])
    return phi


def start_values(data: NB2Data) -> Array:
    """A Poisson regression for beta (a few scoring steps), then moments of its residuals for sigma and theta.

    Under the model Cov(y_ij, y_ik) = mu_ij mu_ik (e^{s2} - 1) and Var(y) = mu + mu^2 (e^{s2} (1 + 1/theta) - 1):
    sigma^2 from the products of residuals within participants, 1/theta from their squares."""
    X, y, p = data.X, data.y, data.X.shape[0]
    beta = np.zeros((data.n_trials, p))
    if np.all(X[0][data.present] == 1.0):  # an intercept: start at the overall rate
        beta[:, 0] = np.log(np.maximum(y.sum(axis=(0, 2)), 0.5) / np.maximum(np.exp(data.offset).sum(axis=(0, 2)),
                                                                                1e-9))
    k = np.arange(p)
    for _ in range(6):
        mu = np.exp(np.einsum("pmtn,tp->mtn", X, beta) + data.offset)
        info = np.zeros((data.n_trials, p, p))
        info[:, data.upper[0], data.upper[1]] = info[:, data.upper[1], data.upper[0]] = np.einsum(
            "kmtn,mtn->tk", data.XX, mu)
        info[:, k, k] += 1e-6
        score = np.einsum("pmtn,mtn->tp", X, y - mu)
        beta += np.clip(solve_positive_definite(info, score, regularise=True)[0], -2.0, 2.0)
    mu = np.exp(np.einsum("pmtn,tp->mtn", X, beta) + data.offset)
    res = y - mu
    phi = np.empty((data.n_trials, data.n_params))
    phi[:, :p] = beta
    s2 = np.zeros(data.n_trials)
    if data.random_intercept:
        pairs = (res.sum(0) ** 2 - (res**2).sum(0)).sum(-1) / np.maximum((mu.sum(0) ** 2 - (mu**2).sum(0)).sum(-1),
                                                                           2e-9)
        s2 = np.clip(np.log1p(np.maximum(pairs, 0.0)), 0.05, 4.0)
        phi[:, p + 1] = 0.5 * np.log(s2)
    excess = (res**2 - mu).sum(axis=(0, 2)) / np.maximum((mu**2).sum(axis=(0, 2)), 1e-9)
    phi[:, p] = -np.log(np.clip((excess + 1.0) / np.exp(s2) - 1.0, 0.05, 20.0))
    return phi


def _newton_direction(grad: Array, hess: Array, phi: Array, fixed: Flags, p: int, lower: Array,
                      upper: Array) -> tuple[Array, Array]:
    """Ascent direction in z, -H_z^{-1} g_z with H_z made negative definite, and the rise it promises (g_z'
    direction). A parameter at a limit that the gradient pushes against is held there, and so is a ``fixed``
    one. The step is capped: 2 for beta; alpha and sigma rise at most 3-fold and fall at most 10-fold, except
    once small (1e-4, 1e-2), so an interior maximum on the way is not jumped over while a limit is reached at once."""
    z = to_z(phi, p)
    jac = np.ones_like(phi)
    jac[:, p] = -np.exp(phi[:, p])  # d log(theta) / d alpha
    jac[:, p + 1:] = 1.0 / z[:, p + 1:]  # d log(sigma) / d sigma
    g = grad * jac
    h = hess * jac[:, :, None] * jac[:, None, :]
    h[:, p, p] += grad[:, p] * jac[:, p] ** 2  # d2 log(theta) / d alpha2 = theta^2
    if phi.shape[1] > p + 1:
        h[:, p + 1, p + 1] -= grad[:, p + 1] * jac[:, p + 1] ** 2  # d2 log(sigma) / d sigma2 = -1/sigma^2
    held = ((z <= lower * (1 + 1e-9)) & (g < 0)) | ((z >= upper * (1 - 1e-9)) & (g > 0)) | fixed
    g = np.where(held, 0.0, g)
    keep = ~held
    neg = -h * keep[:, :, None] * keep[:, None, :] + np.eye(phi.shape[1]) * held[:, :, None]
    direction = np.where(held, 0.0, solve_positive_definite(neg, g, regularise=True)[0])
    cap = np.full_like(z, 2.0)
    small = z[:, p:] < np.array([1e-4, 1e-2])[: phi.shape[1] - p]
    cap[:, p:] = np.where(direction[:, p:] > 0, 2.0 * z[:, p:] + 0.1, np.where(small, np.inf, 0.9 * z[:, p:]))
    direction /= np.maximum(1.0, (np.abs(direction) / cap).max(axis=1))[:, None]
    return direction, np.einsum("ti,ti->t", g, direction)


class State:
    """Every trial's current point (phi, log-likelihood, gradient, Hessian, modes and their sensitivities,
    flags, iterations), updated in place by :func:`_optimise`."""

    FIELDS = ("phi", "ll", "grad", "hess", "b", "sens", "converged", "fixed")

    def __init__(self, data: NB2Data, phi: Array) -> None:
        self.phi = phi
        self.ll, self.grad, self.hess, self.b, self.sens = evaluate(
            data, phi, np.zeros((data.n_trials, data.y.shape[2] if data.random_intercept else 0)))
        self.converged = np.zeros(data.n_trials, dtype=bool)
        self.iterations = np.zeros(data.n_trials, dtype=np.int64)
        self.fixed = np.zeros(phi.shape, dtype=bool)
        self.abandoned = np.zeros(data.n_trials, dtype=bool)

    def replace(self, idx: NDArray[np.intp], other: State, other_idx: NDArray[np.intp]) -> None:
        """Take the fits ``other_idx`` of ``other`` for this state's trials ``idx``."""
        for name in self.FIELDS:
            getattr(self, name)[idx] = getattr(other, name)[other_idx]
        self.iterations[idx] += other.iterations[other_idx]

    def reevaluate(self, data: NB2Data, idx: NDArray[np.intp]) -> None:
        terms = evaluate(data.take(idx), self.phi[idx], self.b[idx])
        self.ll[idx], self.grad[idx], self.hess[idx], self.b[idx], self.sens[idx] = terms


def _optimise(data: NB2Data, st: State, active: NDArray[np.intp], tol: float, max_iter: int,
              abandon: Flags | None = None) -> None:
    """Damped Newton in z for the trials in ``active`` until each converges (a step below ``tol``)."""
    p = data.X.shape[0]
    lower, upper = z_limits(p, data.random_intercept)
    n_trials, n_params = st.phi.shape
    direction = np.zeros((n_trials, n_params))
    decrement, alpha = np.zeros(n_trials), np.ones(n_trials)
    halvings = np.zeros(n_trials, dtype=np.int64)
    fresh = np.zeros(n_trials, dtype=bool)
    fresh[active] = True
    for _round in range(max_iter * 4):
        if active.size == 0:
            break
        new = active[fresh[active]]
        if new.size:
            q = st.phi[new]
            direction[new], decrement[new] = _newton_direction(st.grad[new], st.hess[new], q, st.fixed[new], p,
                                                               lower, upper)
            alpha[new], halvings[new], fresh[new] = 1.0, 0, False
            full = from_z(np.clip(to_z(q, p) + direction[new], lower, upper), p)
            last = np.abs(full - q).max(axis=1) < spec.FINAL_STEP  # taken without a new evaluation
            st.phi[new[last]] = full[last]
            st.iterations[new[last]] += 1
            st.converged[new[last]] = True
            active = np.setdiff1d(active, new[last], assume_unique=True)
            if active.size == 0:
                break
        q = st.phi[active]
        trial_p = from_z(np.clip(to_z(q, p) + alpha[active, None] * direction[active], lower, upper), p)
        guess = st.b[active] + np.matmul((trial_p - q)[:, None, :], st.sens[active])[:, 0, :]
        terms = evaluate(data.take(active), trial_p, guess)
        ok = np.isfinite(terms.loglik) & (terms.loglik >= st.ll[active] - 1e-10 * (1.0 + np.abs(st.ll[active])))
        acc = active[ok]
        step = np.abs(trial_p[ok] - q[ok])
        st.phi[acc] = trial_p[ok]
        st.ll[acc], st.grad[acc], st.hess[acc], st.b[acc], st.sens[acc] = (t[ok] for t in terms)
        st.iterations[acc] += 1
        fresh[acc] = True
        # Done when nothing moves, or when the effects are settled and the log-likelihood can hardly rise
        # (log theta or log sigma drifting along a flat ridge towards a limit).
        done = (step.max(axis=1) < tol) | ((step[:, :p].max(axis=1) < tol) & (decrement[acc] < 1e-12))
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
            crossing = _beyond_boundary(st.phi[acc], p) & abandon[acc]
            st.converged[acc[crossing.any(axis=1)]] = False
            st.abandoned[acc[crossing.any(axis=1)]] = True
            stop[acc[crossing.any(axis=1)]] = True
        active = active[~stop[active]]


def _beyond_boundary(phi: Array, p: int) -> Flags:
    """Per parameter: theta above THETA_BOUNDARY, sigma below SIGMA_BOUNDARY (False for beta)."""
    out = np.zeros(phi.shape, dtype=bool)
    out[:, p] = phi[:, p] > np.log(spec.THETA_BOUNDARY)
    out[:, p + 1:] = phi[:, p + 1:] < np.log(spec.SIGMA_BOUNDARY)
    return out


def _fit_from(data: NB2Data, phi: Array, tol: float, max_iter: int, abandon: Flags | None = None) -> State:
    """Optimise from ``phi``, then apply the boundary rule: refit with theta or the SD pinned at its limit.

    ``abandon`` (T, K): stop a trial as soon as it crosses the boundary of a parameter marked there (its fit is
    then left unconverged, to be discarded by the caller)."""
    p = data.X.shape[0]
    st = State(data, phi)
    _optimise(data, st, np.arange(data.n_trials), tol, max_iter, abandon)
    st.fixed = _beyond_boundary(st.phi, p)
    pinned = np.nonzero(st.fixed.any(axis=1) & ~st.abandoned)[0]
    if pinned.size:
        at_limit = from_z(z_limits(p, data.random_intercept)[0][None], p)
        st.phi[pinned] = np.where(st.fixed[pinned], at_limit, st.phi[pinned])
        st.reevaluate(data, pinned)
        st.converged[pinned] = False
        _optimise(data, st, pinned, tol, max_iter)
    return st


def fit_numpy(data: NB2Data, tol: float = spec.TOLERANCE, max_iter: int = spec.MAX_ITER) -> State:
    """Fit every trial: from :func:`start_values`, with the boundary rule and the restart (module docstring)."""
    p = data.X.shape[0]
    phi0 = start_values(data)
    st = _fit_from(data, phi0.copy(), tol, max_iter)
    again = np.nonzero(st.fixed.any(axis=1))[0]
    if again.size:
        sub = data.take(again)
        restart = phi0[again]
        restart[:, p] = spec.RESTART_LOG_THETA
        restart[:, p + 1:] = spec.RESTART_LOG_SIGMA
        other = _fit_from(sub, restart, tol, max_iter, abandon=st.fixed[again])
        better = other.converged & ~other.abandoned & (other.ll > st.ll[again] + 1e-9)
        st.replace(again[better], other, np.nonzero(better)[0])
    return st
