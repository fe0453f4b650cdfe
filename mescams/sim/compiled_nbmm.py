"""The crossover NB2 mixed-model fit of :mod:`mescams.sim.batched_nbmm`, one trial at a time in compiled code.

Why a second engine: the NumPy engine moves all trials in lock-step rounds, so every Newton step of every trial
pays for Python calls and for passes over (2, trials, participants) temporaries, and two worker threads mostly
wait for each other's hold on the interpreter. Compiled with Numba (``nogil``), each trial runs its own loop in
registers: the same starting values, Newton steps in z = (beta, 1/theta, sigma) with the same caps, step
halving, convergence and boundary rules and the same restart as the NumPy engine, step for step, so the two
agree to rounding (the tests hold them to 1e-8) and a trial's fit does not depend on which others share its
batch. The NumPy engine stays the readable reference (``fit_nbmm_batch(..., engine="numpy")``).

The Laplace terms are those of :mod:`mescams.sim.laplace_nbmm` (its docstring has the derivatives), summed per
participant in scalars; the count terms are a per-trial table of the cumulative sums of log(theta + j),
1/(theta + j) and -1/(theta + j)^2 as in :mod:`mescams.sim.count_terms`.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

from mescams.sim.count_terms import TABLE_CAP

__all__ = ["fit_trials"]

N_PARAMS = 5
_CACHE = True  # compiled once per installation (the first call after install takes some seconds)


@njit(cache=_CACHE, nogil=True)
def _fill_table(table: np.ndarray, theta: float, cap: int) -> None:
    table[0, 0] = 0.0
    table[1, 0] = 0.0
    table[2, 0] = 0.0
    for k in range(cap):
        x = theta + k
        inv = 1.0 / x
        table[0, k + 1] = table[0, k] + math.log(x)
        table[1, k + 1] = table[1, k] + inv
        table[2, k + 1] = table[2, k] - inv * inv


@njit(cache=_CACHE, nogil=True)
def _count_terms(table: np.ndarray, cap: int, theta: float, y: float) -> tuple[float, float, float]:
    iy = int(y)
    if iy <= cap:
        return table[0, iy], table[1, iy], table[2, iy]
    lg, dg, tg = table[0, cap], table[1, cap], table[2, cap]
    for k in range(cap, iy):
        x = theta + k
        inv = 1.0 / x
        lg += math.log(x)
        dg += inv
        tg -= inv * inv
    return lg, dg, tg


@njit(cache=_CACHE, nogil=True)
def _inner_mode(y0: float, y1: float, lin0: float, lin1: float, th: float, v: float,
                b: float) -> tuple[float, float, float]:
    """Newton solve of h'(b) = 0 for one participant, to a step below 1e-6 (as laplace_nbmm._inner_mode).

    Returns b and the means exp(lin + b) of both periods at it: from the last step's means times
    exp(step) = 1 + step + step^2/2 (exact to rounding for a step below 1e-6), which saves two exponentials."""
    ysum = y0 + y1
    m0 = m1 = 0.0
    for _ in range(120):
        m0 = math.exp(min(lin0 + b, 700.0))
        m1 = math.exp(min(lin1 + b, 700.0))
        inv0 = 1.0 / (th + m0)
        inv1 = 1.0 / (th + m1)
        ar0 = (y0 + th) * m0 * inv0
        ar1 = (y1 + th) * m1 * inv1
        step = (ysum - ar0 - ar1 - b * v) / (ar0 * th * inv0 + ar1 * th * inv1 + v)
        step = min(max(step, -3.0), 3.0)
        b += step
        if abs(step) < 1e-6:
            grow = 1.0 + step * (1.0 + 0.5 * step)
            if lin0 + b < 700.0:
                m0 *= grow
            if lin1 + b < 700.0:
                m1 *= grow
            return b, m0, m1
    return b, math.exp(min(lin0 + b, 700.0)), math.exp(min(lin1 + b, 700.0))


@njit(cache=_CACHE, nogil=True)
def _cell(y: float, eta: float, mu: float, th: float, log_th: float, table: np.ndarray,
          cap: int) -> tuple[float, ...]:
    """One period's NB2 terms at eta = log mu: the log-likelihood (without log y!) and d(n, k) = d^n/d eta^n
    d^k/d(log theta)^k, as (ll, d10, d20, d30, d40, d11, d21, d31, d01, d02, d22, d12) (formulas in laplace_nbmm)."""
    inv_d = 1.0 / (th + mu)
    r = mu * inv_d
    s = th * inv_d
    a = y + th
    q = r * s
    ar = a * r
    t2 = s - r
    t6 = 1.0 - 6.0 * q
    l1p = math.log1p(mu / th)
    lg, dg, tg = _count_terms(table, cap, th, y)
    d20 = -(a * q)
    d11 = (y - mu) * q
    d21 = (y - 2.0 * ar) * q
    d01 = th * (dg - l1p + (mu - y) * inv_d)
    return (lg - (th + y) * l1p + y * (eta - log_th), y - ar, d20, d20 * t2, d20 * t6, d11, d21,
            (a * t6 - th * t2) * q, d01, d01 + th * th * tg + s * (r * mu + s * y),
            d21 + 2.0 * q * (th * t2 - a * s * (1.0 - 3.0 * r)), -t2 * d11)


@njit(cache=_CACHE, nogil=True)
def _laplace(y: np.ndarray, off: np.ndarray, trt: np.ndarray, pres: np.ndarray, lgy_sum: float, cap: int,
             table: np.ndarray, phi: np.ndarray, b_start: np.ndarray, b_out: np.ndarray, sens: np.ndarray,
             grad: np.ndarray, hess: np.ndarray) -> float:
    """One trial's Laplace log-likelihood; its gradient, Hessian, modes and their sensitivities into the outputs.

    The arrays are one trial's: y, off, trt, pres (2, N); b_start, b_out (N); sens (5, N). Same formulas as
    :func:`mescams.sim.laplace_nbmm.laplace_terms`."""
    n_n = y.shape[1]
    b0, b1, b2, log_sigma = phi[0], phi[1], phi[2], phi[4]
    th = math.exp(phi[3])
    v = math.exp(-2.0 * log_sigma)
    log_th = math.log(th)
    _fill_table(table, th, cap)
    ll = 0.0
    grad[:] = 0.0
    hess[:, :] = 0.0
    for i in range(n_n):
        lin0 = b0 + b1 * trt[0, i] + off[0, i]
        lin1 = b0 + b1 * trt[1, i] + off[1, i] + b2
        b, mu0, mu1 = _inner_mode(y[0, i], y[1, i], lin0, lin1, th, v, b_start[i])
        b_out[i] = b
        if not (pres[0, i] or pres[1, i]):
            sens[:, i] = 0.0
            continue
        bv = b * v
        l_0, d10_0, d20_0, d30_0, d40_0, d11_0, d21_0, d31_0, d01_0, d02_0, d22_0, d12_0 = _cell(
            y[0, i], min(lin0 + b, 700.0), mu0, th, log_th, table, cap)
        l_1, d10_1, d20_1, d30_1, d40_1, d11_1, d21_1, d31_1, d01_1, d02_1, d22_1, d12_1 = _cell(
            y[1, i], min(lin1 + b, 700.0), mu1, th, log_th, table, cap)
        big_h = v - (d20_0 + d20_1)
        c = 1.0 / big_h
        h_b = -(d30_0 + d30_1)
        hbc = h_b * c * c
        h_bb = -(d40_0 + d40_1)
        hc, hh = 0.5 * c, 0.5 * hbc
        ll += l_0 + l_1 - 0.5 * b * bv - log_sigma - 0.5 * math.log(big_h)
        t0, t1 = trt[0, i], trt[1, i]
        g0 = d10_0 + hc * d30_0 - hh * d20_0
        g1 = d10_1 + hc * d30_1 - hh * d20_1
        grad[0] += g0 + g1
        grad[1] += t0 * g0 + t1 * g1
        grad[2] += g1
        grad[3] += (d01_0 + hc * d21_0 - hh * d11_0) + (d01_1 + hc * d21_1 - hh * d11_1)
        grad[4] += b * bv - 1.0 + c * v - hbc * bv
        a1 = (d20_0 + d20_1, t0 * d20_0 + t1 * d20_1, d20_1, d11_0 + d11_1, 2.0 * bv)
        for k in range(N_PARAMS):
            sens[k, i] = a1[k] * c
        # the direct second-derivative terms, one weight per cell
        wxx0 = d20_0 + hc * d40_0 - hh * d30_0
        wxx1 = d20_1 + hc * d40_1 - hh * d30_1
        wxt0 = d11_0 + hc * d31_0 - hh * d21_0
        wxt1 = d11_1 + hc * d31_1 - hh * d21_1
        hess[0, 0] += wxx0 + wxx1
        hess[0, 1] += t0 * wxx0 + t1 * wxx1
        hess[1, 1] += t0 * t0 * wxx0 + t1 * t1 * wxx1
        hess[0, 2] += wxx1
        hess[1, 2] += t1 * wxx1
        hess[2, 2] += wxx1
        hess[0, 3] += wxt0 + wxt1
        hess[1, 3] += t0 * wxt0 + t1 * wxt1
        hess[2, 3] += wxt1
        hess[3, 3] += (d02_0 + hc * d22_0 - hh * d12_0) + (d02_1 + hc * d22_1 - hh * d12_1)
        hess[4, 4] += 2.0 * v * (hbc * b - b * b - c)
        # the outer products: the symmetric part of (A a1 + 2B a2 + 2C a3) a1' + D a2 a2' (laplace_nbmm)
        a2 = (d30_0 + d30_1, t0 * d30_0 + t1 * d30_1, d30_1, d21_0 + d21_1, 2.0 * v)
        a3 = (d40_0 + d40_1, t0 * d40_0 + t1 * d40_1, d40_1, d31_0 + d31_1, 0.0)
        c2 = c * c
        ca = c - 0.5 * c2 * c * h_bb + hbc * hbc
        cb = -2.0 * hbc * c
        cd = 0.5 * c2
        for k in range(N_PARAMS):
            l1k = 0.5 * (ca * a1[k] + cb * a2[k] + c2 * a3[k])
            l2k = 0.5 * cd * a2[k]
            for m in range(N_PARAMS):
                term = l1k * a1[m] + l2k * a2[m]
                if m > k:
                    hess[k, m] += term
                elif m < k:
                    hess[m, k] += term
                else:
                    hess[k, k] += 2.0 * term
    for k in range(N_PARAMS):
        for m in range(k):
            hess[k, m] = hess[m, k]
    return ll - lgy_sum


# ---- small dense linear algebra (as mescams.sim.small_linalg, one matrix at a time) ----

@njit(cache=_CACHE, nogil=True)
def _cholesky(a: np.ndarray, low: np.ndarray) -> bool:
    """Lower factor of a symmetric matrix into ``low``; False where a pivot is not positive (it is then taken as
    1, as small_linalg.cholesky does, so the factor is defined either way)."""
    n = a.shape[0]
    ok = True
    low[:, :] = 0.0
    for j in range(n):
        pivot = a[j, j]
        for k in range(j):
            pivot -= low[j, k] * low[j, k]
        if not pivot > 0:
            ok = False
        d = math.sqrt(pivot) if pivot > 0 else 1.0
        low[j, j] = d
        for i in range(j + 1, n):
            acc = a[i, j]
            for k in range(j):
                acc -= low[i, k] * low[j, k]
            low[i, j] = acc / d
    return ok


@njit(cache=_CACHE, nogil=True)
def _solve_factored(low: np.ndarray, b: np.ndarray, x: np.ndarray) -> None:
    n = low.shape[0]
    w = np.empty(n)
    for i in range(n):
        acc = b[i]
        for k in range(i):
            acc -= low[i, k] * w[k]
        w[i] = acc / low[i, i]
    for i in range(n - 1, -1, -1):
        acc = w[i]
        for k in range(i + 1, n):
            acc -= low[k, i] * x[k]
        x[i] = acc / low[i, i]


@njit(cache=_CACHE, nogil=True)
def _solve_positive_definite(a: np.ndarray, b: np.ndarray, x: np.ndarray, regularise: bool) -> bool:
    """x = a^-1 b; with ``regularise``, lambda I is added to a matrix that is not positive definite, lambda
    growing tenfold from 1e-8 times its largest diagonal (small_linalg.solve_positive_definite)."""
    n = a.shape[0]
    low = np.empty((n, n))
    ok = _cholesky(a, low)
    if regularise and not ok:
        scale = 0.0
        for i in range(n):
            scale = max(scale, abs(a[i, i]))
        lam = 1e-8 * max(scale, 1e-12)
        shifted = a.copy()
        trial = np.empty((n, n))
        for _ in range(30):
            for i in range(n):
                shifted[i, i] = a[i, i] + lam
            if _cholesky(shifted, trial):
                low[:, :] = trial
                break
            lam *= 10.0
    _solve_factored(low, b, x)
    return ok


# ---- the optimiser (as mescams.sim.batched_nbmm, one trial at a time) ----

@njit(cache=_CACHE, nogil=True)
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
        _solve_positive_definite(info, score, step, True)
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


@njit(cache=_CACHE, nogil=True)
def _to_z(phi: np.ndarray, z: np.ndarray) -> None:
    z[0], z[1], z[2] = phi[0], phi[1], phi[2]
    z[3] = math.exp(-phi[3])
    z[4] = math.exp(phi[4])


@njit(cache=_CACHE, nogil=True)
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


@njit(cache=_CACHE, nogil=True)
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
    _solve_positive_definite(neg, g, direction, True)
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


@njit(cache=_CACHE, nogil=True)
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
        l1 = _laplace(y, off, trt, pres, lgy_sum, cap, table, trial_p, guess, b1, s1, g1, h1)
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


@njit(cache=_CACHE, nogil=True)
def _fit_from(y: np.ndarray, off: np.ndarray, trt: np.ndarray, pres: np.ndarray, lgy_sum: float, cap: int,
              table: np.ndarray, phi: np.ndarray, ll: np.ndarray, grad: np.ndarray, hess: np.ndarray,
              b: np.ndarray, sens: np.ndarray, fixed: np.ndarray, flags: np.ndarray, tol: float, max_iter: int,
              abandon: np.ndarray, use_abandon: bool, bounds: np.ndarray) -> None:
    """batched_nbmm._fit_from for one trial: optimise from ``phi``, then refit with theta or the SD pinned at
    its limit when it ended beyond the boundary threshold (unless abandoned)."""
    b_zero = np.zeros(b.shape[0])
    ll[0] = _laplace(y, off, trt, pres, lgy_sum, cap, table, phi, b_zero, b, sens, grad, hess)
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
        ll[0] = _laplace(y, off, trt, pres, lgy_sum, cap, table, phi, b_start, b, sens, grad, hess)
        flags[0] = 0
        _optimise(y, off, trt, pres, lgy_sum, cap, table, phi, ll, grad, hess, b, sens, fixed, flags, tol,
                  max_iter, abandon, False, bounds)


@njit(cache=_CACHE, nogil=True)
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
