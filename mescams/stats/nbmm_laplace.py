r"""The Laplace-approximated log-likelihood of the NB2 random-intercept model, with its exact gradient.

Pure numpy on padded arrays, so the same functions serve one trial (``n`` participants x ``m`` periods) and a
batch of simulated trials (leading axes ``...``): ``y``, ``offset``, ``mask`` have shape ``(..., n, m)``,
``X`` has ``(..., n, m, p)``, ``beta`` has ``(..., p)``, ``log_theta`` and ``log_sigma`` have ``(...)``.
Cells with ``mask == False`` (a period with no scan) contribute nothing.

Model: ``y_ij ~ NB2(mu_ij, theta)``, ``log mu_ij = eta_ij = x_ij' beta + offset_ij + b_i``, ``b_i ~ N(0, sigma^2)``.
For participant ``i`` with ``f_i(b) = sum_j l_ij(b) - b^2 / (2 sigma^2)``, ``b_i`` hat maximises ``f_i`` and
``H_i = -f_i''(b_i hat) = sum_j w_ij + 1 / sigma^2``; the Laplace approximation (what glmmTMB/TMB compute) is

.. math:: \ell_i = \sum_j l_{ij}(\hat b_i) - \hat b_i^2 / (2\sigma^2) - \log\sigma - \tfrac12 \log H_i

The gradient is the total derivative: the direct partial derivatives plus ``d ell_i / d b * d b_hat / d param``
(the first-order term of ``f_i`` vanishes at ``b_hat``, but ``log H_i`` depends on it); ``d b_hat / d param =
(d^2 f_i / d b d param) / H_i`` by the implicit function theorem. Per observation (``mu = exp(eta)``):

- ``l = lgamma(y+theta) - lgamma(theta) - lgamma(y+1) - theta log(1 + mu/theta) + y log(mu/(mu+theta))``
- ``s = dl/deta = theta (y - mu) / (mu + theta)``; ``w = -d2l/deta2 = theta (y + theta) mu / (mu + theta)^2``
- ``dw/deta = w (theta - mu) / (mu + theta)``
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
from scipy import special

__all__ = ["LaplaceTerms", "laplace_loglik", "nb2_terms", "solve_random_effects"]


class NB2Terms(NamedTuple):
    loglik: np.ndarray
    score: np.ndarray  # s = dl/deta
    weight: np.ndarray  # w = -d2l/deta2
    dweight: np.ndarray  # dw/deta


def _log_rising_factorial(y: np.ndarray, theta: np.ndarray) -> np.ndarray:
    """``lgamma(y + theta) - lgamma(theta)``, stable for large theta (the plain difference loses all digits
    near theta = 1e13): for ``y >= 1`` it is ``lgamma(y) - lbeta(y, theta)``, and 0 for ``y = 0``. Below
    theta = 1e5 the plain difference keeps ~1e-10 and is six times faster, so it is used there."""
    if np.max(theta) < 1e5:
        return special.gammaln(y + theta) - special.gammaln(theta)
    positive = y > 0
    safe = np.where(positive, y, 1.0)
    return np.where(positive, special.gammaln(safe) - special.betaln(safe, theta), 0.0)


def nb2_terms(y: np.ndarray, eta: np.ndarray, theta: np.ndarray, *, with_loglik: bool = True) -> NB2Terms:
    """Per-observation NB2 log-likelihood and its first three derivatives in the linear predictor."""
    mu = np.exp(eta)
    denom = mu + theta
    score = theta * (y - mu) / denom
    weight = theta * (y + theta) * mu / denom**2
    dweight = weight * (theta - mu) / denom
    if with_loglik:
        loglik = (_log_rising_factorial(y, theta) - special.gammaln(y + 1.0) - theta * np.log1p(mu / theta)
                  + special.xlogy(y, mu / denom))
    else:
        loglik = np.zeros_like(mu)
    return NB2Terms(loglik, score, weight, dweight)


def _linear_predictor(X: np.ndarray, beta: np.ndarray, offset: np.ndarray) -> np.ndarray:
    return np.einsum("...nmp,...p->...nm", X, beta) + offset


def solve_random_effects(
    y: np.ndarray,
    X: np.ndarray,
    offset: np.ndarray,
    mask: np.ndarray,
    beta: np.ndarray,
    log_theta: np.ndarray | float,
    log_sigma: np.ndarray | float,
    b0: np.ndarray | None = None,
    *,
    tol: float = 1e-12,
    max_iter: int = 100,
) -> np.ndarray:
    """Inner step: ``b_hat`` of every participant by a (step-capped) Newton solve of ``f_i'(b) = 0``.

    ``f_i`` is strictly concave, so Newton converges; steps are capped at 1 in absolute value to avoid
    overshooting from a poor start. Returns an array of shape ``(..., n)``.
    """
    y, offset = _masked(y, offset, mask)
    return _solve(y, X, offset, beta, log_theta, log_sigma, b0, tol=tol, max_iter=max_iter)


def _masked(y: np.ndarray, offset: np.ndarray, mask: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Padded cells get ``y = 0`` and ``offset = -inf`` (so ``mu = 0``): every per-observation term below is then
    exactly 0 there, which spares a multiplication by the mask in each sum."""
    return np.where(mask, y, 0.0), np.where(mask, offset, -np.inf)


