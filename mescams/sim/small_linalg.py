"""Cholesky solves of many small symmetric systems at once, in plain NumPy arithmetic.

Why not ``np.linalg``: its batched LAPACK calls go through the threaded BLAS, which several worker threads
then call at once, and a power grid should behave the same on one worker or many. A 5 x 5 Cholesky written as
array arithmetic over the batch has no such dependence and is fast enough (the loops run over the matrix size,
not the batch); it also gives the Levenberg-Marquardt fallback for a Hessian that is not negative definite.
"""

from __future__ import annotations

import numpy as np

__all__ = ["cholesky", "solve_positive_definite"]


def cholesky(a: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Lower factors ``L`` with ``L L' = a`` for a batch (T, n, n), and a flag per matrix: positive definite.

    The entries are kept as contiguous (T,) columns while they are computed (slices ``a[:, i, j]`` are strided),
    and the short inner sums are written out: for n = 5 this is a few dozen array operations in all."""
    n = a.shape[-1]
    entry = [[np.ascontiguousarray(a[:, i, j]) for j in range(i + 1)] for i in range(n)]
    low: list[list[np.ndarray]] = [[] for _ in range(n)]
    ok = np.ones(a.shape[0], dtype=bool)
    for j in range(n):
        pivot = entry[j][j].copy()
        for k in range(j):
            pivot -= low[j][k] * low[j][k]
        ok &= pivot > 0
        d = np.sqrt(np.where(pivot > 0, pivot, 1.0))
        low[j].append(d)
        for i in range(j + 1, n):
            acc = entry[i][j].copy()
            for k in range(j):
                acc -= low[i][k] * low[j][k]
            low[i].append(acc / d)
    out = np.zeros_like(a)
    for i in range(n):
        for j in range(i + 1):
            out[:, i, j] = low[i][j]
    return out, ok


def _solve_factored(low: np.ndarray, b: np.ndarray) -> np.ndarray:
    n = low.shape[-1]
    shape = (low.shape[0], *([1] * (b.ndim - 2)))
    col = [[low[:, i, j].reshape(shape) for j in range(i + 1)] for i in range(n)]
    y: list[np.ndarray] = []
    for i in range(n):
        acc = b[:, i].copy()
        for k in range(i):
            acc -= col[i][k] * y[k]
        y.append(acc / col[i][i])
    x: list[np.ndarray] = [np.empty(0)] * n
    for i in reversed(range(n)):
        acc = y[i].copy()
        for k in range(i + 1, n):
            acc -= col[k][i] * x[k]
        x[i] = acc / col[i][i]
    return np.stack(x, axis=1)


def solve_positive_definite(a: np.ndarray, b: np.ndarray, *, regularise: bool = False
                            ) -> tuple[np.ndarray, np.ndarray]:
    """Solve ``a x = b`` for a batch of symmetric matrices (T, n, n) and right-hand sides (T, n) or (T, n, m).

    With ``regularise``, a matrix that is not positive definite gets ``lambda I`` added, lambda growing tenfold
    from 1e-8 times its largest diagonal until it is (a Levenberg-Marquardt step). Returns (x, positive definite
    as given).
    """
    low, ok = cholesky(a)
    if regularise and not ok.all():
        bad = np.nonzero(~ok)[0]
        scale = np.maximum(np.abs(np.diagonal(a[bad], axis1=1, axis2=2)).max(axis=1), 1e-12)
        eye = np.eye(a.shape[-1])
        lam = 1e-8 * scale
        pending = np.arange(bad.size)
        for _ in range(30):
            sub_low, sub_ok = cholesky(a[bad[pending]] + lam[pending, None, None] * eye)
            low[bad[pending[sub_ok]]] = sub_low[sub_ok]
            pending = pending[~sub_ok]
            if pending.size == 0:
                break
            lam[pending] *= 10.0
    return _solve_factored(low, b), ok
