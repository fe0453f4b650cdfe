"""The NumPy engine (the reference): exact derivatives, the maximum it finds, the designs it takes.

References: central differences of the log-likelihoods; an independent Laplace fit written here with scipy;
statsmodels' NB2 maximum likelihood; the definitions of the count terms, summed exactly. R itself is compared in
tests/unit/stats/test_r_reference_cached.py and tests/integration/sim/test_against_r.py; the compiled engine is
held to this one in test_compiled_engine.py.
"""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest
import statsmodels.api as sm
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import optimize, stats

from mescams.errors import InputValidationError
from mescams.stats.nb2 import NB2Data, fit, fit_crossover_trials, fit_regression_trials
from mescams.stats.nb2.data import CountTerms
from mescams.stats.nb2.likelihood import evaluate
from mescams.stats.nb2.spec import TABLE_CAP
from tests.factories.nb2_trials import long_trial, model_trials


def _points(data: NB2Data, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    p = data.X.shape[0]
    phi = rng.normal(0.0, 0.3, (data.n_trials, data.n_params))
    phi[:, p] += 0.5
    return phi


@pytest.mark.parametrize("data", [NB2Data.crossover_trials(*model_trials(6, seed=11)), long_trial(3),
                                  NB2Data.regression_trials(*(a[..., 0] for a in model_trials(4, seed=2))),
                                  long_trial(4, random_intercept=False)],
                         ids=["crossover", "three rows per group", "GLM", "GLM two covariates"])
def test_gradient_and_hessian_match_finite_differences(data: NB2Data) -> None:
    phi = _points(data, 3)
    b0 = np.zeros((data.n_trials, data.y.shape[2] if data.random_intercept else 0))
    terms = evaluate(data, phi, b0)
    h = 1e-5
    for k in range(data.n_params):
        up, down = phi.copy(), phi.copy()
        up[:, k] += h
        down[:, k] -= h
        t_up, t_down = evaluate(data, up, terms.b_hat), evaluate(data, down, terms.b_hat)
        np.testing.assert_allclose(terms.gradient[:, k], (t_up.loglik - t_down.loglik) / (2 * h), rtol=1e-6, atol=1e-6)
        np.testing.assert_allclose(terms.hessian[:, :, k], (t_up.gradient - t_down.gradient) / (2 * h), rtol=1e-5,
                                   atol=1e-5)


@settings(max_examples=25, deadline=None)
@given(beta=st.lists(st.floats(-2, 2), min_size=3, max_size=3), log_theta=st.floats(-2.5, 6.0),
       log_sigma=st.floats(-3.0, 1.0), seed=st.integers(0, 10_000))
def test_gradient_is_exact_everywhere(beta: list[float], log_theta: float, log_sigma: float, seed: int) -> None:
    """Property: the analytic gradient equals the central difference of the Laplace log-likelihood (relative
    1e-5) at any point, including high dispersion and tiny random-intercept SDs."""
    data = long_trial(seed, n_groups=12)
    z = np.array([[*beta, log_theta, log_sigma]])

    def loglik(v: np.ndarray) -> float:
        return float(evaluate(data, v, np.zeros((1, 12))).loglik[0])

    h = 1e-6
    numeric = np.array([(loglik(z + e) - loglik(z - e)) / (2 * h) for e in np.eye(5)[:, None] * h])
    analytic = evaluate(data, z, np.zeros((1, 12))).gradient[0]
    np.testing.assert_allclose(analytic, numeric, rtol=1e-5, atol=1e-5 * (1 + np.abs(numeric).max()))


def test_random_effects_solve_the_score_equation() -> None:
    data = long_trial(5)
    phi = np.array([[0.2, -0.5, 0.1, 0.5, -0.2]])
    b = evaluate(data, phi, np.zeros((1, 25))).b_hat
    mu = np.exp(np.einsum("pmtn,tp->mtn", data.X, phi[:, :3]) + data.offset + b)
    theta = np.exp(0.5)
    score = (theta * (data.y - mu) / (mu + theta)).sum(axis=0) - b / np.exp(-0.4)
    np.testing.assert_allclose(score, 0.0, atol=1e-9)


def test_a_trials_terms_do_not_depend_on_its_batch() -> None:
    data = NB2Data.crossover_trials(*model_trials(5, seed=7))
    phi = _points(data, 1)
    together = evaluate(data, phi, np.zeros((5, 31)))
    for i in range(5):
        alone = evaluate(data.take(np.array([i])), phi[i:i + 1], np.zeros((1, 31)))
        for a, b in zip(alone, together, strict=True):
            np.testing.assert_allclose(a[0], b[i], rtol=1e-12, atol=1e-12)


def _scipy_laplace_fit(y: np.ndarray, n: np.ndarray, t: np.ndarray, start: np.ndarray):  # type: ignore[no-untyped-def]
    """An independent single-trial fit: NB2 log-pmf from scipy.stats, each participant's mode by Newton on a
    central-difference derivative, the curvature by second differences; L-BFGS-B outside with numerical
    gradients. Returns (phi, loglik, the log-likelihood function)."""
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
            warnings.filterwarnings("ignore", "RMS of", RuntimeWarning)  # the difference's floor: the mode found
            mode = optimize.newton(dh, np.zeros(y.shape[0]), tol=1e-12, maxiter=200)
        curv = -(h(mode + e, phi) - 2 * h(mode, phi) + h(mode - e, phi)) / e**2
        return float(np.where(has, h(mode, phi) + 0.5 * np.log(2 * np.pi) - 0.5 * np.log(curv), 0.0).sum())

    def objective(p: np.ndarray) -> float:
        value = loglik(p)
        return -value if np.isfinite(value) else 1e10

    best = optimize.minimize(objective, start, method="L-BFGS-B", bounds=[(x - 1.0, x + 1.0) for x in start],
                             options={"ftol": 1e-15, "gtol": 1e-9})
    return best.x, -float(best.fun), loglik


def test_the_fit_is_the_maximum_of_an_independent_laplace_likelihood() -> None:
    y, n, t = model_trials(1, seed=5, n_part=20)
    fit = fit_crossover_trials(y, n, t, engine="numpy")
    assert fit.converged[0] and not fit.at_bound[0]
    ours = np.r_[fit.beta[0], np.log(fit.theta[0]), np.log(fit.random_intercept_sd[0])]
    phi, ll, loglik = _scipy_laplace_fit(y[0], n[0], t[0], start=ours + np.array([0.1, -0.1, 0.1, -0.2, 0.2]))
    assert loglik(ours) == pytest.approx(fit.loglik[0], abs=1e-6)
    assert fit.loglik[0] >= ll - 1e-7
    for k in range(5):  # a maximum: every coordinate step away lowers the independent log-likelihood
        for step in (-0.01, 0.01):
            moved = ours.copy()
            moved[k] += step
            assert loglik(moved) < fit.loglik[0]


def test_the_glm_is_statsmodels_negative_binomial_mle() -> None:
    y, n, t = model_trials(1, seed=9, n_part=60, theta=1.5, sigma=0.0)
    keep = n[0, :, 0] > 0
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ref = sm.NegativeBinomial(y[0, keep, 0], sm.add_constant(t[0, keep, 0]), offset=np.log(n[0, keep, 0]),
                                  loglike_method="nb2").fit(method="newton", tol=1e-12, maxiter=200, disp=0)
    fit = fit_regression_trials(y[..., 0], n[..., 0], t[..., 0], engine="numpy")
    np.testing.assert_allclose(fit.beta[0], ref.params[:2], atol=1e-7)
    assert fit.theta[0] == pytest.approx(1.0 / ref.params[2], rel=1e-6)
    assert fit.loglik[0] == pytest.approx(ref.llf, abs=1e-8)


def test_missing_periods_and_absent_participants_drop_out() -> None:
    y, n, t = model_trials(3, seed=8)
    n = n.copy()
    n[:, 0, :] = 0  # participant 0 has no scan at all
    n[:, 1, 1] = 0  # participant 1 lost period 2
    fit = fit_crossover_trials(y, n, t, engine="numpy")
    assert (fit.n_participants == 30).all()
    assert (fit.n_periods == (n > 0).sum(axis=(1, 2))).all()
    y2 = y.copy()
    y2[:, 0, :] = 99  # a count recorded in a dropped cell does not matter (to rounding: sums may change order)
    y2[:, 1, 1] = 99
    np.testing.assert_allclose(fit_crossover_trials(y2, n, t, engine="numpy").beta, fit.beta, rtol=1e-12, atol=1e-13)


def test_poisson_data_end_on_the_theta_limit_loudly() -> None:
    rng = np.random.default_rng(4)
    msc = np.tile([[1.0, 0.0], [0.0, 1.0]], (1, 15, 1))
    y = rng.poisson(3.0 * np.exp(rng.normal(0, 0.5, (1, 30, 1))) * 0.7**msc).astype(float)
    fit = fit_crossover_trials(y, np.full(msc.shape, 3), msc, engine="numpy")
    assert fit.converged[0] and np.isfinite(fit.se[0]).all()
    assert fit.theta_boundary[0] == (fit.theta[0] == np.inf)


def test_an_interior_maximum_is_not_jumped_over_to_the_poisson_limit() -> None:
    """A simulated trial whose likelihood has a local maximum at the Poisson limit and a higher one at theta
    ~ 9.9 (found by a reproducibility stress run): the restart from theta = 1 finds the higher one."""
    y = np.array([[1, 0, 0, 1, 0, 3, 1, 1, 4, 2, 2, 4, 0, 6, 26, 0, 0, 0, 0, 0],
                  [3, 0, 0, 1, 0, 1, 4, 1, 2, 0, 1, 0, 0, 4, 51, 0, 0, 0, 0, 0]], dtype=float).T[None]
    n = np.array([[3, 3, 2, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 1, 3, 3],
                  [3, 3, 3, 3, 1, 3, 3, 3, 2, 3, 2, 3, 2, 3, 3, 3, 3, 0, 3, 3]]).T[None]
    first = np.array([1, 0, 0, 0, 0, 1, 1, 1, 0, 0, 1, 1, 1, 0, 0, 0, 0, 1, 1, 1], dtype=float)
    fit = fit_crossover_trials(y, n, np.stack([first, 1 - first], -1)[None], engine="numpy")
    assert fit.converged[0] and not fit.at_bound[0]
    assert fit.theta[0] == pytest.approx(9.9, abs=0.1)


@pytest.mark.parametrize("theta", [1e-3, 0.7, 50.0, 1e5, math.exp(30.0), math.exp(31.0)])
def test_count_terms_equal_their_sums_below_and_above_the_table_cap(theta: float) -> None:
    """lgamma(y + theta) - lgamma(theta) = sum_{j<y} log(theta + j); digamma and trigamma differences are the
    sums of 1/(theta + j) and -1/(theta + j)^2, summed exactly (math.fsum) as the reference."""
    y = np.array([[0, 1, 5, TABLE_CAP, TABLE_CAP + 1, 60, 159], [2, 0, 45, 0, 1, 3, 100]], dtype=float)
    thetas = np.array([theta, 1.5 * theta])
    lg, dg, tg = CountTerms(y, trial_axis=0)(thetas)
    for row, th in enumerate(thetas):
        for col, count in enumerate(y[row].astype(int)):
            terms = [th + j for j in range(count)]
            assert lg[row, col] == pytest.approx(math.fsum(math.log(x) for x in terms), rel=1e-14, abs=1e-12)
            assert th * dg[row, col] == pytest.approx(th * math.fsum(1 / x for x in terms), rel=1e-13, abs=1e-13)
            assert th**2 * tg[row, col] == pytest.approx(-(th**2) * math.fsum(1 / x**2 for x in terms),
                                                          rel=1e-13, abs=1e-13)


def test_an_unknown_engine_is_refused_naming_the_field() -> None:
    with pytest.raises(InputValidationError) as err:
        fit(long_trial(1), engine="jax")
    assert err.value.field == "engine"
