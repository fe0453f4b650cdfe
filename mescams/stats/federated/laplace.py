r"""One node's part of the Laplace log-likelihood of the NB2 random-intercept model: value, gradient, Hessian.

Model (the contract's ``gel_crossover``): ``y_ij ~ NB2(mu_ij, theta)``, ``log mu_ij = x_ij' beta + offset_ij + b_i``,
``b_i ~ N(0, sigma^2)``, one random intercept per participant. Every participant belongs to one node (one trial),
so the Laplace log-likelihood of the pooled data is the sum over nodes of :func:`node_contribution`: each node
evaluates its own participants at parameters the coordinator proposes, and the sums of the values, gradients and
Hessians are those of the pooled fit; Newton steps on the sums reproduce the pooled maximum exactly.

For participant ``i`` with ``f_i(b) = sum_j l_ij(b) - b^2 / (2 sigma^2)``, ``b_i`` hat maximises ``f_i`` and
``H_i = -f_i''(b_hat) = sum_j w_ij + 1 / sigma^2``; the Laplace approximation (what glmmTMB/TMB compute) is

.. math:: \ell_i = \sum_j l_{ij}(\hat b_i) - \hat b_i^2 / (2\sigma^2) - \log\sigma - \tfrac12 \log H_i

Its gradient in ``z = (beta, log theta, log sigma)`` is exact: the partial derivatives at fixed ``b`` plus
``d ell_i / d b * d b_hat / d z`` with ``d b_hat / d z = (d^2 f_i / d b d z) / H_i`` (implicit function theorem;
``d ell_i / d b = -1/2 sum_j w'_ij / H_i`` because ``f_i'(b_hat) = 0``). Per observation, ``mu = exp(eta)``:

- ``l = lgamma(y+theta) - lgamma(theta) - lgamma(y+1) - theta log(1 + mu/theta) + y log(mu/(mu+theta))``
- ``s = dl/deta = theta (y - mu) / (mu + theta)``; ``w = -d2l/deta2 = theta (y + theta) mu / (mu + theta)^2``;
  ``w' = dw/deta = w (theta - mu) / (mu + theta)``.

The Hessian is the central difference of that exact gradient (step ``1e-5 max(1, |z|)``; error of order 1e-10):
the Newton fixed point depends only on the gradient, so the estimates are exact, and the Hessian's small error
reaches the standard errors far below the 1e-4 they are checked to. Arrays are padded ``(n participants, m
periods)``; cells with ``mask == False`` contribute nothing.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from scipy import special

from mescams.stats.federated.parts import NodePart

__all__ = ["NodeData", "NodePart", "node_contribution", "pad_participants"]

Array = NDArray[np.float64]


@dataclass(frozen=True)
class NodeData:
    """One node's model data, padded by participant: counts ``y`` (n, m), design ``X`` (n, m, p), ``offset``
    (n, m), ``mask`` (n, m)."""

    y: Array
    X: Array
    offset: Array
    mask: NDArray[np.bool_]

    @property
    def n_participants(self) -> int:
        return int(self.y.shape[0])

    @property
    def n_observations(self) -> int:
        return int(self.mask.sum())


def pad_participants(participant: NDArray[np.str_], y: Array, X: Array, offset: Array) -> NodeData:
    """Long rows (one per participant-period) to the padded arrays, participants in sorted order."""
    labels, codes = np.unique(participant, return_inverse=True)
    counts = np.bincount(codes, minlength=len(labels))
    width = int(counts.max()) if len(counts) else 0
    order = np.argsort(codes, kind="stable")
    starts = np.cumsum(counts) - counts
    position = np.empty(len(codes), dtype=int)
    position[order] = np.arange(len(codes)) - np.repeat(starts, counts)
    shape = (len(labels), width)
    y_pad, off_pad, mask = np.zeros(shape), np.zeros(shape), np.zeros(shape, dtype=bool)
    x_pad = np.zeros((*shape, X.shape[1]))
    y_pad[codes, position], off_pad[codes, position], x_pad[codes, position] = y, offset, X
    mask[codes, position] = True
    return NodeData(y_pad, x_pad, off_pad, mask)


def _terms(y: Array, eta: Array, theta: float) -> tuple[Array, Array, Array]:
    """Score ``s``, weight ``w`` and ``dw/deta`` per observation."""
    mu = np.exp(eta)
    denom = mu + theta
    score = theta * (y - mu) / denom
    weight = theta * (y + theta) * mu / denom**2
    return score, weight, weight * (theta - mu) / denom


def _modes(data: NodeData, y: Array, fixed: Array, theta: float, inv_var: float, b: Array) -> Array:
    """Each participant's ``b_hat``: Newton on the strictly concave ``f_i``, steps capped at 1."""
    for _ in range(100):
        score, weight, _ = _terms(y, fixed + b[:, None], theta)
        step = np.clip((score.sum(axis=1) - b * inv_var) / (weight.sum(axis=1) + inv_var), -1.0, 1.0)
        b = b + step
        if step.size == 0 or np.abs(step).max() < 1e-12:
            break
    return b


