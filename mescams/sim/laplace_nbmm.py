"""The Laplace log-likelihood of the crossover NB2 mixed model, with its exact gradient and Hessian, for a batch
of trials (arrays periods x trials x participants).

Why exact derivatives: the batched outer Newton iteration then needs one evaluation per step, where finite
differences of the gradient would need ten. See :mod:`mescams.sim.batched_nbmm` for the model and the optimiser.

Why it is written as it is: a power grid evaluates this hundreds of times on arrays of 2 x 2,500 x 31 cells, so
the cost is the number of passes over those arrays. The NB2 derivatives are reduced to products of a few shared
factors, each participant's vectors are kept as (trials, 5, participants) so per-participant weights broadcast
along the contiguous axis, sums over participants are ``einsum`` reductions (``ndarray.sum`` over a short last
axis is four times slower), and the participants' outer products are one batched matrix product.
"""

from __future__ import annotations

import numpy as np
from scipy import special

from mescams.sim.count_terms import CountTerms

__all__ = ["N_PARAMS", "NBMMData", "laplace_terms"]

N_PARAMS = 5  # beta0, beta_msc, beta_period2, log theta, log sigma


BLOCK = 512  # trials per evaluation block: a block's temporaries stay in cache (2,500 at once is ~1.7x slower)


class NBMMData:
    """The trials' arrays, periods first (2, T, N): a missing period gets mean 0, so it adds nothing anywhere.

    The NB2 log-likelihood of a count with mean 0 is 0 and so are all its derivatives, which lets every sum run
    over all cells without masks. Sums over the period axis of length 2 are then one addition of two slabs.
    """

    def __init__(self, y: np.ndarray, n_scans: np.ndarray, treatment: np.ndarray) -> None:
        present = np.moveaxis(np.asarray(n_scans) > 0, -1, 0)
        if present.shape[0] != 2:
            raise ValueError("the crossover model needs exactly 2 periods on the last axis")
        self.present = np.ascontiguousarray(present)
        self.y = np.ascontiguousarray(np.where(present, np.moveaxis(np.asarray(y, dtype=float), -1, 0), 0.0))
        n = np.moveaxis(np.asarray(n_scans, dtype=float), -1, 0)
        self.offset = np.ascontiguousarray(np.where(present, np.log(np.maximum(n, 1.0)), -1.0e3))  # e^-1000 == 0
        self.trt = np.ascontiguousarray(np.where(present, np.moveaxis(np.asarray(treatment, dtype=float), -1, 0),
                                                 0.0))
        self.counts = CountTerms(self.y, trial_axis=1)
        self.y_sum = self.y[0] + self.y[1]
        self.any_present = self.present[0] | self.present[1]
        # sum of log(y!) per trial: constant in the parameters, so added once rather than per cell per evaluation
        self.lgamma_y1_sum = np.einsum("ktn->t", special.gammaln(self.y + 1.0))
        self._blocks: list[tuple[slice, NBMMData]] | None = None

    def _subset(self, idx: np.ndarray | slice) -> NBMMData:
        new = object.__new__(NBMMData)
        for name in ("present", "y", "offset", "trt"):
            setattr(new, name, getattr(self, name)[:, idx])
        for name in ("y_sum", "any_present", "lgamma_y1_sum"):
            setattr(new, name, getattr(self, name)[idx])
        new.counts = self.counts.take(new.y)
        new._blocks = None
        return new

    def take(self, idx: np.ndarray) -> NBMMData:
        """The trials ``idx`` (a copy)."""
        return self._subset(idx)

    def blocks(self) -> list[tuple[slice, NBMMData]]:
        """The trials in consecutive blocks of at most ``BLOCK`` (views), made once."""
        if self._blocks is None:
            n_t = self.y.shape[1]
            cuts = [slice(s, min(s + BLOCK, n_t)) for s in range(0, n_t, BLOCK)]
            self._blocks = [(cut, self._subset(cut)) for cut in cuts] if len(cuts) > 1 else [(slice(0, n_t), self)]
        return self._blocks

    def xsum(self, a: np.ndarray) -> np.ndarray:
        """Per participant, sum over periods of x_k * a for the columns (1, MSC, period 2): (T, N, 3)."""
        return np.stack([a[0] + a[1], self.trt[0] * a[0] + self.trt[1] * a[1], a[1]], axis=-1)

    def xxsum(self, a: np.ndarray) -> np.ndarray:
        """Per trial, sum over participants and periods of x_k x_l * a: (T, 3, 3)."""
        trt0, trt1 = self.trt
        total, trt, trt_sq, per, trt_per = _participant_sums(
            a[0] + a[1], trt0 * a[0] + trt1 * a[1], trt0 * trt0 * a[0] + trt1 * trt1 * a[1], a[1], trt1 * a[1])
        return np.stack([np.stack([total, trt, per], -1), np.stack([trt, trt_sq, trt_per], -1),
                         np.stack([per, trt_per, per], -1)], -2)


