"""The compiled engine (Numba): each trial's fit in its own loop, in registers, without the interpreter lock.

Why: the NumPy engine moves all trials in lock-step rounds, so every Newton step pays for Python calls and for
passes over (M, T, N) temporaries, and worker threads mostly wait for each other. Here the same procedure as
:mod:`mescams.stats.nb2.optimiser` (same start, Newton steps in z with the same caps, step halving, stop,
boundary rule and restart) and the same formulas as :mod:`mescams.stats.nb2.likelihood`, summed per participant
in scalars, so both engines agree to rounding and a trial's fit does not depend on its batch. Designs: the GLM
(up to three columns, one cell per participant) and the crossover mixed model (columns 1, treatment, period 2 on two
periods). Compiled once per installation into __pycache__ (the first call after a change takes seconds).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any, TypeVar, cast

import numpy as np
from numba import njit
from numpy.typing import NDArray

from mescams.stats.nb2.spec import TABLE_CAP

__all__ = ["fit_trials"]

Array = NDArray[np.float64]
Flags = NDArray[np.bool_]
Func = TypeVar("Func", bound=Callable[..., Any])


def _compiled(function: Func) -> Func:
    return cast(Func, njit(cache=True, nogil=True)(function))


@_compiled
def _fill_count_table(table: Array, theta: float, cap: int) -> None:
    """Rows: cumulative sums over j < k of log(theta + j), 1/(theta + j) and -1/(theta + j)^2, for k <= cap."""
    table[:, 0] = 0.0
    for k in range(cap):
        x = theta + k
        inv = 1.0 / x
        table[0, k + 1] = table[0, k] + math.log(x)
        table[1, k + 1] = table[1, k] + inv
        table[2, k + 1] = table[2, k] - inv * inv


@_compiled
def _count_terms(table: Array, cap: int, theta: float, y: float) -> tuple[float, float, float]:
    """(lgamma, digamma, trigamma) differences at the count y: the table, plus the terms beyond its cap."""
    iy = int(y)
    if iy <= cap:
        return table[0, iy], table[1, iy], table[2, iy]
    lg, dg, tg = table[0, cap], table[1, cap], table[2, cap]
    for k in range(cap, iy):
        inv = 1.0 / (theta + k)
        lg += math.log(theta + k)
        dg += inv
        tg -= inv * inv
    return lg, dg, tg


@_compiled
def _solve_positive_definite(a: Array, b: Array, x: Array) -> None:
    """x = a^-1 b by Cholesky; a matrix that is not positive definite gets lambda I added, lambda growing tenfold
    from 1e-8 times its largest diagonal until it is (linalg.solve_positive_definite, for one matrix)."""
    n = a.shape[0]
    low = np.zeros((n, n))
    lam = 0.0
    for attempt in range(31):
        ok = True
        for j in range(n):
            pivot = a[j, j] + lam
            for k in range(j):
                pivot -= low[j, k] * low[j, k]
            ok = ok and pivot > 0
            low[j, j] = math.sqrt(pivot) if pivot > 0 else 1.0
            for i in range(j + 1, n):
                acc = a[i, j]
                for k in range(j):
                    acc -= low[i, k] * low[j, k]
                low[i, j] = acc / low[j, j]
        if ok:
            break
        lam = 1e-8 * max(np.max(np.abs(np.diag(a))), 1e-12) if attempt == 0 else 10.0 * lam
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


@_compiled
def _inner_mode(y0: float, y1: float, lin0: float, lin1: float, th: float, v: float,
                b: float) -> tuple[float, float, float]:
    """Newton solve of h'(b) = 0 for one participant, to a step below 1e-6 (as likelihood._inner_mode).

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
        step = min(max((ysum - ar0 - ar1 - b * v) / (ar0 * th * inv0 + ar1 * th * inv1 + v), -3.0), 3.0)
        b += step
        if abs(step) < 1e-6:
            grow = 1.0 + step * (1.0 + 0.5 * step)
            if lin0 + b < 700.0:
                m0 *= grow
            if lin1 + b < 700.0:
                m1 *= grow
            return b, m0, m1
    return b, math.exp(min(lin0 + b, 700.0)), math.exp(min(lin1 + b, 700.0))


