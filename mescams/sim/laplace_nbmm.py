"""The Laplace log-likelihood of the crossover NB2 mixed model, with its exact gradient and Hessian, for a batch
of trials (arrays periods x trials x participants).

Why exact derivatives: the batched outer Newton iteration then needs one evaluation per step, where finite
differences of the gradient would need ten. See :mod:`mescams.sim.batched_nbmm` for the model and the optimiser.
"""

from __future__ import annotations

import numpy as np
from scipy import special

from mescams.sim.count_terms import CountTerms

__all__ = ["N_PARAMS", "NBMMData", "laplace_terms"]

N_PARAMS = 5  # beta0, beta_msc, beta_period2, log theta, log sigma


class NBMMData:
    """The trials' arrays, periods first (2, T, N): a missing period gets mean 0, so it adds nothing anywhere.

    The NB2 log-likelihood of a count with mean 0 is 0 and so are all its derivatives, which lets every sum run
    over all cells without masks. Sums over the period axis of length 2 are then one addition of two slabs.
    """

    def __init__(self, y: np.ndarray, n_scans: np.ndarray, treatment: np.ndarray) -> None:
        present = np.moveaxis(np.asarray(n_scans) > 0, -1, 0)
        if present.shape[0] != 2:
            raise ValueError("the crossover model needs exactly 2 periods on the last axis")
        self.present = present
        self.y = np.where(present, np.moveaxis(np.asarray(y, dtype=float), -1, 0), 0.0)
        n = np.moveaxis(np.asarray(n_scans, dtype=float), -1, 0)
        self.offset = np.where(present, np.log(np.maximum(n, 1.0)), -1.0e3)  # exp(-1000) == 0.0
        self.trt = np.where(present, np.moveaxis(np.asarray(treatment, dtype=float), -1, 0), 0.0)
        self.counts = CountTerms(self.y, trial_axis=1)
        self.lgamma_y1 = special.gammaln(self.y + 1.0)

    def take(self, idx: np.ndarray) -> NBMMData:
        new = object.__new__(NBMMData)
        for name in ("present", "y", "offset", "trt", "lgamma_y1"):
            setattr(new, name, getattr(self, name)[:, idx])
        new.counts = CountTerms(new.y, trial_axis=1)
        return new

    def xsum(self, a: np.ndarray) -> np.ndarray:
        """Per participant, sum over periods of x_k * a for the columns (1, MSC, period 2): (T, N, 3)."""
        return np.stack([a[0] + a[1], self.trt[0] * a[0] + self.trt[1] * a[1], a[1]], axis=-1)

    def xxsum(self, a: np.ndarray) -> np.ndarray:
        """Per trial, sum over participants and periods of x_k x_l * a: (T, 3, 3)."""
        total = (a[0] + a[1]).sum(-1)
        trt = (self.trt[0] * a[0] + self.trt[1] * a[1]).sum(-1)
        per = a[1].sum(-1)
        trt_per = (self.trt[1] * a[1]).sum(-1)
        return np.stack([np.stack([total, trt, per], -1), np.stack([trt, trt, trt_per], -1),
                         np.stack([per, trt_per, per], -1)], -2)


def _newton_steps(y: np.ndarray, lin: np.ndarray, th: np.ndarray, v: np.ndarray, b: np.ndarray) -> np.ndarray:
    """One Newton step of h_i'(b) = 0 for each cell: score / information, capped at 3 on the log scale."""
    mu = np.exp(np.minimum(lin + b, 700.0))
    r = mu / (th + mu)
    ar = (y + th) * r
    score = (y[0] + y[1]) - (ar[0] + ar[1]) - b * v
    info = (ar[0] - ar[0] * r[0]) + (ar[1] - ar[1] * r[1]) + v
    return np.clip(score / info, -3.0, 3.0)


def _inner_mode(data: NBMMData, lin: np.ndarray, theta: np.ndarray, v: np.ndarray, b: np.ndarray,
                tol: float = 1e-6, max_iter: int = 60) -> np.ndarray:
    """Newton solve of h_i'(b) = 0 for every participant of every trial (h is strictly concave in b).

    Stops after a step below ``tol``: Newton converges quadratically, so the error left is of order tol^2
    (1e-12), far below what the log-likelihood (error ~ tol^4) and its derivatives can feel.
    After two steps on the whole batch, only the few participants still moving are iterated (gathered)."""
    th = theta[:, None]
    y = data.y
    for _ in range(2):
        step = _newton_steps(y, lin, th, v, b)
        b = b + step
        if np.max(np.abs(step), initial=0.0) < tol:
            return b
    rows, cols = np.nonzero(np.abs(step) >= tol)
    y_s, lin_s = y[:, rows, cols], lin[:, rows, cols]
    th_s, v_s, b_s = th[rows, 0], np.broadcast_to(v, b.shape)[rows, cols], b[rows, cols]
    for _ in range(max_iter):
        step = _newton_steps(y_s, lin_s, th_s, v_s, b_s)
        b_s = b_s + step
        if np.max(np.abs(step), initial=0.0) < tol:
            break
    b[rows, cols] = b_s
    return b