def _participant_sums(*arrays: np.ndarray) -> tuple[np.ndarray, ...]:
    """Sums over the last (participant) axis of several (T, N) arrays."""
    return tuple(np.einsum("tn->t", a) for a in arrays)


def _newton_steps(y: np.ndarray, y_sum: np.ndarray, lin: np.ndarray, th: np.ndarray, v: np.ndarray,
                  b: np.ndarray) -> np.ndarray:
    """One Newton step of h_i'(b) = 0 for each cell: score / information, capped at 3 on the log scale.

    With D = theta + mu: score = sum_j (y_j - (y_j + theta) mu_j / D_j) - b v and information
    sum_j (y_j + theta) mu_j theta / D_j^2 + v."""
    mu = np.exp(np.minimum(lin + b, 700.0))
    inv = th + mu
    np.reciprocal(inv, out=inv)
    ar = y + th
    ar *= mu
    ar *= inv  # (y + theta) r
    w = ar * th
    w *= inv  # (y + theta) r (1 - r)
    score = y_sum - ar[0] - ar[1] - b * v
    info = w[0] + w[1] + v
    step = score / info
    return np.clip(step, -3.0, 3.0, out=step)


def _inner_mode(data: NBMMData, lin: np.ndarray, theta: np.ndarray, v: np.ndarray, b: np.ndarray,
                tol: float = 1e-6, max_iter: int = 60) -> np.ndarray:
    """Newton solve of h_i'(b) = 0 for every participant of every trial (h is strictly concave in b).

    Stops after a step below ``tol``: Newton converges quadratically, so the error left is of order tol^2
    (1e-12), far below what the log-likelihood (error ~ tol^4) and its derivatives can feel.
    Steps are taken on the whole batch while most participants still move; then only those still moving are
    iterated (gathered)."""
    th = theta[:, None]
    y, y_sum = data.y, data.y_sum
    b = b.copy()
    for _ in range(max_iter):
        step = _newton_steps(y, y_sum, lin, th, v, b)
        b += step
        moving = np.abs(step) >= tol
        n_moving = np.count_nonzero(moving)
        if n_moving == 0:
            return b
        if n_moving < 0.3 * b.size:
            break
    rows, cols = np.nonzero(moving)
    y_s, lin_s, y_sum_s = y[:, rows, cols], lin[:, rows, cols], y_sum[rows, cols]
    th_s, v_s, b_s = th[rows, 0], np.broadcast_to(v, b.shape)[rows, cols], b[rows, cols]
    for _ in range(max_iter):
        step = _newton_steps(y_s, y_sum_s, lin_s, th_s, v_s, b_s)
        b_s += step
        if np.max(np.abs(step), initial=0.0) < tol:
            break
    b[rows, cols] = b_s
    return b


def laplace_terms(
    data: NBMMData, phi: np.ndarray, b_start: np.ndarray, *, hessian: bool = True
) -> tuple[np.ndarray, np.ndarray, np.ndarray | None, np.ndarray, np.ndarray]:
    """Laplace log-likelihood (T,), exact gradient (T, 5), exact Hessian (T, 5, 5), modes b_hat (T, N) and their
    sensitivities d b_hat / d phi (T, 5, N), evaluated block by block of trials (see :func:`_laplace_block`)."""
    blocks = data.blocks()
    if len(blocks) == 1:
        return _laplace_block(data, phi, b_start, hessian)
    n_t, n_n = b_start.shape
    ll, grad, b = np.empty(n_t), np.empty((n_t, N_PARAMS)), np.empty((n_t, n_n))
    hess = np.empty((n_t, N_PARAMS, N_PARAMS)) if hessian else None
    sens = np.empty((n_t, N_PARAMS, n_n))
    for cut, block in blocks:
        ll[cut], grad[cut], h, b[cut], sens[cut] = _laplace_block(block, phi[cut], b_start[cut], hessian)
        if hess is not None:
            hess[cut] = h
    return ll, grad, hess, b, sens