@_compiled
def _cell(y: float, eta: float, mu: float, th: float, log_th: float, table: Array,
          cap: int) -> tuple[float, ...]:
    """One period's NB2 terms: the log-likelihood (without log y!) and d(n, k) (formulas in likelihood), as
    (ll, d10, d20, d30, d40, d11, d21, d31, d01, d02, d22, d12)."""
    inv_d = 1.0 / (th + mu)
    r, s, a = mu * inv_d, th * inv_d, y + th
    q = r * s
    ar, t2, t6 = a * r, s - r, 1.0 - 6.0 * q
    l1p = math.log1p(mu / th)
    lg, dg, tg = _count_terms(table, cap, th, y)
    d20 = -(a * q)
    d11 = (y - mu) * q
    d21 = (y - 2.0 * ar) * q
    d01 = th * (dg - l1p + (mu - y) * inv_d)
    return (lg - (th + y) * l1p + y * (eta - log_th), y - ar, d20, d20 * t2, d20 * t6, d11, d21,
            (a * t6 - th * t2) * q, d01, d01 + th * th * tg + s * (r * mu + s * y),
            d21 + 2.0 * q * (th * t2 - a * s * (1.0 - 3.0 * r)), -t2 * d11)


@_compiled
def _glm_one(y: Array, off: Array, X: Array, pres: Flags, lgy_sum: float, cap: int, table: Array, phi: Array,
             grad: Array, hess: Array) -> float:
    """One trial's GLM log-likelihood; its gradient and Hessian in (beta, log theta) into the outputs."""
    p = X.shape[0]
    theta = math.exp(phi[p])
    log_theta = math.log(theta)
    _fill_count_table(table, theta, cap)
    ll = 0.0
    grad[:] = 0.0
    hess[:, :] = 0.0
    for i in range(y.shape[1]):
        if not pres[0, i]:
            continue
        eta = off[0, i]
        for k in range(p):
            eta += X[k, 0, i] * phi[k]
        eta = min(eta, 700.0)
        cell_ll, d10, d20, _d30, _d40, d11, _d21, _d31, d01, d02, _d22, _d12 = _cell(
            y[0, i], eta, math.exp(eta), theta, log_theta, table, cap)
        ll += cell_ll
        for k in range(p):
            grad[k] += X[k, 0, i] * d10
            hess[k, p] += X[k, 0, i] * d11
            for m in range(k, p):
                hess[k, m] += X[k, 0, i] * X[m, 0, i] * d20
        grad[p] += d01
        hess[p, p] += d02
    for k in range(p + 1):
        for m in range(k):
            hess[k, m] = hess[m, k]
    return ll - lgy_sum


