r"""The NB2 log-likelihoods with their exact gradients and Hessians, for a batch of trials (NumPy).

Parameters ``phi = (beta, log theta[, log sigma])`` per trial (see :mod:`mescams.stats.nb2.spec`); data as
:class:`~mescams.stats.nb2.data.NB2Data`. Two models:

- the GLM: ``y_ij ~ NB2(mu_ij, theta)``, ``log mu_ij = x_ij' beta + offset_ij`` (``MASS::glm.nb``);
- the random-intercept mixed model, ``log mu_ij = x_ij' beta + offset_ij + b_i``, ``b_i ~ N(0, sigma^2)``, by
  the Laplace approximation (glmmTMB's): with ``h_i(b) = sum_j l_ij(b) - b^2 / (2 sigma^2)``, its mode
  ``b_hat`` and ``H_i = -h_i''(b_hat) = sum_j w_ij + 1/sigma^2``,

.. math:: \ell_i = \sum_j l_{ij}(\hat b_i) - \hat b_i^2 / (2\sigma^2) - \log\sigma - \tfrac12 \log H_i.

Exact derivatives by implicit differentiation of ``b_hat(phi)`` (``b_hat' = h_b.phi / H``; ``dL/dphi = h_phi -
(H_phi + H_b b_hat') / (2H)``; the Hessian differentiates that once more), so a Newton step needs one evaluation.
Per cell, with D = theta + mu, r = mu / D, s = theta / D = 1 - r, a = y + theta, q = r s, the partial derivatives
d(n, k) = d^n/d eta^n d^k/d(log theta)^k of the NB2 log-likelihood are
d(1,0) = y - a r, d(2,0) = -a q, d(3,0) = -a q (1 - 2r), d(4,0) = -a q (1 - 6q),
d(0,1) = theta (psi(y + theta) - psi(theta) - log(1 + mu/theta) + (mu - y)/D),
d(0,2) = d(0,1) + theta^2 (psi'(y + theta) - psi'(theta)) + s (r mu + s y),
d(1,1) = q (y - mu), d(1,2) = -(1 - 2r) d(1,1), d(2,1) = q (y - 2 a r),
d(2,2) = d(2,1) + 2 q (theta (1 - 2r) - a s (1 - 3r)), d(3,1) = q (a (1 - 6q) - theta (1 - 2r)),
written without cancellations so they stay accurate up to the Poisson limit. Cost is the number of passes over
the (M, T, N) cells: derivatives share a few factors, and the participants' outer products are one matmul.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
from numpy.typing import NDArray

from mescams.stats.nb2.data import BLOCK, NB2Data

__all__ = ["Terms", "evaluate", "glm_terms", "laplace_terms"]

Array = NDArray[np.float64]


class Terms(NamedTuple):
    """Log-likelihood (T,), gradient (T, K), Hessian (T, K, K), the modes b_hat (T, N) and their sensitivities
    d b_hat / d phi (T, K, N), which predict the modes at the next point (empty for the GLM)."""

    loglik: Array
    gradient: Array
    hessian: Array
    b_hat: Array
    sensitivity: Array


def evaluate(data: NB2Data, phi: Array, b_start: Array) -> Terms:
    """The model's terms at ``phi``, block by block of trials."""
    model = laplace_terms if data.random_intercept else glm_terms
    if data.n_trials <= BLOCK:
        return model(data, phi, b_start)
    parts = [model(block, phi[cut], b_start[cut]) for cut, block in data.blocks()]
    return Terms(*(np.concatenate(arrays) for arrays in zip(*parts, strict=True)))


def _xsum(X: Array, d: Array) -> Array:
    """Per trial, the sums over cells of x_p d: (T, P)."""
    out: Array = np.einsum("pmtn,mtn->tp", X, d)
    return out


def _symmetric(data: NB2Data, upper_sums: Array, p: int, k: int) -> Array:
    """A (T, k, k) matrix whose leading (p, p) block comes from its upper triangle (T, p(p+1)/2)."""
    out = np.zeros((upper_sums.shape[0], k, k))
    out[:, data.upper[0], data.upper[1]] = upper_sums
    out[:, data.upper[1], data.upper[0]] = upper_sums
    return out