def _laplace_block(
    data: NBMMData, phi: np.ndarray, b_start: np.ndarray, hessian: bool
) -> tuple[np.ndarray, np.ndarray, np.ndarray | None, np.ndarray, np.ndarray]:
    """Laplace log-likelihood (T,), exact gradient (T, 5), exact Hessian (T, 5, 5), modes b_hat (T, N) and their
    sensitivities d b_hat / d phi (T, 5, N), which predict the modes at the next point (a warm start).

    Implicit differentiation: with b_hat(phi) solving h_b = 0 and H = -h_bb, the log-likelihood of a participant
    is L = h(b_hat) - log(H)/2 (constants cancel), b_hat' = h_b.phi / H and dL/dphi = h_phi - (H_phi +
    H_b b_hat') / (2H); the Hessian differentiates that once more along b_hat(phi).

    Per cell, with D = theta + mu, r = mu / D, s = theta / D = 1 - r, a = y + theta, q = r s, the partial
    derivatives d(n, k) = d^n/d eta^n d^k/d(log theta)^k of the NB2 log-likelihood are
    d(1,0) = y - a r, d(2,0) = -a q, d(3,0) = -a q (1 - 2r), d(4,0) = -a q (1 - 6q),
    d(0,1) = theta (psi(y + theta) - psi(theta) - log(1 + mu/theta) + (mu - y)/D),
    d(0,2) = d(0,1) + theta^2 (psi'(y + theta) - psi'(theta)) + s (r mu + s y),
    d(1,1) = q (y - mu), d(1,2) = -(1 - 2r) d(1,1), d(2,1) = q (y - 2 a r),
    d(2,2) = d(2,1) + 2 q (theta (1 - 2r) - a s (1 - 3r)), d(3,1) = q (a (1 - 6q) - theta (1 - 2r)).
    A cell with mu = 0 (missing period) and y = 0 gives 0 for every entry.
    """
    b0, b1, b2, log_theta, log_sigma = (phi[:, k] for k in range(N_PARAMS))
    theta = np.exp(log_theta)
    v = np.exp(-2.0 * log_sigma)[:, None]  # 1 / sigma^2
    lin = b1[:, None] * data.trt
    lin += data.offset
    lin += b0[:, None]
    lin[1] += b2[:, None]
    b = _inner_mode(data, lin, theta, v, b_start)
    th = theta[:, None]
    y = data.y
    n_t, n_n = b.shape
    eta = lin + b
    np.minimum(eta, 700.0, out=eta)
    mu = np.exp(eta)
    lg, dig, trig = data.counts(theta)

    inv_d = th + mu
    np.reciprocal(inv_d, out=inv_d)
    r = mu * inv_d
    s = th * inv_d
    a = y + th
    q = r * s
    ar = a * r
    t2 = s - r  # 1 - 2r
    d20 = a * q
    np.negative(d20, out=d20)
    d30 = d20 * t2
    d11 = y - mu
    d11 *= q
    d21 = ar * -2.0
    d21 += y
    d21 *= q
    l1p = mu / th
    np.log1p(l1p, out=l1p)
    # Written without cancellations, so they stay accurate as theta grows towards the Poisson limit.
    d01 = mu - y
    d01 *= inv_d
    d01 -= l1p
    d01 += dig
    d01 *= th

    # Per participant: H = -h_bb (c = 1/H) and h_bbb.
    big_h = v - (d20[0] + d20[1])
    c = 1.0 / big_h
    h_b = -(d30[0] + d30[1])
    hbc = h_b * c * c
    half_c, half_hbc = 0.5 * c, 0.5 * hbc
    bv = b * v

    # Everything summed over participants goes into one stack, reduced at once: the log-likelihood, the gradient
    # (per cell h_phi + (c/2) h_bb.phi - (h_bbb c^2 / 2) h_b.phi) and the Hessian's direct terms.
    red = np.empty((16 if hessian else 6, n_t, n_n))
    # y log(mu / (theta + mu)) = y (eta - log(theta) - log(1 + mu/theta)): finite (0) in the missing cells.
    ll_obs = y + th
    ll_obs *= l1p
    np.subtract(lg, ll_obs, out=ll_obs)
    eta -= np.log(th)
    eta *= y
    ll_obs += eta
    ll_i = np.add(ll_obs[0], ll_obs[1], out=red[0])
    ll_i -= 0.5 * b * bv + log_sigma[:, None] + 0.5 * np.log(big_h)
    ll_i *= data.any_present
    g = d30 * half_c
    g -= d20 * half_hbc
    g += y
    g -= ar  # d(1,0) = y - a r
    _period_sums(g, data.trt, red[1], red[2], red[3])
    g_t = d21 * half_c
    g_t -= d11 * half_hbc
    g_t += d01
    np.add(g_t[0], g_t[1], out=red[4])
    np.subtract(c * v - 1.0, hbc * bv, out=red[5])
    red[5] += b * bv
    a1 = _phi_vector(d20, d11, 2.0 * bv, data.trt)
    sens = a1 * c  # d b_hat / d phi = h_b.phi / H, (5, T, N)

    hess = None
    if hessian:
        hess = _hessian_terms(data, red, y, th, mu, r, s, q, a, t2, d20, d30, d11, d21, d01, trig,
                              b, v, c, h_b, hbc, a1)
    sums = np.einsum("ktn->kt", red[:6])
    ll = sums[0] - data.lgamma_y1_sum
    return ll, np.ascontiguousarray(sums[1:6].T), hess, b, sens.transpose(1, 0, 2)