@_compiled
def _laplace_one(y: Array, off: Array, X: Array, pres: Flags, lgy_sum: float, cap: int, table: Array,
                 phi: Array, b_start: Array, b_out: Array, sens: Array, grad: Array, hess: Array) -> float:
    """One crossover trial's Laplace log-likelihood; gradient, Hessian, modes and their sensitivities into the
    outputs (likelihood.laplace_terms for the columns 1, treatment (X[1]), period 2 on two periods)."""
    n_n = y.shape[1]
    b0, b1, b2, log_sigma = phi[0], phi[1], phi[2], phi[4]
    th = math.exp(phi[3])
    v = math.exp(-2.0 * log_sigma)
    log_th = math.log(th)
    _fill_count_table(table, th, cap)
    ll = 0.0
    grad[:] = 0.0
    hess[:, :] = 0.0
    for i in range(n_n):
        t0, t1 = X[1, 0, i], X[1, 1, i]
        lin0 = b0 + b1 * t0 + off[0, i]
        lin1 = b0 + b1 * t1 + off[1, i] + b2
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
        hbc = -(d30_0 + d30_1) * c * c
        h_bb = -(d40_0 + d40_1)
        hc, hh = 0.5 * c, 0.5 * hbc
        ll += l_0 + l_1 - 0.5 * b * bv - log_sigma - 0.5 * math.log(big_h)
        g0 = d10_0 + hc * d30_0 - hh * d20_0
        g1 = d10_1 + hc * d30_1 - hh * d20_1
        grad[0] += g0 + g1
        grad[1] += t0 * g0 + t1 * g1
        grad[2] += g1
        grad[3] += (d01_0 + hc * d21_0 - hh * d11_0) + (d01_1 + hc * d21_1 - hh * d11_1)
        grad[4] += b * bv - 1.0 + c * v - hbc * bv
        a1 = (d20_0 + d20_1, t0 * d20_0 + t1 * d20_1, d20_1, d11_0 + d11_1, 2.0 * bv)
        for k in range(5):
            sens[k, i] = a1[k] * c
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
        a2 = (d30_0 + d30_1, t0 * d30_0 + t1 * d30_1, d30_1, d21_0 + d21_1, 2.0 * v)
        a3 = (d40_0 + d40_1, t0 * d40_0 + t1 * d40_1, d40_1, d31_0 + d31_1, 0.0)
        c2 = c * c
        ca = c - 0.5 * c2 * c * h_bb + hbc * hbc
        cb = -2.0 * hbc * c
        left = (0.5 * (ca * a1[0] + cb * a2[0] + c2 * a3[0]), 0.5 * (ca * a1[1] + cb * a2[1] + c2 * a3[1]),
                0.5 * (ca * a1[2] + cb * a2[2] + c2 * a3[2]), 0.5 * (ca * a1[3] + cb * a2[3] + c2 * a3[3]),
                0.5 * (ca * a1[4] + cb * a2[4] + c2 * a3[4]))
        for k in range(5):  # the upper triangle of left a1' + a1 left' + (c^2 / 4)(a2 a2' + a2 a2')
            for m in range(k, 5):
                hess[k, m] += left[k] * a1[m] + left[m] * a1[k] + 0.5 * c2 * a2[k] * a2[m]
    for k in range(5):
        for m in range(k):
            hess[k, m] = hess[m, k]
    return ll - lgy_sum


@_compiled
def _evaluate(y: Array, off: Array, X: Array, pres: Flags, lgy_sum: float, cap: int, table: Array, phi: Array,
              b_start: Array, b_out: Array, sens: Array, grad: Array, hess: Array) -> float:
    """The model's terms: the mixed model when phi has a log sigma, else the GLM."""
    if phi.shape[0] == X.shape[0] + 2:
        return _laplace_one(y, off, X, pres, lgy_sum, cap, table, phi, b_start, b_out, sens, grad, hess)
    return _glm_one(y, off, X, pres, lgy_sum, cap, table, phi, grad, hess)


@_compiled
def _start(y: Array, off: Array, X: Array, pres: Flags, has_sigma: bool, phi: Array) -> None:
    """optimiser.start_values for one trial: Poisson scoring for beta, moments of its residuals for theta, sigma."""
    n_m, n_n, p = y.shape[0], y.shape[1], X.shape[0]
    total = exposure = 0.0
    intercept = True
    for j in range(n_m):
        for i in range(n_n):
            total += y[j, i]
            exposure += math.exp(off[j, i])
            intercept = intercept and (X[0, j, i] == 1.0 or not pres[j, i])
    beta = np.zeros(3)  # up to three columns, the rest read as 0: one pass per step with scalar sums
    if intercept:
        beta[0] = math.log(max(total, 0.5) / max(exposure, 1e-9))
    info, score, step = np.empty((p, p)), np.empty(p), np.empty(p)
    for iteration in range(7):  # six scoring steps, then the moments at the start
        g0 = g1 = g2 = i00 = i01 = i02 = i11 = i12 = i22 = pair_num = pair_den = sq = mu2 = 0.0
        for i in range(n_n):
            sr = sr2 = sm = sm2 = 0.0
            for j in range(n_m):
                x0, x1, x2 = X[0, j, i], X[1, j, i] if p > 1 else 0.0, X[2, j, i] if p > 2 else 0.0
                m = math.exp(beta[0] * x0 + beta[1] * x1 + beta[2] * x2 + off[j, i])
                r, xm0, xm1 = y[j, i] - m, x0 * m, x1 * m
                g0, g1, g2 = g0 + x0 * r, g1 + x1 * r, g2 + x2 * r
                i00, i01, i02, i11, i12, i22 = (i00 + xm0 * x0, i01 + xm0 * x1, i02 + xm0 * x2, i11 + xm1 * x1,
                                                i12 + xm1 * x2, i22 + x2 * m * x2)
                sr, sr2, sm, sm2 = sr + r, sr2 + r * r, sm + m, sm2 + m * m
            pair_num, pair_den = pair_num + sr * sr - sr2, pair_den + sm * sm - sm2
            sq, mu2 = sq + sr2 - sm, mu2 + sm2
        if iteration == 6:
            break
        info[0, 0], score[0] = i00 + 1e-6, g0
        if p > 1:
            info[0, 1] = info[1, 0] = i01
            info[1, 1], score[1] = i11 + 1e-6, g1
        if p > 2:
            info[0, 2], info[1, 2], info[2, 2], score[2] = i02, i12, i22 + 1e-6, g2
            info[2, 0], info[2, 1] = i02, i12
        _solve_positive_definite(info, score, step)
        for k in range(p):
            beta[k] += min(max(step[k], -2.0), 2.0)
    phi[:p] = beta[:p]
    s2 = 0.0
    if has_sigma:
        s2 = min(max(math.log1p(max(pair_num / max(pair_den, 2e-9), 0.0)), 0.05), 4.0)
        phi[p + 1] = 0.5 * math.log(s2)
    phi[p] = -math.log(min(max((sq / max(mu2, 1e-9) + 1.0) / math.exp(s2) - 1.0, 0.05), 20.0))