def _value_and_gradient(data: NodeData, z: Array, b0: Array) -> tuple[float, Array, Array]:
    p = data.X.shape[-1]
    beta, log_theta, log_sigma = z[:p], float(z[p]), float(z[p + 1])
    theta, sigma2 = np.exp(log_theta), np.exp(2.0 * log_sigma)
    y = np.where(data.mask, data.y, 0.0)
    offset = np.where(data.mask, data.offset, -np.inf)  # mu = 0 in padded cells: every term there is 0
    fixed = np.einsum("nmp,p->nm", data.X, beta) + offset
    b = _modes(data, y, fixed, theta, 1.0 / sigma2, b0)
    eta = fixed + b[:, None]
    mu = np.exp(eta)
    denom = mu + theta
    score, weight, dweight = _terms(y, eta, theta)
    loglik_obs = (special.gammaln(y + theta) - special.gammaln(theta) - special.gammaln(y + 1.0)
                  - theta * np.log1p(mu / theta) + special.xlogy(y, mu / denom))
    H = weight.sum(axis=1) + 1.0 / sigma2
    loglik = float(np.sum(loglik_obs.sum(axis=1) - b**2 / (2.0 * sigma2) - log_sigma - 0.5 * np.log(H)))
    d_ell_d_b = -0.5 * dweight.sum(axis=1) / H

    per_obs = score - (0.5 * dweight + d_ell_d_b[:, None] * weight) / H[:, None]
    grad_beta = np.einsum("nm,nmp->p", per_obs, data.X)
    dl_dtheta = (special.digamma(y + theta) - special.digamma(theta) + np.log(theta / denom) + (mu - y) / denom)
    dw_dtheta = mu * (y * mu - y * theta + 2.0 * theta * mu) / denom**3
    ds_dtheta = (y - mu) * mu / denom**2
    grad_log_theta = theta * np.sum(dl_dtheta.sum(axis=1) - 0.5 * dw_dtheta.sum(axis=1) / H
                                    + d_ell_d_b * ds_dtheta.sum(axis=1) / H)
    grad_log_sigma = np.sum(b**2 / sigma2 - 1.0 + 1.0 / (H * sigma2) + d_ell_d_b * 2.0 * b / (sigma2 * H))
    return loglik, np.concatenate([grad_beta, [grad_log_theta, grad_log_sigma]]), b


def node_contribution(data: NodeData, z: Array) -> NodePart:
    """The node's Laplace log-likelihood, exact gradient and (central-difference) Hessian at ``z``."""
    z = np.asarray(z, dtype=float)
    if z.shape != (data.X.shape[-1] + 2,):
        raise ValueError(f"parameters: expected {data.X.shape[-1] + 2} values, got {z.shape}")
    loglik, gradient, b = _value_and_gradient(data, z, np.zeros(data.n_participants))
    steps = 1e-5 * np.maximum(1.0, np.abs(z))
    columns = []
    for k, h in enumerate(steps):
        e = np.zeros_like(z)
        e[k] = h
        up = _value_and_gradient(data, z + e, b)[1]
        down = _value_and_gradient(data, z - e, b)[1]
        columns.append((up - down) / (2.0 * h))
    hessian = np.array(columns)
    return NodePart(loglik, gradient, (hessian + hessian.T) / 2.0)
