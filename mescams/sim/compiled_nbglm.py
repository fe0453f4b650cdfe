"""The parallel (period-1) NB2 regression of :mod:`mescams.sim.batched_nbglm`, one trial at a time in compiled code.

Why: with the crossover fit compiled (:mod:`mescams.sim.compiled_nbmm`), the NumPy GLM took as long per trial
as the mixed model. The same procedure, step for step: the same start, Newton steps in (beta0, beta1, log theta)
with the exact Hessian, the step capped at 3 and halved until the log-likelihood does not fall, the same stop.
The standard errors (glm.nb's convention) are computed from the optimum by the caller.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

from mescams.sim.compiled_laplace import CACHE, TABLE_CAP, count_terms_at, fill_count_table
from mescams.sim.compiled_linalg import solve_positive_definite

__all__ = ["fit_glm_trials"]


@njit(cache=CACHE, nogil=True)
def _terms(y: np.ndarray, off: np.ndarray, trt: np.ndarray, pres: np.ndarray, phi: np.ndarray, table: np.ndarray,
           cap: int, lgy_sum: float, grad: np.ndarray, hess: np.ndarray) -> float:
    """Log-likelihood of one trial, its gradient and Hessian in (beta0, beta1, log theta) (batched_nbglm._terms)."""
    theta = math.exp(phi[2])
    fill_count_table(table, theta, cap)
    ll = s_sum = s_trt = lt_sum = w_sum = w_trt = w_trt2 = st_sum = st_trt = ltt_sum = 0.0
    for i in range(y.shape[0]):
        if not pres[i]:
            continue
        yi, ti = y[i], trt[i]
        mu = math.exp(min(phi[0] + phi[1] * ti + off[i], 700.0))
        den = theta + mu
        r = mu / den
        a = yi + theta
        lg, dg, tg = count_terms_at(table, cap, theta, yi)
        l1p = math.log1p(mu / theta)
        s = yi - a * r
        w = a * r * (1.0 - r)
        s_t = r * (yi - mu) / den
        ll += lg - theta * l1p + yi * math.log(r)
        s_sum += s
        s_trt += ti * s
        lt_sum += dg - l1p + (mu - yi) / den
        ltt_sum += tg + (mu * mu + theta * yi) / den**2 / theta
        w_sum += w
        w_trt += ti * w
        w_trt2 += ti * ti * w
        st_sum += s_t
        st_trt += ti * s_t
    grad[0], grad[1], grad[2] = s_sum, s_trt, theta * lt_sum
    hess[0, 0], hess[0, 1], hess[1, 1] = -w_sum, -w_trt, -w_trt2
    hess[0, 2], hess[1, 2] = theta * st_sum, theta * st_trt
    hess[2, 2] = theta * lt_sum + theta * theta * ltt_sum
    hess[1, 0], hess[2, 0], hess[2, 1] = hess[0, 1], hess[0, 2], hess[1, 2]
    return ll - lgy_sum


@njit(cache=CACHE, nogil=True)
def _start(y: np.ndarray, off: np.ndarray, trt: np.ndarray, pres: np.ndarray, phi: np.ndarray) -> None:
    """The two groups' observed log rates; theta from the moments of the pooled counts (batched_nbglm)."""
    y_p = y_m = e_p = e_m = 0.0
    for i in range(y.shape[0]):
        e = math.exp(off[i]) * pres[i]
        y_p += y[i] * (1 - trt[i])
        y_m += y[i] * trt[i]
        e_p += e * (1 - trt[i])
        e_m += e * trt[i]
    rate_p = max(y_p, 0.5) / max(e_p, 1e-9)
    rate_m = max(y_m, 0.5) / max(e_m, 1e-9)
    phi[0], phi[1] = math.log(rate_p), math.log(rate_m / rate_p)
    num = den = 0.0
    for i in range(y.shape[0]):
        mu0 = math.exp(phi[0] + phi[1] * trt[i]) * (math.exp(off[i]) * pres[i])
        num += ((y[i] - mu0) ** 2 - mu0) * pres[i]
        den += mu0 * mu0
    phi[2] = -math.log(min(max(num / max(den, 1e-9), 0.05), 20.0))


@njit(cache=CACHE, nogil=True)
def fit_glm_trials(y: np.ndarray, off: np.ndarray, trt: np.ndarray, pres: np.ndarray, tol: float, max_iter: int,
                   lower: np.ndarray, upper: np.ndarray, phi_out: np.ndarray, ll_out: np.ndarray,
                   converged_out: np.ndarray, iterations_out: np.ndarray) -> None:
    """Fit every trial of (T, N) arrays (batched_nbglm.fit_nbglm_batch's iteration), trial after trial."""
    table = np.empty((3, TABLE_CAP + 1))
    phi, trial, grad, g1, gg, step = (np.empty(3), np.empty(3), np.empty(3), np.empty(3), np.empty(3),
                                      np.empty(3))
    hess, h1, neg = np.empty((3, 3)), np.empty((3, 3)), np.empty((3, 3))
    held = np.empty(3, dtype=np.bool_)
    for t in range(y.shape[0]):
        yt, ot, tt, pt = y[t], off[t], trt[t], pres[t]
        y_max = lgy_sum = 0.0
        for i in range(yt.shape[0]):
            y_max = max(y_max, yt[i])
            lgy_sum += math.lgamma(yt[i] + 1.0) * pt[i]
        cap = min(int(y_max), TABLE_CAP)
        _start(yt, ot, tt, pt, phi)
        ll = _terms(yt, ot, tt, pt, phi, table, cap, lgy_sum, grad, hess)
        converged = False
        iterations = 0
        for _ in range(max_iter):
            for k in range(3):
                held[k] = ((phi[k] <= lower[k] + 1e-12) and grad[k] < 0) or ((phi[k] >= upper[k] - 1e-12)
                                                                              and grad[k] > 0)
                gg[k] = 0.0 if held[k] else grad[k]
            for k in range(3):
                for m in range(3):
                    neg[k, m] = -hess[k, m] * (0.0 if (held[k] or held[m]) else 1.0) + (
                        1.0 if (k == m and held[k]) else 0.0)
            solve_positive_definite(neg, gg, step, True)
            worst = 0.0
            for k in range(3):
                ratio = abs(step[k]) / 3.0
                if ratio != ratio or worst != worst:
                    worst = np.nan
                elif ratio > worst:
                    worst = ratio
            scale = np.nan if worst != worst else max(1.0, worst)
            decrement = 0.0
            for k in range(3):
                step[k] /= scale
                decrement += gg[k] * step[k]
            alpha = 1.0
            moved_all = moved_beta = 0.0
            for _halving in range(40):
                for k in range(3):
                    x = phi[k] + alpha * step[k]
                    if x < lower[k]:
                        x = lower[k]
                    elif x > upper[k]:
                        x = upper[k]
                    trial[k] = x
                l1 = _terms(yt, ot, tt, pt, trial, table, cap, lgy_sum, g1, h1)
                if np.isfinite(l1) and l1 >= ll - 1e-10 * (1.0 + abs(ll)):
                    for k in range(3):
                        d = abs(trial[k] - phi[k])
                        moved_all = max(moved_all, d)
                        if k < 2:
                            moved_beta = max(moved_beta, d)
                    phi[:] = trial
                    ll = l1
                    grad[:] = g1
                    hess[:, :] = h1
                    break
                alpha *= 0.5
            iterations += 1
            if moved_all < tol or (moved_beta < tol and decrement < 1e-14):
                converged = True
                break
        phi_out[t] = phi
        ll_out[t] = ll
        converged_out[t] = converged
        iterations_out[t] = iterations
