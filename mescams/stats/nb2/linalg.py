"""Cholesky solves of many small symmetric systems at once, in plain NumPy arithmetic.

Why not ``np.linalg``: its batched LAPACK calls go through the threaded BLAS, which worker threads then call at
once; a 5 x 5 Cholesky written as array arithmetic over the batch loops over the matrix size, not the batch. A
matrix that is not positive definite gets the Levenberg-Marquardt fallback. The compiled engine has the same
algorithm for one matrix (:mod:`mescams.stats.nb2.compiled`).
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

__all__ = ["solve_positive_definite"]

Array = NDArray[np.float64]


def _cholesky(a: Array) -> tuple[Array, NDArray[np.bool_]]:
    """Lower factors of a batch (T, n, n) and a flag per matrix: positive definite (else a pivot is taken as 1)."""
    n = a.shape[-1]
    low = np.zeros_like(a)
    ok = np.ones(a.shape[0], dtype=bool)
    for j in range(n):
        pivot = a[:, j, j] - np.einsum("tk,tk->t", low[:, j, :j], low[:, j, :j])
        ok &= pivot > 0
        d = np.sqrt(np.where(pivot > 0, pivot, 1.0))
        low[:, j, j] = d
        low[:, j + 1:, j] = (a[:, j + 1:, j] - np.einsum("tik,tk->ti", low[:, j + 1:, :j], low[:, j, :j])) / d[:, None]
    return low, ok


def _solve_factored(low: Array, b: Array) -> Array:
    n = low.shape[-1]
    diagonal = np.diagonal(low, axis1=1, axis2=2).reshape(low.shape[:2] + (1,) * (b.ndim - 2))
    w, x = np.empty_like(b), np.empty_like(b)
    for i in range(n):
        w[:, i] = (b[:, i] - np.einsum("tk,tk...->t...", low[:, i, :i], w[:, :i])) / diagonal[:, i]
    for i in reversed(range(n)):
        x[:, i] = (w[:, i] - np.einsum("tk,tk...->t...", low[:, i + 1:, i], x[:, i + 1:])) / diagonal[:, i]
    return x


def solve_positive_definite(a: Array, b: Array, *, regularise: bool = False) -> tuple[Array, NDArray[np.bool_]]:
    """Solve ``a x = b`` for symmetric matrices (T, n, n) and right-hand sides (T, n) or (T, n, m).

    With ``regularise``, a matrix that is not positive definite gets ``lambda I`` added, lambda growing tenfold
    from 1e-8 times its largest diagonal until it is. Returns (x, positive definite as given)."""
    low, ok = _cholesky(a)
    if regularise and not ok.all():
        bad = np.nonzero(~ok)[0]
        lam = 1e-8 * np.maximum(np.abs(np.diagonal(a[bad], axis1=1, axis2=2)).max(axis=1), 1e-12)
        pending = np.arange(bad.size)
        for _ in range(30):
            sub_low, sub_ok = _cholesky(a[bad[pending]] + lam[pending, None, None] * np.eye(a.shape[-1]))
            low[bad[pending[sub_ok]]] = sub_low[sub_ok]
            pending = pending[~sub_ok]
            if pending.size == 0:
                break
            lam[pending] *= 10.0
    return _solve_factored(low, b), ok