def _solve(y: np.ndarray, X: np.ndarray, offset: np.ndarray, beta: np.ndarray, log_theta: np.ndarray | float,
           log_sigma: np.ndarray | float, b0: np.ndarray | None, *, tol: float = 1e-12,
           max_iter: int = 100) -> np.ndarray:
    theta = np.exp(np.asarray(log_theta))[..., None, None]
    inv_var = np.exp(-2.0 * np.asarray(log_sigma))[..., None]
    fixed = _linear_predictor(X, beta, offset)
    b = np.zeros(y.shape[:-1]) if b0 is None else np.array(b0, dtype=float)
    for _ in range(max_iter):
        terms = nb2_terms(y, fixed + b[..., None], theta, with_loglik=False)
        grad = np.add.reduce(terms.score, axis=-1) - b * inv_var
        hess = np.add.reduce(terms.weight, axis=-1) + inv_var
        step = np.clip(grad / hess, -1.0, 1.0)
        b = b + step
        if step.size == 0 or np.abs(step).max() < tol:
            break
    return b


class LaplaceTerms(NamedTuple):
    """Laplace log-likelihood per trial ``(...)``, its gradient ``(..., p + 2)`` in (beta, log theta, log
    sigma), and the conditional modes ``b_hat`` ``(..., n)``."""

    loglik: np.ndarray
    gradient: np.ndarray
    b_hat: np.ndarray


def laplace_loglik(
    y: np.ndarray,
    X: np.ndarray,
    offset: np.ndarray,
    mask: np.ndarray,
    beta: np.ndarray,
    log_theta: np.ndarray | float,
    log_sigma: np.ndarray | float,
    b0: np.ndarray | None = None,
) -> LaplaceTerms:
    """The Laplace-approximated marginal log-likelihood and its exact gradient (see the module docstring)."""
    y, offset = _masked(y, offset, mask)
    b = _solve(y, X, offset, beta, log_theta, log_sigma, b0)
    log_theta = np.asarray(log_theta, dtype=float)
    log_sigma = np.asarray(log_sigma, dtype=float)
    theta_obs = np.exp(log_theta)[..., None, None]
    sigma2 = np.exp(2.0 * log_sigma)[..., None]
    eta = _linear_predictor(X, beta, offset) + b[..., None]
    terms = nb2_terms(y, eta, theta_obs)
    mu = np.exp(eta)
    denom = mu + theta_obs
    H = np.add.reduce(terms.weight, axis=-1) + 1.0 / sigma2  # (..., n)
    loglik_i = (np.add.reduce(terms.loglik, axis=-1) - b**2 / (2.0 * sigma2) - 0.5 * np.log(sigma2)
                - 0.5 * np.log(H))
    d_ell_d_b = -0.5 * np.add.reduce(terms.dweight, axis=-1) / H  # (..., n)

    # beta: direct + implicit (d b_hat / d beta = -sum_j w_ij x_ij / H_i)
    per_obs = terms.score - (0.5 * terms.dweight + d_ell_d_b[..., None] * terms.weight) / H[..., None]
    grad_beta = np.einsum("...nm,...nmp->...p", per_obs, X)

    # log theta
    dl_dtheta = (special.digamma(y + theta_obs) - special.digamma(theta_obs) + np.log(theta_obs / denom)
                 + (mu - y) / denom)
    dw_dtheta = mu * (y * mu - y * theta_obs + 2.0 * theta_obs * mu) / denom**3
    ds_dtheta = (y - mu) * mu / denom**2
    theta_i = np.exp(log_theta)[..., None]
    grad_log_theta = theta_i * (np.add.reduce(dl_dtheta, axis=-1) - 0.5 * np.add.reduce(dw_dtheta, axis=-1) / H
                                + d_ell_d_b * np.add.reduce(ds_dtheta, axis=-1) / H)
    # log sigma
    grad_log_sigma = b**2 / sigma2 - 1.0 + 1.0 / (H * sigma2) + d_ell_d_b * 2.0 * b / (sigma2 * H)

    gradient = np.concatenate(
        [grad_beta, np.add.reduce(grad_log_theta, axis=-1)[..., None], np.sum(grad_log_sigma, axis=-1)[..., None]],
        axis=-1,
    )
    return LaplaceTerms(np.add.reduce(loglik_i, axis=-1), gradient, b)