def glm_terms(data: NB2Data, phi: Array, b_start: Array | None = None) -> Terms:
    """The NB2 GLM: log-likelihood, gradient and Hessian in (beta, log theta)."""
    p = data.X.shape[0]
    theta = np.exp(phi[:, p])
    th = theta[:, None]
    y = data.y
    eta = np.minimum(np.einsum("pmtn,tp->mtn", data.X, phi[:, :p]) + data.offset, 700.0)
    mu = np.exp(eta)
    lg, dig, trig = data.counts(theta)
    inv_d = 1.0 / (th + mu)
    r, s, a = mu * inv_d, th * inv_d, y + th
    q = r * s
    l1p = np.log1p(mu / th)
    ll = np.einsum("mtn->t", lg - a * l1p + y * (eta - np.log(th))) - data.lgamma_y1_sum
    d01 = th * (dig - l1p + (mu - y) * inv_d)
    d02 = d01 + th * th * trig + s * (r * mu + s * y)
    grad = np.concatenate([_xsum(data.X, y - a * r), np.einsum("mtn->t", d01)[:, None]], axis=1)
    hess = _symmetric(data, np.einsum("kmtn,mtn->tk", data.XX, -a * q), p, p + 1)
    hess[:, :p, p] = hess[:, p, :p] = _xsum(data.X, (y - mu) * q)
    hess[:, p, p] = np.einsum("mtn->t", d02)
    n_t = phi.shape[0]
    return Terms(ll, grad, hess, np.zeros((n_t, 0)), np.zeros((n_t, p + 1, 0)))


def _inner_mode(data: NB2Data, lin: Array, th: Array, v: Array, b: Array, tol: float = 1e-6,
                max_iter: int = 60) -> Array:
    """Newton solve of h_i'(b) = 0 for every participant (h is strictly concave in b), steps capped at 3.

    Stops after a step below ``tol`` (the error left is of order tol^2). Steps are taken on the whole batch while
    most participants still move; then only those still moving are iterated (gathered)."""
    def step(y: Array, y_sum: Array, lin: Array, th: Array, v: Array, b: Array) -> Array:
        mu = np.exp(np.minimum(lin + b, 700.0))
        inv = 1.0 / (th + mu)
        ar = (y + th) * mu * inv
        out: Array = np.clip((y_sum - ar.sum(axis=0) - b * v) / ((ar * th * inv).sum(axis=0) + v), -3.0, 3.0)
        return out

    b = b.copy()
    for _ in range(max_iter):
        moved = step(data.y, data.y_sum, lin, th, v, b)
        b += moved
        moving = np.abs(moved) >= tol
        if not moving.any():
            return b
        if np.count_nonzero(moving) < 0.3 * b.size:
            break
    rows, cols = np.nonzero(moving)
    y_s, lin_s, y_sum_s = data.y[:, rows, cols], lin[:, rows, cols], data.y_sum[rows, cols]
    th_s, v_s, b_s = th[rows, 0], np.broadcast_to(v, b.shape)[rows, cols], b[rows, cols]
    for _ in range(max_iter):
        moved = step(y_s, y_sum_s, lin_s, th_s, v_s, b_s)
        b_s += moved
        if np.max(np.abs(moved), initial=0.0) < tol:
            break
    b[rows, cols] = b_s
    return b


