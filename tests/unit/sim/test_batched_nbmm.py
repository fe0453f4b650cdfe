"""The batched crossover NB2 mixed model: exact derivatives, and per-trial equality with single-trial fits.

References: the stats area's single-trial fit (``mescams.stats.nbmm``, itself validated against glmmTMB) must
agree to 1e-6; an independent scipy fit written here (Laplace by brute force: a bounded scalar search per
participant for the mode, numerical curvature, Nelder-Mead then BFGS outside) must find the same maximum.
glmmTMB itself is compared in tests/integration/sim/test_against_r.py.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from scipy import optimize, stats

from mescams.sim.batched_nbmm import ENGINES, fit_nbmm_batch
from mescams.sim.laplace_nbmm import NBMMData, laplace_terms
from mescams.sim.reference_fits import stats_crossover_fit

from .conftest import model_trials


def test_gradient_and_hessian_match_finite_differences() -> None:
    y, n, t = model_trials(6, seed=11)
    data = NBMMData(y, n, t)
    rng = np.random.default_rng(3)
    phi = np.column_stack([rng.normal(0, 0.3, 6), rng.normal(-0.4, 0.2, 6), rng.normal(0, 0.2, 6),
                           rng.normal(0.5, 0.3, 6), rng.normal(-0.3, 0.2, 6)])
    b0 = np.zeros((6, 31))
    _, grad, hess, b, _ = laplace_terms(data, phi, b0)
    h = 1e-5
    for k in range(5):
        up, down = phi.copy(), phi.copy()
        up[:, k] += h
        down[:, k] -= h
        l_up, g_up, *_ = laplace_terms(data, up, b)
        l_down, g_down, *_ = laplace_terms(data, down, b)
        np.testing.assert_allclose(grad[:, k], (l_up - l_down) / (2 * h), rtol=1e-6, atol=1e-6)
        np.testing.assert_allclose(hess[:, :, k], (g_up - g_down) / (2 * h), rtol=1e-5, atol=1e-5)


def _scipy_laplace_fit(y: np.ndarray, n: np.ndarray, t: np.ndarray, start: np.ndarray):  # type: ignore[no-untyped-def]
    """An independent single-trial fit: NB2 log-pmf from scipy.stats, each participant's mode by a secant
    search on a central-difference derivative, the curvature by second differences; L-BFGS-B outside with
    numerical gradients. Returns (phi, loglik, the log-likelihood function)."""
    keep = n > 0
    per = np.broadcast_to([0.0, 1.0], y.shape)
    has = keep.any(-1)

    def h(b: np.ndarray, phi: np.ndarray) -> np.ndarray:
        b0, b1, b2, log_theta, log_sigma = phi
        theta, sigma = np.exp(log_theta), np.exp(log_sigma)
        mu = np.exp(b0 + b1 * t + b2 * per + np.log(np.maximum(n, 1)) + b[:, None])
        ll = np.where(keep, stats.nbinom.logpmf(y, theta, theta / (theta + mu)), 0.0).sum(-1)
        return ll + stats.norm.logpdf(b, 0.0, sigma)

    def loglik(phi: np.ndarray) -> float:
        e = 1e-4

        def dh(b: np.ndarray) -> np.ndarray:
            return (h(b + e, phi) - h(b - e, phi)) / (2 * e)

        with warnings.catch_warnings():
            # the central-difference derivative has a floor near 1e-12: "RMS of 1e-12 reached" is the mode found
            warnings.filterwarnings("ignore", "RMS of", RuntimeWarning)
            mode = optimize.newton(dh, np.zeros(y.shape[0]), tol=1e-12, maxiter=200)
        curv = -(h(mode + e, phi) - 2 * h(mode, phi) + h(mode - e, phi)) / e**2
        return float(np.where(has, h(mode, phi) + 0.5 * np.log(2 * np.pi) - 0.5 * np.log(curv), 0.0).sum())

    def objective(p: np.ndarray) -> float:
        value = loglik(p)
        return -value if np.isfinite(value) else 1e10

    bounds = [(x - 1.0, x + 1.0) for x in start]
    best = optimize.minimize(objective, start, method="L-BFGS-B", bounds=bounds,
                             options={"ftol": 1e-15, "gtol": 1e-9})
    return best.x, -float(best.fun), loglik


def test_batched_fit_is_the_maximum_of_an_independent_laplace_likelihood() -> None:
    y, n, t = model_trials(1, seed=5, n_part=20)
    fit = fit_nbmm_batch(y, n, t)
    assert fit.converged[0] and not fit.at_bound[0]
    ours = np.r_[fit.beta[0], np.log(fit.theta[0]), np.log(fit.random_intercept_sd[0])]
    # Started off our optimum, the independent search comes back to it and finds nothing higher.
    phi, ll, loglik = _scipy_laplace_fit(y[0], n[0], t[0], start=ours + np.array([0.1, -0.1, 0.1, -0.2, 0.2]))
    assert loglik(ours) == pytest.approx(fit.loglik[0], abs=1e-6)
    assert fit.loglik[0] >= ll - 1e-7
    for k in range(5):  # a maximum: every coordinate step away lowers the independent log-likelihood
        for step in (-0.01, 0.01):
            moved = ours.copy()
            moved[k] += step
            assert loglik(moved) < fit.loglik[0]


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize(("rate_ratio", "theta", "sigma", "n_part", "seed"), [
    (0.6, 2.0, 0.8, 31, 1),     # the trial's size
    (1.0, 1.0, 1.2, 31, 2),     # null effect, strong heterogeneity
    (0.3, 5.0, 0.5, 60, 3),     # strong effect
    (0.8, 0.5, 0.6, 20, 4),     # very overdispersed, small
])
def test_each_trial_equals_the_stats_area_single_fit(rate_ratio: float, theta: float, sigma: float, n_part: int,
                                                     seed: int, engine: str) -> None:
    y, n, t = model_trials(5, seed=seed, n_part=n_part, rate_ratio=rate_ratio, theta=theta, sigma=sigma)
    batch = fit_nbmm_batch(y, n, t, engine=engine)
    for i in range(y.shape[0]):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            single = stats_crossover_fit(y[i], n[i], t[i])
        assert single.converged_ and batch.converged[i]
        np.testing.assert_allclose(batch.beta[i], single.params_.to_numpy(), rtol=1e-6, atol=1e-6)
        # SEs to 1e-5: where the likelihood is nearly flat in log sigma (SD close to 0) the single fit stops at a
        # gradient of ~1e-7, which moves its curvature in the 6th digit; the estimates still agree to 1e-6.
        np.testing.assert_allclose(batch.se[i], single.bse_.to_numpy(), rtol=1e-5)
        if single.poisson_boundary_:
            assert batch.theta[i] == np.inf
        else:
            assert batch.theta[i] == pytest.approx(single.theta_, rel=1e-6)
        assert batch.random_intercept_sd[i] == pytest.approx(single.random_intercept_sd_, rel=1e-6, abs=1e-6)
        assert batch.loglik[i] == pytest.approx(single.loglik_, abs=1e-6)


@pytest.mark.parametrize("engine", ENGINES)
def test_missing_periods_and_absent_participants_drop_out(engine: str) -> None:
    y, n, t = model_trials(3, seed=8)
    n = n.copy()
    n[:, 0, :] = 0  # participant 0 has no scan at all
    n[:, 1, 1] = 0  # participant 1 lost period 2
    fit = fit_nbmm_batch(y, n, t, engine=engine)
    assert (fit.n_participants == 30).all()
    assert (fit.n_periods == (n > 0).sum(axis=(1, 2))).all()
    # The counts recorded in the dropped cells must not matter: equal to rounding (the sums may be taken in another
    # order from run to run, seen at 3e-15), far below any effect a dropped count of 99 would have.
    y2 = y.copy()
    y2[:, 0, :] = 99
    y2[:, 1, 1] = 99
    np.testing.assert_allclose(fit_nbmm_batch(y2, n, t, engine=engine).beta, fit.beta, rtol=1e-12, atol=1e-13)


@pytest.mark.parametrize("engine", ENGINES)
def test_poisson_data_end_on_the_theta_limit_loudly(engine: str) -> None:
    rng = np.random.default_rng(4)
    msc = np.tile([[1.0, 0.0], [0.0, 1.0]], (1, 15, 1))
    n = np.full(msc.shape, 3)
    y = rng.poisson(3.0 * np.exp(rng.normal(0, 0.5, (1, 30, 1))) * 0.7**msc).astype(float)
    fit = fit_nbmm_batch(y, n, msc, engine=engine)
    if fit.at_bound[0]:
        assert fit.theta[0] == np.inf
    assert fit.converged[0] and np.isfinite(fit.se[0]).all()


@pytest.mark.parametrize("engine", ENGINES)
def test_an_interior_maximum_is_not_jumped_over_to_the_poisson_limit(engine: str) -> None:
    """A simulated trial (found by a reproducibility stress run) whose likelihood has a local maximum at the
    Poisson limit and a higher one at theta ~ 9.9: the batched fit must find the higher one, as the single fit."""
    y = np.array([[1, 0, 0, 1, 0, 3, 1, 1, 4, 2, 2, 4, 0, 6, 26, 0, 0, 0, 0, 0],
                  [3, 0, 0, 1, 0, 1, 4, 1, 2, 0, 1, 0, 0, 4, 51, 0, 0, 0, 0, 0]], dtype=float).T[None]
    n = np.array([[3, 3, 2, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 1, 3, 3],
                  [3, 3, 3, 3, 1, 3, 3, 3, 2, 3, 2, 3, 2, 3, 3, 3, 3, 0, 3, 3]]).T[None]
    first = np.array([1, 0, 0, 0, 0, 1, 1, 1, 0, 0, 1, 1, 1, 0, 0, 0, 0, 1, 1, 1], dtype=float)
    t = np.stack([first, 1 - first], -1)[None]
    batch = fit_nbmm_batch(y, n, t, engine=engine)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        single = stats_crossover_fit(y[0], n[0], t[0])
    assert single.converged_ and not single.boundary_
    assert not batch.at_bound[0]
    assert batch.loglik[0] == pytest.approx(single.loglik_, abs=1e-8)
    np.testing.assert_allclose(batch.beta[0], single.params_.to_numpy(), atol=1e-6)


def test_boundary_rule_is_the_stats_areas() -> None:
    """The batched fit pins theta and the SD at the same thresholds as mescams.stats.nbmm, so both report the
    same fits as boundary fits."""
    from mescams.sim import batched_nbmm
    from mescams.stats import nbmm

    assert batched_nbmm.THETA_BOUNDARY == nbmm.THETA_BOUNDARY
    assert batched_nbmm.SIGMA_BOUNDARY == nbmm.SIGMA_BOUNDARY