@_compiled
def _to_z(phi: Array, p: int, z: Array) -> None:
    z[:] = phi
    z[p] = math.exp(-phi[p])
    if phi.shape[0] > p + 1:
        z[p + 1] = math.exp(phi[p + 1])


@_compiled
def _step_in_z(phi: Array, p: int, direction: Array, alpha: float, z_lower: Array, z_upper: Array,
               out: Array) -> None:
    """phi moved by alpha * direction in z = (beta, 1/theta, sigma), clipped to the limits, back in phi."""
    _to_z(phi, p, out)
    for k in range(phi.shape[0]):
        out[k] = min(max(out[k] + alpha * direction[k], z_lower[k]), z_upper[k])
    out[p] = -math.log(out[p])
    if phi.shape[0] > p + 1:
        out[p + 1] = math.log(out[p + 1])


@_compiled
def _newton_direction(grad: Array, hess: Array, phi: Array, p: int, fixed: Flags, z_lower: Array, z_upper: Array,
                      direction: Array) -> float:
    """optimiser._newton_direction for one trial: -H_z^-1 g_z, held parameters kept, the step capped; returns
    the rise it promises."""
    n_k = phi.shape[0]
    z = np.empty(n_k)
    _to_z(phi, p, z)
    jac = np.ones(n_k)
    jac[p] = -math.exp(phi[p])
    if n_k > p + 1:
        jac[p + 1] = 1.0 / z[p + 1]
    g = grad * jac
    neg = np.empty((n_k, n_k))
    held = np.empty(n_k, dtype=np.bool_)
    for k in range(n_k):
        held[k] = (((z[k] <= z_lower[k] * (1 + 1e-9)) and g[k] < 0)
                   or ((z[k] >= z_upper[k] * (1 - 1e-9)) and g[k] > 0) or fixed[k])
    for k in range(n_k):
        for m in range(n_k):
            h = hess[k, m] * jac[k] * jac[m]
            if k == m == p:
                h += grad[p] * jac[p] ** 2
            elif k == m == p + 1:
                h -= grad[p + 1] * jac[p + 1] ** 2
            neg[k, m] = -h * (0.0 if (held[k] or held[m]) else 1.0) + (1.0 if (k == m and held[k]) else 0.0)
    for k in range(n_k):
        if held[k]:
            g[k] = 0.0
    _solve_positive_definite(neg, g, direction)
    worst = 0.0
    for k in range(n_k):
        if held[k]:
            direction[k] = 0.0
        if k < p:
            cap = 2.0
        elif direction[k] > 0:
            cap = 2.0 * z[k] + 0.1
        else:
            cap = np.inf if z[k] < (1e-4 if k == p else 1e-2) else 0.9 * z[k]
        ratio = abs(direction[k]) / cap
        worst = np.nan if (ratio != ratio or worst != worst) else max(worst, ratio)
    scale = np.nan if worst != worst else max(1.0, worst)
    rise = 0.0
    for k in range(n_k):
        direction[k] /= scale
        rise += g[k] * direction[k]
    return rise