def _period_sums(d: np.ndarray, trt: np.ndarray, total: np.ndarray, by_trt: np.ndarray, per2: np.ndarray) -> None:
    """The per-participant sums over periods of x_k d for the columns (1, MSC, period 2), into three (T, N)."""
    np.add(d[0], d[1], out=total)
    np.multiply(trt[0], d[0], out=by_trt)
    by_trt += trt[1] * d[1]
    per2[...] = d[1]


def _phi_vector(d_x: np.ndarray, d_t: np.ndarray | None, sigma_part: np.ndarray | float,
                trt: np.ndarray) -> np.ndarray:
    """h_{b^n phi} per participant as (5, T, N): the X sums of d(n+1, 0), the period sum of d(n, 1), the prior."""
    out = np.empty((N_PARAMS, *d_x.shape[1:]))
    _period_sums(d_x, trt, out[0], out[1], out[2])
    if d_t is None:
        out[3] = 0.0
    else:
        np.add(d_t[0], d_t[1], out=out[3])
    out[4] = sigma_part
    return out


_UPPER = np.triu_indices(N_PARAMS)


def _hessian_terms(data: NBMMData, red: np.ndarray, y: np.ndarray, th: np.ndarray, mu: np.ndarray, r: np.ndarray,
                   s: np.ndarray, q: np.ndarray, a: np.ndarray, t2: np.ndarray, d20: np.ndarray, d30: np.ndarray,
                   d11: np.ndarray, d21: np.ndarray, d01: np.ndarray, trig: np.ndarray, b: np.ndarray,
                   v: np.ndarray, c: np.ndarray, h_b: np.ndarray, hbc: np.ndarray, a1: np.ndarray) -> np.ndarray:
    """Exact Hessian of the Laplace log-likelihood, summed over participants without (T, N, 5, 5) temporaries.

    Per participant (c = 1/H, b' = h_b.phi c, DH = H_phi + H_b b'):
    h_phi.psi + c h_b.phi h_b.psi - (c/2)[H_phi.psi + H_b.phi b'_psi + b'_phi H_b.psi + H_bb b'_phi b'_psi
    + c H_b (h_b.phi.psi - H_phi b'_psi - b'_phi DH_psi)] + (c^2/2) DH_phi DH_psi, with H_phi.psi = -h_bb.phi.psi.
    The terms built from the second derivatives h_{b^n phi psi} share one weight per cell (their sums go into
    ``red[6:]``). The outer products, written in the vectors a_n = h_{b^n phi}, are A a1 a1' + B (a2 a1' + a1 a2')
    + C (a3 a1' + a1 a3') + D a2 a2' with A = c - c^3 h_bb / 2 + h_b^2 c^4, B = -h_b c^3, C = c^2 / 2, D = c^2 / 2,
    i.e. the symmetric part of (A a1 + 2B a2 + 2C a3) a1' + D a2 a2': two batched products over the participants.
    """
    n_t = b.shape[0]
    half_c, half_hbc = 0.5 * c, 0.5 * hbc
    t6 = q * -6.0
    t6 += 1.0  # 1 - 6r + 6r^2
    d40 = d20 * t6
    d31 = a * t6
    d31 -= th * t2
    d31 *= q
    w_xx = d40 * half_c
    w_xx -= d30 * half_hbc
    w_xx += d20
    _period_sums(w_xx, data.trt, red[6], red[7], red[8])
    np.multiply(data.trt[1], w_xx[1], out=red[9])
    w_xt = d31 * half_c
    w_xt -= d21 * half_hbc
    w_xt += d11
    _period_sums(w_xt, data.trt, red[10], red[11], red[12])
    d22 = 1.0 - 3.0 * r
    d22 *= a
    d22 *= s
    np.subtract(th * t2, d22, out=d22)
    d22 *= 2.0 * q
    d22 += d21  # d(2,2)
    w_tt = d22 * half_c
    d12 = t2 * d11  # -d(1,2)
    d12 *= half_hbc
    w_tt += d12
    w_tt += d01
    w_tt += th * th * trig
    d02_rest = r * mu
    d02_rest += s * y
    d02_rest *= s
    w_tt += d02_rest  # d(0,2) = d(0,1) + theta^2 trig + s (r mu + s y)
    np.add(w_tt[0], w_tt[1], out=red[13])
    np.subtract(hbc * b - b * b, c, out=red[14])
    red[14] *= 2.0 * v
    trt0, trt1 = data.trt
    np.multiply(trt0 * trt0, w_xx[0], out=red[15])
    red[15] += trt1 * trt1 * w_xx[1]
    total, trt, per, trt_per, t0, t1, t2_, tt, ss, trt_sq = np.einsum("ktn->kt", red[6:])
    hess = np.empty((n_t, N_PARAMS, N_PARAMS))
    hess[:, 0, 0], hess[:, 0, 1], hess[:, 0, 2], hess[:, 0, 3], hess[:, 0, 4] = total, trt, per, t0, 0.0
    hess[:, 1, 1], hess[:, 1, 2], hess[:, 1, 3], hess[:, 1, 4] = trt_sq, trt_per, t1, 0.0
    hess[:, 2, 2], hess[:, 2, 3], hess[:, 2, 4] = per, t2_, 0.0
    hess[:, 3, 3], hess[:, 3, 4] = tt, 0.0
    hess[:, 4, 4] = ss

    h_bb = d40[0] + d40[1]
    np.negative(h_bb, out=h_bb)
    a2 = _phi_vector(d30, d21, 2.0 * v, data.trt)
    a3 = _phi_vector(d40, d31, 0.0, data.trt)
    c2 = c * c
    left = a1 * (c - 0.5 * c2 * c * h_bb + hbc * hbc)
    left += a2 * (-2.0 * hbc * c)
    left += a3 * c2
    outer = np.matmul(left.transpose(1, 0, 2), a1.transpose(1, 2, 0))
    a3 = np.multiply(a2, 0.5 * c2, out=a3)
    outer += np.matmul(a3.transpose(1, 0, 2), a2.transpose(1, 2, 0))
    hess[:, _UPPER[0], _UPPER[1]] += 0.5 * (outer[:, _UPPER[0], _UPPER[1]] + outer[:, _UPPER[1], _UPPER[0]])
    hess[:, _UPPER[1], _UPPER[0]] = hess[:, _UPPER[0], _UPPER[1]]
    return hess