def laplace_terms(data: NB2Data, phi: Array, b_start: Array) -> Terms:
    """The Laplace mixed model: log-likelihood, gradient and Hessian in (beta, log theta, log sigma)."""
    p = data.X.shape[0]
    k = p + 2
    log_sigma = phi[:, p + 1]
    th = np.exp(phi[:, p])[:, None]
    v = np.exp(-2.0 * log_sigma)[:, None]  # 1 / sigma^2
    y, X = data.y, data.X
    lin = np.einsum("pmtn,tp->mtn", X, phi[:, :p]) + data.offset
    b = _inner_mode(data, lin, th, v, b_start)
    eta = np.minimum(lin + b, 700.0)
    mu = np.exp(eta)
    lg, dig, trig = data.counts(th[:, 0])
    inv_d = 1.0 / (th + mu)
    r, s, a = mu * inv_d, th * inv_d, y + th
    q = r * s
    ar, t2 = a * r, s - r  # t2 = 1 - 2r
    d20 = -a * q
    d30, d11, d21 = d20 * t2, (y - mu) * q, (y - 2.0 * ar) * q
    l1p = np.log1p(mu / th)
    d01 = th * (dig - l1p + (mu - y) * inv_d)

    # Per participant: H = -h_bb (c = 1/H) and h_bbb.
    big_h = v - d20.sum(axis=0)
    c = 1.0 / big_h
    hbc = -d30.sum(axis=0) * c * c
    half_c, half_hbc, bv = 0.5 * c, 0.5 * hbc, b * v
    ll_i = (lg - a * l1p + y * (eta - np.log(th))).sum(axis=0) - 0.5 * b * bv - log_sigma[:, None] - 0.5 * np.log(
        big_h)
    ll = np.einsum("tn->t", ll_i * data.any_present) - data.lgamma_y1_sum
    grad = np.empty((phi.shape[0], k))
    grad[:, :p] = _xsum(X, d30 * half_c - d20 * half_hbc + y - ar)
    grad[:, p] = np.einsum("mtn->t", d21 * half_c - d11 * half_hbc + d01)
    grad[:, p + 1] = np.einsum("tn->t", c * v - 1.0 - hbc * bv + b * bv)

    def phi_vector(d_x: Array, d_t: Array, sigma_part: Array | float) -> Array:
        """h_{b^n phi} per participant as (K, T, N): the X sums of d(n+1, 0), the sum of d(n, 1), the prior."""
        out = np.empty((k, *b.shape))
        out[:p] = np.einsum("pmtn,mtn->ptn", X, d_x)
        out[p] = d_t.sum(axis=0)
        out[p + 1] = sigma_part
        return out

    a1 = phi_vector(d20, d11, 2.0 * bv)
    # Hessian. Direct terms: the second derivatives h_{b^n phi psi} share one weight per cell. Outer products, in
    # a_n = h_{b^n phi}: the symmetric part of (A a1 + 2B a2 + 2C a3) a1' + D a2 a2' with A = c - c^3 h_bb / 2 +
    # h_b^2 c^4, B = -h_b c^3, C = D = c^2 / 2.
    t6 = 1.0 - 6.0 * q
    d40, d31 = d20 * t6, (a * t6 - th * t2) * q
    d22 = d21 + 2.0 * q * (th * t2 - a * s * (1.0 - 3.0 * r))
    w_tt = d22 * half_c + t2 * d11 * half_hbc + d01 + th * th * trig + s * (r * mu + s * y)
    hess = _symmetric(data, np.einsum("kmtn,mtn->tk", data.XX, d40 * half_c - d30 * half_hbc + d20), p, k)
    hess[:, :p, p] = hess[:, p, :p] = _xsum(X, d31 * half_c - d21 * half_hbc + d11)
    hess[:, p, p] = np.einsum("mtn->t", w_tt)
    hess[:, p + 1, p + 1] = np.einsum("tn->t", 2.0 * v * (hbc * b - b * b - c))
    a2 = phi_vector(d30, d21, 2.0 * v)
    a3 = phi_vector(d40, d31, 0.0)
    c2 = c * c
    left = a1 * (c + 0.5 * c2 * c * d40.sum(axis=0) + hbc * hbc) - a2 * (2.0 * hbc * c) + a3 * c2
    outer = np.matmul(left.transpose(1, 0, 2), a1.transpose(1, 2, 0))
    outer += np.matmul((a2 * (0.5 * c2)).transpose(1, 0, 2), a2.transpose(1, 2, 0))
    hess += 0.5 * (outer + outer.transpose(0, 2, 1))
    return Terms(ll, grad, hess, b, (a1 * c).transpose(1, 0, 2))