@_compiled
def _optimise(y: Array, off: Array, X: Array, pres: Flags, lgy_sum: float, cap: int, table: Array, phi: Array,
              ll: Array, grad: Array, hess: Array, b: Array, sens: Array, fixed: Flags, flags: NDArray[np.int64],
              tol: float, max_iter: int, abandon: Flags, use_abandon: bool, limits: Array) -> None:
    """optimiser._optimise for one trial: damped Newton in z until a step below ``tol``.

    ``ll`` has 1 element; ``flags`` holds (converged, iterations, abandoned); ``limits`` the rows z lower, z upper,
    (final step, log theta boundary, log sigma boundary), phi at the z lower limits."""
    n_k, n_n, p = phi.shape[0], b.shape[0], X.shape[0]
    z_lower, z_upper = limits[0], limits[1]
    final_step, log_theta_boundary, log_sigma_boundary = limits[2, 0], limits[2, 1], limits[2, 2]
    direction, trial_p, g1 = np.zeros(n_k), np.empty(n_k), np.empty(n_k)
    guess, b1, s1 = np.empty(n_n), np.empty(n_n), np.empty((n_k, n_n))
    h1 = np.empty((n_k, n_k))
    decrement = alpha = 0.0
    halvings = 0
    fresh = True
    for _round in range(max_iter * 4):
        if fresh:
            decrement = _newton_direction(grad, hess, phi, p, fixed, z_lower, z_upper, direction)
            alpha, halvings, fresh = 1.0, 0, False
            _step_in_z(phi, p, direction, 1.0, z_lower, z_upper, trial_p)
            if np.max(np.abs(trial_p - phi)) < final_step:  # taken without a new evaluation
                phi[:] = trial_p
                flags[1] += 1
                flags[0] = 1
                return
        _step_in_z(phi, p, direction, alpha, z_lower, z_upper, trial_p)
        for i in range(n_n):
            acc = b[i]
            for k in range(n_k):
                acc += sens[k, i] * (trial_p[k] - phi[k])
            guess[i] = acc
        l1 = _evaluate(y, off, X, pres, lgy_sum, cap, table, trial_p, guess, b1, s1, g1, h1)
        stop = False
        if np.isfinite(l1) and l1 >= ll[0] - 1e-10 * (1.0 + abs(ll[0])):
            step_all = step_beta = 0.0
            for k in range(n_k):  # largest moves, of all and of beta (scalars: no temporaries in the hot loop)
                step_all = max(step_all, abs(trial_p[k] - phi[k]))
                step_beta = step_all if k < p else step_beta
            phi[:] = trial_p
            ll[0] = l1
            grad[:] = g1
            hess[:, :] = h1
            b[:] = b1
            sens[:, :] = s1
            flags[1] += 1
            fresh = True
            if step_all < tol or (step_beta < tol and decrement < 1e-12):
                flags[0] = 1
                stop = True
            if use_abandon and ((abandon[p] and phi[p] > log_theta_boundary)
                                or (n_k > p + 1 and abandon[p + 1] and phi[p + 1] < log_sigma_boundary)):
                flags[0] = 0  # heading for a limit already known: this start has nothing new to find
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


