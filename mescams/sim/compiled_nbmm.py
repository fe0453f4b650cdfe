"""The crossover NB2 mixed-model fit of :mod:`mescams.sim.batched_nbmm`, one trial at a time in compiled code.

Why a second engine: the NumPy engine moves all trials in lock-step rounds, so every Newton step of every trial
pays for Python calls and for passes over (2, trials, participants) temporaries, and two worker threads mostly
wait for each other's hold on the interpreter. Compiled with Numba (``nogil``), each trial runs its own loop in
registers: the same starting values, Newton steps in z = (beta, 1/theta, sigma) with the same caps, step
halving, convergence and boundary rules and the same restart as the NumPy engine, step for step, so the two
agree to rounding (the tests hold them to 1e-7) and a trial's fit does not depend on which others share its
batch. The NumPy engine stays the readable reference (``fit_nbmm_batch(..., engine="numpy")``). The Laplace
terms of one trial are in :mod:`mescams.sim.compiled_laplace`.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

from mescams.sim.compiled_laplace import CACHE, N_PARAMS, TABLE_CAP, laplace_one
from mescams.sim.compiled_linalg import solve_positive_definite

__all__ = ["fit_trials"]


@njit(cache=CACHE, nogil=True)
def _start(y: np.ndarray, off: np.ndarray, trt: np.ndarray, pres: np.ndarray, phi: np.ndarray) -> None:
    """Starting values (batched_nbmm._start): Poisson scoring for beta, moments of its residuals for theta, sigma."""
    n_n = y.shape[1]
    total = 0.0
    exposure = 0.0
    for j in range(2):
        for i in range(n_n):
            total += y[j, i]
            exposure += math.exp(off[j, i])
    beta = np.zeros(3)
    beta[0] = math.log(max(total, 0.5) / max(exposure, 1e-9))
    info = np.empty((3, 3))
    score = np.empty(3)
    step = np.empty(3)
    for _ in range(6):
        score[:] = 0.0
        info[:, :] = 0.0
        e2 = math.exp(beta[2])
        for i in range(n_n):
            m0 = math.exp(beta[0] + beta[1] * trt[0, i] + off[0, i])
            m1 = math.exp(beta[0] + beta[1] * trt[1, i] + off[1, i]) * e2
            r0, r1 = y[0, i] - m0, y[1, i] - m1
            score[0] += r0 + r1
            score[1] += trt[0, i] * r0 + trt[1, i] * r1
            score[2] += r1
            info[0, 0] += m0 + m1
            info[0, 1] += trt[0, i] * m0 + trt[1, i] * m1
            info[1, 1] += trt[0, i] * trt[0, i] * m0 + trt[1, i] * trt[1, i] * m1
            info[0, 2] += m1
            info[1, 2] += trt[1, i] * m1
        info[1, 0], info[2, 0], info[2, 1], info[2, 2] = info[0, 1], info[0, 2], info[1, 2], info[0, 2]
        for k in range(3):
            info[k, k] += 1e-6
        solve_positive_definite(info, score, step, True)
        for k in range(3):
            s = step[k]
            if s < -2.0:
                s = -2.0
            elif s > 2.0:
                s = 2.0
            beta[k] += s
    e2 = math.exp(beta[2])
    cov_num = cov_den = sq = mu2 = 0.0
    for i in range(n_n):
        m0 = math.exp(beta[0] + beta[1] * trt[0, i] + off[0, i])
        m1 = math.exp(beta[0] + beta[1] * trt[1, i] + off[1, i]) * e2
        r0, r1 = y[0, i] - m0, y[1, i] - m1
        if pres[0, i] and pres[1, i]:
            cov_num += r0 * r1
            cov_den += m0 * m1
        sq += (r0 * r0 - m0) + (r1 * r1 - m1)
        mu2 += m0 * m0 + m1 * m1
    s2 = min(max(math.log1p(max(cov_num / max(cov_den, 1e-9), 0.0)), 0.05), 4.0)
    inv_theta = min(max((sq / max(mu2, 1e-9) + 1.0) / math.exp(s2) - 1.0, 0.05), 20.0)
    phi[0], phi[1], phi[2] = beta[0], beta[1], beta[2]
    phi[3] = -math.log(inv_theta)
    phi[4] = 0.5 * math.log(s2)


@njit(cache=CACHE, nogil=True)
def _to_z(phi: np.ndarray, z: np.ndarray) -> None:
    z[0], z[1], z[2] = phi[0], phi[1], phi[2]
    z[3] = math.exp(-phi[3])
    z[4] = math.exp(phi[4])


@njit(cache=CACHE, nogil=True)
def _step_in_z(phi: np.ndarray, direction: np.ndarray, alpha: float, z_lower: np.ndarray, z_upper: np.ndarray,
               out: np.ndarray) -> None:
    """phi moved by alpha * direction in z = (beta, 1/theta, sigma), clipped to the limits, back in phi."""
    z = np.empty(N_PARAMS)
    _to_z(phi, z)
    for k in range(N_PARAMS):
        x = z[k] + alpha * direction[k]
        if x < z_lower[k]:
            x = z_lower[k]
        elif x > z_upper[k]:
            x = z_upper[k]
        z[k] = x
    out[0], out[1], out[2] = z[0], z[1], z[2]
    out[3] = -math.log(z[3])
    out[4] = math.log(z[4])


@njit(cache=CACHE, nogil=True)
def _newton_direction(grad: np.ndarray, hess: np.ndarray, phi: np.ndarray, fixed: np.ndarray,
                      z_lower: np.ndarray, z_upper: np.ndarray, direction: np.ndarray) -> None:
    """batched_nbmm._newton_direction for one trial: -H_z^-1 g_z, held parameters kept, the step capped."""
    z = np.empty(N_PARAMS)
    _to_z(phi, z)
    jac = np.ones(N_PARAMS)
    jac[3] = -math.exp(phi[3])
    jac[4] = 1.0 / z[4]
    g = grad * jac
    neg = np.empty((N_PARAMS, N_PARAMS))
    held = np.empty(N_PARAMS, dtype=np.bool_)
    for k in range(N_PARAMS):
        held[k] = (((z[k] <= z_lower[k] * (1 + 1e-9)) and g[k] < 0)
                   or ((z[k] >= z_upper[k] * (1 - 1e-9)) and g[k] > 0) or fixed[k])
    for k in range(N_PARAMS):
        for m in range(N_PARAMS):
            h = hess[k, m] * jac[k] * jac[m]
            if k == m == 3:
                h += grad[3] * jac[3] ** 2
            elif k == m == 4:
                h -= grad[4] * jac[4] ** 2
            neg[k, m] = -h * (0.0 if (held[k] or held[m]) else 1.0) + (1.0 if (k == m and held[k]) else 0.0)
    for k in range(N_PARAMS):
        if held[k]:
            g[k] = 0.0
    solve_positive_definite(neg, g, direction, True)
    for k in range(N_PARAMS):
        if held[k]:
            direction[k] = 0.0
    worst = 0.0
    for k in range(N_PARAMS):
        if k < 3:
            cap = 2.0
        elif direction[k] > 0:
            cap = 2.0 * z[k] + 0.1
        else:
            cap = np.inf if z[k] < (1e-4 if k == 3 else 1e-2) else 0.9 * z[k]
        ratio = abs(direction[k]) / cap
        if ratio != ratio or worst != worst:
            worst = np.nan
        elif ratio > worst:
            worst = ratio
    scale = np.nan if worst != worst else max(1.0, worst)
    for k in range(N_PARAMS):
        direction[k] /= scale


@njit(cache=CACHE, nogil=True)
def _optimise(y: np.ndarray, off: np.ndarray, trt: np.ndarray, pres: np.ndarray, lgy_sum: float, cap: int,
              table: np.ndarray, phi: np.ndarray, ll: np.ndarray, grad: np.ndarray, hess: np.ndarray,
              b: np.ndarray, sens: np.ndarray, fixed: np.ndarray, flags: np.ndarray, tol: float, max_iter: int,
              abandon: np.ndarray, use_abandon: bool, bounds: np.ndarray) -> None:
    """batched_nbmm._optimise for one trial: damped Newton in z until a step below ``tol``.

    ``ll`` is a 1-element array; ``flags`` holds (converged, iterations, abandoned); ``bounds`` the rows z lower,
    z upper, (final step, theta boundary, sigma boundary)."""
    n_n = b.shape[0]
    z_lower, z_upper = bounds[0], bounds[1]
    final_step, theta_boundary, sigma_boundary = bounds[2, 0], bounds[2, 1], bounds[2, 2]
    direction = np.zeros(N_PARAMS)
    trial_p = np.empty(N_PARAMS)
    guess = np.empty(n_n)
    b1 = np.empty(n_n)
    s1 = np.empty((N_PARAMS, n_n))
    g1 = np.empty(N_PARAMS)
    h1 = np.empty((N_PARAMS, N_PARAMS))
    z = np.empty(N_PARAMS)
    decrement = 0.0
    alpha = 1.0
    halvings = 0
    fresh = True
    for _round in range(max_iter * 4):
        if fresh:
            _newton_direction(grad, hess, phi, fixed, z_lower, z_upper, direction)
            decrement = (grad[0] * direction[0] + grad[1] * direction[1] + grad[2] * direction[2]
                         - grad[3] * math.exp(phi[3]) * direction[3] + grad[4] * math.exp(-phi[4]) * direction[4])
            alpha, halvings, fresh = 1.0, 0, False
            # A step this small is taken without a new evaluation: the error left after it is of order step^2.
            _step_in_z(phi, direction, 1.0, z_lower, z_upper, trial_p)
            if np.max(np.abs(trial_p - phi)) < final_step:
                phi[:] = trial_p
                flags[1] += 1
                flags[0] = 1
                return
        _step_in_z(phi, direction, alpha, z_lower, z_upper, trial_p)
        for i in range(n_n):
            acc = b[i]
            for k in range(N_PARAMS):
                acc += sens[k, i] * (trial_p[k] - phi[k])
            guess[i] = acc
        l1 = laplace_one(y, off, trt, pres, lgy_sum, cap, table, trial_p, guess, b1, s1, g1, h1)
        stop = False
        if np.isfinite(l1) and l1 >= ll[0] - 1e-10 * (1.0 + abs(ll[0])):
            step_all = 0.0
            step_beta = 0.0
            for k in range(N_PARAMS):
                d = abs(trial_p[k] - phi[k])
                step_all = max(step_all, d)
                if k < 3:
                    step_beta = max(step_beta, d)
            phi[:] = trial_p
            ll[0] = l1
            grad[:] = g1
            hess[:, :] = h1
            b[:] = b1
            sens[:, :] = s1
            flags[1] += 1
            fresh = True
            # Done when nothing moves, or when the effects are settled and the log-likelihood can hardly rise.
            if step_all < tol or (step_beta < tol and decrement < 1e-12):
                flags[0] = 1
                stop = True
            if use_abandon:  # heading for a limit already known: this start has nothing new to find
                _to_z(phi, z)
                if (abandon[3] and z[3] < 1.0 / theta_boundary) or (abandon[4] and z[4] < sigma_boundary):
                    flags[0] = 0
                    flags[2] = 1
                    stop = True
        else:
            alpha *= 0.5
            halvings += 1
            if halvings >= 40:  # no ascent along the Newton direction
                flags[0] = 1 if decrement < 1e-8 else 0
                stop = True
        if stop or flags[1] >= max_iter:
            return


@njit(cache=CACHE, nogil=True)
def _fit_from(y: np.ndarray, off: np.ndarray, trt: np.ndarray, pres: np.ndarray, lgy_sum: float, cap: int,
              table: np.ndarray, phi: np.ndarray, ll: np.ndarray, grad: np.ndarray, hess: np.ndarray,
              b: np.ndarray, sens: np.ndarray, fixed: np.ndarray, flags: np.ndarray, tol: float, max_iter: int,
              abandon: np.ndarray, use_abandon: bool, bounds: np.ndarray) -> None:
    """batched_nbmm._fit_from for one trial: optimise from ``phi``, then refit with theta or the SD pinned at
    its limit when it ended beyond the boundary threshold (unless abandoned)."""
    b_zero = np.zeros(b.shape[0])
    ll[0] = laplace_one(y, off, trt, pres, lgy_sum, cap, table, phi, b_zero, b, sens, grad, hess)
    flags[:] = 0
    fixed[:] = False
    _optimise(y, off, trt, pres, lgy_sum, cap, table, phi, ll, grad, hess, b, sens, fixed, flags, tol, max_iter,
              abandon, use_abandon, bounds)
    z = np.empty(N_PARAMS)
    _to_z(phi, z)
    fixed[3] = z[3] < 1.0 / bounds[2, 1]
    fixed[4] = z[4] < bounds[2, 2]
    if (fixed[3] or fixed[4]) and not flags[2]:
        for k in (3, 4):
            if fixed[k]:
                z[k] = bounds[0, k]
        phi[3] = -math.log(z[3])
        phi[4] = math.log(z[4])
        b_start = b.copy()
        ll[0] = laplace_one(y, off, trt, pres, lgy_sum, cap, table, phi, b_start, b, sens, grad, hess)
        flags[0] = 0
        _optimise(y, off, trt, pres, lgy_sum, cap, table, phi, ll, grad, hess, b, sens, fixed, flags, tol,
                  max_iter, abandon, False, bounds)


@njit(cache=CACHE, nogil=True)
def fit_trials(y: np.ndarray, off: np.ndarray, trt: np.ndarray, pres: np.ndarray, tol: float, max_iter: int,
               bounds: np.ndarray, phi_out: np.ndarray, hess_out: np.ndarray, ll_out: np.ndarray,
               converged_out: np.ndarray, iterations_out: np.ndarray) -> None:
    """Fit every trial of (T, 2, N) arrays: batched_nbmm.fit_nbmm_batch's procedure (start, fit, boundary rule,
    restart from the stats area's start for a fit that ended on a limit), trial after trial."""
    n_t, n_n = y.shape[0], y.shape[2]
    table = np.empty((3, TABLE_CAP + 1))
    phi0 = np.empty(N_PARAMS)
    phi, grad, hess, b, sens = (np.empty(N_PARAMS), np.empty(N_PARAMS), np.empty((N_PARAMS, N_PARAMS)),
                                np.empty(n_n), np.empty((N_PARAMS, n_n)))
    phi2, grad2, hess2, b2, sens2 = (np.empty(N_PARAMS), np.empty(N_PARAMS), np.empty((N_PARAMS, N_PARAMS)),
                                     np.empty(n_n), np.empty((N_PARAMS, n_n)))
    ll, ll2 = np.empty(1), np.empty(1)
    fixed, fixed2 = np.zeros(N_PARAMS, dtype=np.bool_), np.zeros(N_PARAMS, dtype=np.bool_)
    flags, flags2 = np.zeros(3, dtype=np.int64), np.zeros(3, dtype=np.int64)
    for t in range(n_t):
        yt, ot, tt, pt = y[t], off[t], trt[t], pres[t]
        y_max = 0.0
        lgy_sum = 0.0  # sum of log(y!), a constant of the log-likelihood
        for j in range(2):
            for i in range(n_n):
                y_max = max(y_max, yt[j, i])
                lgy_sum += math.lgamma(yt[j, i] + 1.0)
        cap = min(int(y_max), TABLE_CAP)
        _start(yt, ot, tt, pt, phi0)
        phi[:] = phi0
        _fit_from(yt, ot, tt, pt, lgy_sum, cap, table, phi, ll, grad, hess, b, sens, fixed, flags, tol,
                  max_iter, fixed, False, bounds)
        if fixed[3] or fixed[4]:
            # a fit that ended on a limit is also restarted from the stats area's start; the higher one is kept
            phi2[:] = phi0
            phi2[3], phi2[4] = 0.0, math.log(0.5)
            _fit_from(yt, ot, tt, pt, lgy_sum, cap, table, phi2, ll2, grad2, hess2, b2, sens2, fixed2, flags2,
                      tol, max_iter, fixed, True, bounds)
            if flags2[0] and not flags2[2] and ll2[0] > ll[0] + 1e-9:
                phi[:], ll[0], hess[:, :] = phi2, ll2[0], hess2
                flags[0] = flags2[0]
                flags[1] += flags2[1]
        phi_out[t] = phi
        hess_out[t] = hess
        ll_out[t] = ll[0]
        converged_out[t] = flags[0] == 1
        iterations_out[t] = flags[1]
