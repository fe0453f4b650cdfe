"""The Laplace log-likelihood of the crossover NB2 mixed model for one trial, with its exact gradient and Hessian,
in compiled code (Numba): the per-trial kernel of :mod:`mescams.sim.compiled_nbmm`.

The formulas are those of :mod:`mescams.sim.laplace_nbmm` (its docstring has the derivatives), summed per
participant in scalars; the count terms are a per-trial table of the cumulative sums of log(theta + j),
1/(theta + j) and -1/(theta + j)^2 as in :mod:`mescams.sim.count_terms`, counts above its cap adding their
remaining terms one by one.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

from mescams.sim.count_terms import TABLE_CAP

__all__ = ["CACHE", "N_PARAMS", "TABLE_CAP", "count_terms_at", "fill_count_table", "laplace_one"]

N_PARAMS = 5
CACHE = True  # compiled once per installation, into __pycache__ (the first call after a change takes seconds)


@njit(cache=CACHE, nogil=True)
def fill_count_table(table: np.ndarray, theta: float, cap: int) -> None:
    """Rows: cumulative sums over j < k of log(theta + j), 1/(theta + j) and -1/(theta + j)^2, for k <= cap."""
    table[0, 0] = 0.0
    table[1, 0] = 0.0
    table[2, 0] = 0.0
    for k in range(cap):
        x = theta + k
        inv = 1.0 / x
        table[0, k + 1] = table[0, k] + math.log(x)
        table[1, k + 1] = table[1, k] + inv
        table[2, k + 1] = table[2, k] - inv * inv


@njit(cache=CACHE, nogil=True)
def count_terms_at(table: np.ndarray, cap: int, theta: float, y: float) -> tuple[float, float, float]:
    """(lgamma, digamma, trigamma) differences at the count y: the table, plus the terms beyond its cap."""
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


@njit(cache=CACHE, nogil=True)
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


@njit(cache=CACHE, nogil=True)
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
    lg, dg, tg = count_terms_at(table, cap, th, y)
    d20 = -(a * q)
    d11 = (y - mu) * q
    d21 = (y - 2.0 * ar) * q
    d01 = th * (dg - l1p + (mu - y) * inv_d)
    return (lg - (th + y) * l1p + y * (eta - log_th), y - ar, d20, d20 * t2, d20 * t6, d11, d21,
            (a * t6 - th * t2) * q, d01, d01 + th * th * tg + s * (r * mu + s * y),
            d21 + 2.0 * q * (th * t2 - a * s * (1.0 - 3.0 * r)), -t2 * d11)


@njit(cache=CACHE, nogil=True)
def laplace_one(y: np.ndarray, off: np.ndarray, trt: np.ndarray, pres: np.ndarray, lgy_sum: float, cap: int,
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
    fill_count_table(table, th, cap)
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