def _nb_jet(y: np.ndarray, th: np.ndarray, mu: np.ndarray, dig: np.ndarray,
            trig: np.ndarray) -> dict[tuple[int, int], np.ndarray]:
    """Partial derivatives d(n, k) = d^n/d eta^n d^k/d(log theta)^k of the NB2 log-likelihood, per cell.

    With r = mu / (theta + mu), D = theta + mu, a = y + theta:
    l_eta = y - a r, l_eta2 = -a r (1 - r), l_eta3 = -a r (1 - r)(1 - 2r), l_eta4 = -a r (1 - r)(1 - 6r + 6r^2);
    derivatives in theta follow from dr/dtheta = -r / D, then d/dlog(theta) = theta d/dtheta. A cell with
    mu = 0 (missing period) and y = 0 gives 0 for every entry.
    """
    den = th + mu
    r = mu / den
    a = y + th
    q = r * (1.0 - r)
    inv_d = 1.0 / den
    # Written without cancellations, so they stay accurate as theta grows towards the Poisson limit.
    l_t = dig - np.log1p(mu / th) + (mu - y) * inv_d
    l_tt = trig + (mu * mu + th * y) * inv_d**2 / th
    l_et = r * (y - mu) * inv_d
    l_ett = -2.0 * l_et * inv_d
    l_eet = -q + a * r * (1.0 - 2.0 * r) * inv_d
    l_eett = 2.0 * r * (1.0 - 2.0 * r) * inv_d - 2.0 * a * r * (1.0 - 3.0 * r) * inv_d**2
    l_eeet = -q * (1.0 - 2.0 * r) + a * r * (1.0 - 6.0 * r + 6.0 * r * r) * inv_d
    th2 = th * th
    aq = a * q
    return {
        (1, 0): y - a * r,
        (2, 0): -aq,
        (3, 0): -aq * (1.0 - 2.0 * r),
        (4, 0): -aq * (1.0 - 6.0 * r + 6.0 * r * r),
        (0, 1): th * l_t,
        (0, 2): th * l_t + th2 * l_tt,
        (1, 1): th * l_et,
        (1, 2): th * l_et + th2 * l_ett,
        (2, 1): th * l_eet,
        (2, 2): th * l_eet + th2 * l_eett,
        (3, 1): th * l_eeet,
    }


