"""Small dense symmetric solves in compiled code (Numba), one matrix at a time: mescams.sim.small_linalg's
Cholesky with its Levenberg-Marquardt fallback, for the compiled fits."""

from __future__ import annotations

import math

import numpy as np
from numba import njit

from mescams.sim.compiled_laplace import CACHE

__all__ = ["solve_positive_definite"]


@njit(cache=CACHE, nogil=True)
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


@njit(cache=CACHE, nogil=True)
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


@njit(cache=CACHE, nogil=True)
def solve_positive_definite(a: np.ndarray, b: np.ndarray, x: np.ndarray, regularise: bool) -> bool:
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