@_compiled
def _fit_from(y: Array, off: Array, X: Array, pres: Flags, lgy_sum: float, cap: int, table: Array, phi: Array,
              ll: Array, grad: Array, hess: Array, b: Array, sens: Array, fixed: Flags, flags: NDArray[np.int64],
              tol: float, max_iter: int, abandon: Flags, use_abandon: bool, limits: Array) -> None:
    """optimiser._fit_from for one trial: optimise, then refit with theta or the SD pinned at its limit."""
    n_k, p = phi.shape[0], X.shape[0]
    ll[0] = _evaluate(y, off, X, pres, lgy_sum, cap, table, phi, np.zeros(b.shape[0]), b, sens, grad, hess)
    flags[:] = 0
    fixed[:] = False
    _optimise(y, off, X, pres, lgy_sum, cap, table, phi, ll, grad, hess, b, sens, fixed, flags, tol, max_iter,
              abandon, use_abandon, limits)
    fixed[p] = phi[p] > limits[2, 1]
    if n_k > p + 1:
        fixed[p + 1] = phi[p + 1] < limits[2, 2]
    if fixed.any() and not flags[2]:
        for k in range(p, n_k):
            if fixed[k]:
                phi[k] = limits[3, k]
        ll[0] = _evaluate(y, off, X, pres, lgy_sum, cap, table, phi, b.copy(), b, sens, grad, hess)
        flags[0] = 0
        _optimise(y, off, X, pres, lgy_sum, cap, table, phi, ll, grad, hess, b, sens, fixed, flags, tol, max_iter,
                  abandon, False, limits)


@_compiled
def fit_trials(y: Array, off: Array, X: Array, pres: Flags, n_params: int, tol: float, max_iter: int,
               limits: Array, restart: Array, phi_out: Array, hess_out: Array, ll_out: Array, grad_out: Array,
               converged_out: Flags, iterations_out: NDArray[np.int64]) -> None:
    """Fit every trial of y, off, pres (T, M, N) and X (T, P, M, N), one after another: optimiser.fit_numpy's
    procedure. ``restart``: (log theta, log sigma) of the restart of a fit that ended on a limit."""
    n_t, n_n, p = y.shape[0], y.shape[2], X.shape[1]
    n_b = n_n if n_params == p + 2 else 0
    table = np.empty((3, TABLE_CAP + 1))
    phi0 = np.empty(n_params)
    phi, grad, hess, b, sens = (np.empty(n_params), np.empty(n_params), np.empty((n_params, n_params)),
                                np.empty(n_b), np.empty((n_params, n_b)))
    phi2, grad2, hess2, b2, sens2 = (np.empty(n_params), np.empty(n_params), np.empty((n_params, n_params)),
                                     np.empty(n_b), np.empty((n_params, n_b)))
    ll, ll2 = np.empty(1), np.empty(1)
    fixed, fixed2 = np.zeros(n_params, dtype=np.bool_), np.zeros(n_params, dtype=np.bool_)
    flags, flags2 = np.zeros(3, dtype=np.int64), np.zeros(3, dtype=np.int64)
    for t in range(n_t):
        yt, ot, xt, pt = y[t], off[t], X[t], pres[t]
        y_max = lgy_sum = 0.0  # sum of log(y!), a constant of the log-likelihood
        for j in range(yt.shape[0]):
            for i in range(n_n):
                y_max = max(y_max, yt[j, i])
                lgy_sum += math.lgamma(yt[j, i] + 1.0)
        cap = min(int(y_max), TABLE_CAP)
        _start(yt, ot, xt, pt, n_params == p + 2, phi0)
        phi[:] = phi0
        _fit_from(yt, ot, xt, pt, lgy_sum, cap, table, phi, ll, grad, hess, b, sens, fixed, flags, tol, max_iter,
                  fixed, False, limits)
        if fixed.any():  # ended on a limit: also restarted from theta = 1 and sigma = 0.5, the higher one kept
            phi2[:] = phi0
            phi2[p:] = restart[:n_params - p]
            _fit_from(yt, ot, xt, pt, lgy_sum, cap, table, phi2, ll2, grad2, hess2, b2, sens2, fixed2, flags2,
                      tol, max_iter, fixed, True, limits)
            if flags2[0] and not flags2[2] and ll2[0] > ll[0] + 1e-9:
                phi[:] = phi2
                ll[0] = ll2[0]
                hess[:, :] = hess2
                grad[:] = grad2
                flags[0] = flags2[0]
                flags[1] += flags2[1]
        phi_out[t] = phi
        hess_out[t] = hess
        ll_out[t] = ll[0]
        grad_out[t] = grad
        converged_out[t] = flags[0] == 1
        iterations_out[t] = flags[1]