def laplace_terms(
    data: NBMMData, phi: np.ndarray, b_start: np.ndarray, *, hessian: bool = True
) -> tuple[np.ndarray, np.ndarray, np.ndarray | None, np.ndarray, np.ndarray]:
    """Laplace log-likelihood (T,), exact gradient (T, 5), exact Hessian (T, 5, 5), modes b_hat (T, N) and their
    sensitivities d b_hat / d phi (T, N, 5), which predict the modes at the next point (a warm start).

    Implicit differentiation: with b_hat(phi) solving h_b = 0 and H = -h_bb, the log-likelihood of a participant
    is L = h(b_hat) - log(H)/2 (constants cancel), b_hat' = h_b.phi / H and dL/dphi = h_phi - (H_phi +
    H_b b_hat') / (2H); the Hessian differentiates that once more along b_hat(phi).
    """
    b0, b1, b2, log_theta, log_sigma = (phi[:, k] for k in range(N_PARAMS))
    theta = np.exp(log_theta)
    v = np.exp(-2.0 * log_sigma)[:, None]  # 1 / sigma^2
    lin = b0[:, None] + b1[:, None] * data.trt + data.offset
    lin[1] += b2[:, None]
    b = _inner_mode(data, lin, theta, v, b_start)
    th = theta[:, None]
    eta = np.minimum(lin + b, 700.0)
    mu = np.exp(eta)
    lg, dig, trig = data.counts(theta)
    d = _nb_jet(data.y, th, mu, dig, trig)
    n_t, n_n = b.shape

    def vec(n: int) -> np.ndarray:  # h_{b^n phi}, (T, N, 5)
        out = np.empty((n_t, n_n, N_PARAMS))
        out[..., :3] = data.xsum(d[(n + 1, 0)])
        out[..., 3] = d[(n, 1)][0] + d[(n, 1)][1] if (n, 1) in d else 0.0
        out[..., 4] = (b * b * v - 1.0, 2.0 * b * v, 2.0 * v + 0.0 * b, 0.0 * b)[n]
        return out

    a0, a1, a2 = vec(0), vec(1), vec(2)
    big_h = -(d[(2, 0)][0] + d[(2, 0)][1]) + v
    c = 1.0 / big_h
    h_b = -(d[(3, 0)][0] + d[(3, 0)][1])
    h_phi = -a2
    bh = a1 * c[..., None]
    dh = h_phi + h_b[..., None] * bh
    grad = (a0 - 0.5 * dh * c[..., None]).sum(1)

    hess = None
    if hessian:
        hess = _hessian_terms(data, d, b, v, c, h_b, a1, h_phi, bh, dh, -vec(3))
    # y log(mu / (theta + mu)) as y (eta - log(theta + mu)): finite (0) in the missing cells, where y = 0.
    ll_obs = lg - th * np.log1p(mu / th) + data.y * (eta - np.log(th + mu)) - data.lgamma_y1
    ll_i = ll_obs[0] + ll_obs[1] - 0.5 * b**2 * v - log_sigma[:, None] - 0.5 * np.log(big_h)
    ll_i = np.where(data.present[0] | data.present[1], ll_i, 0.0)
    return ll_i.sum(-1), grad, hess, b, bh


def _hessian_terms(data: NBMMData, d: dict[tuple[int, int], np.ndarray], b: np.ndarray, v: np.ndarray,
                   c: np.ndarray, h_b: np.ndarray, a1: np.ndarray, h_phi: np.ndarray, bh: np.ndarray,
                   dh: np.ndarray, h_bphi: np.ndarray) -> np.ndarray:
    """Exact Hessian of the Laplace log-likelihood, summed over participants without (T, N, 5, 5) temporaries.

    Per participant (c = 1/H, b' = h_b.phi c, DH = H_phi + H_b b'):
    h_phi.psi + c h_b.phi h_b.psi - (c/2)[H_phi.psi + H_b.phi b'_psi + b'_phi H_b.psi + H_bb b'_phi b'_psi
    + c H_b (h_b.phi.psi - H_phi b'_psi - b'_phi DH_psi)] + (c^2/2) DH_phi DH_psi, with H_phi.psi = -h_bb.phi.psi.
    The terms built from the second derivatives h_{b^n phi psi} share one weight per cell.
    """
    n_t = b.shape[0]
    hbc = h_b * c * c
    w_xx = d[(2, 0)] + 0.5 * c * d[(4, 0)] - 0.5 * hbc * d[(3, 0)]
    w_xt = d[(1, 1)] + 0.5 * c * d[(3, 1)] - 0.5 * hbc * d[(2, 1)]
    w_tt = d[(0, 2)] + 0.5 * c * d[(2, 2)] - 0.5 * hbc * d[(1, 2)]
    hess = np.zeros((n_t, N_PARAMS, N_PARAMS))
    hess[:, :3, :3] = data.xxsum(w_xx)
    cross = data.xsum(w_xt).sum(1)
    hess[:, :3, 3] = cross
    hess[:, 3, :3] = cross
    hess[:, 3, 3] = (w_tt[0] + w_tt[1]).sum(-1)
    hess[:, 4, 4] = (-2.0 * b * b * v - 2.0 * c * v + 2.0 * hbc * b * v).sum(-1)
    h_bb = -(d[(4, 0)][0] + d[(4, 0)][1])
    cv, hv = c[..., None], hbc[..., None]
    # The seven outer-product terms grouped by their right factor (b', a1, DH); a term and its transpose are
    # the same after the final symmetrisation, so the pair H_b.phi b'_psi + b'_phi H_b.psi counts twice.
    left_bh = -cv * h_bphi - 0.5 * (c * h_bb)[..., None] * bh + 0.5 * hv * (h_phi + dh)
    for left, right in ((left_bh, bh), (cv * a1, a1), (0.5 * cv * cv * dh, dh)):
        hess += np.matmul(left.transpose(0, 2, 1), right)
    return 0.5 * (hess + hess.transpose(0, 2, 1))
