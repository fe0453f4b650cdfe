"""The batched period-1 NB2 regression equals the stats area's single fit (itself checked against MASS::glm.nb),
and statsmodels' NB2 maximum likelihood (estimates and theta; SEs follow glm.nb's fixed-theta GLM convention)."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
import statsmodels.api as sm

from mescams.errors import InputValidationError
from mescams.sim.batched_nbglm import ENGINES, fit_nbglm_batch
from mescams.sim.reference_fits import stats_period1_fit
from mescams.sim.virtual_patients import simulate_gel

from .conftest import model_trials


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize(("rate_ratio", "theta", "n_part", "seed"), [(0.6, 2.0, 31, 1), (1.0, 0.5, 40, 2),
                                                                     (0.3, 4.0, 100, 3)])
def test_each_trial_equals_the_stats_area_single_fit(rate_ratio: float, theta: float, n_part: int, seed: int,
                                                     engine: str) -> None:
    y, n, t = model_trials(6, seed=seed, n_part=n_part, rate_ratio=rate_ratio, theta=theta, sigma=0.0)
    batch = fit_nbglm_batch(y[..., 0], n[..., 0], t[..., 0], engine=engine)
    for i in range(y.shape[0]):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            single = stats_period1_fit(y[i, :, 0], n[i, :, 0], t[i, :, 0])
        assert single.converged_ and batch.converged[i]
        np.testing.assert_allclose(batch.beta[i], single.params_.to_numpy(), rtol=1e-6, atol=1e-6)
        np.testing.assert_allclose(batch.se[i], single.bse_.to_numpy(), rtol=1e-6)
        assert batch.theta[i] == pytest.approx(single.theta_, rel=1e-5)


@pytest.mark.parametrize("engine", ENGINES)
def test_matches_statsmodels_negative_binomial_mle(engine: str) -> None:
    y, n, t = model_trials(1, seed=9, n_part=60, theta=1.5, sigma=0.0)
    keep = n[0, :, 0] > 0
    exog = sm.add_constant(t[0, keep, 0])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ref = sm.NegativeBinomial(y[0, keep, 0], exog, offset=np.log(n[0, keep, 0]), loglike_method="nb2").fit(
            method="newton", tol=1e-12, maxiter=200, disp=0)
    fit = fit_nbglm_batch(y[..., 0], n[..., 0], t[..., 0], engine=engine)
    np.testing.assert_allclose(fit.beta[0], ref.params[:2], atol=1e-7)
    assert fit.theta[0] == pytest.approx(1.0 / ref.params[2], rel=1e-6)
    assert fit.loglik[0] == pytest.approx(ref.llf, abs=1e-8)


@pytest.mark.parametrize("engine", ENGINES)
def test_an_arm_without_any_lesion_is_not_a_number(engine: str) -> None:
    y = np.array([[0, 0, 0, 0, 3, 1, 2, 5]], dtype=float)
    trt = np.array([[1, 1, 1, 1, 0, 0, 0, 0]], dtype=float)
    fit = fit_nbglm_batch(y, np.full(y.shape, 3), trt, engine=engine)
    # The MSC coefficient runs to minus infinity: no finite estimate, and the fit says so.
    assert not fit.converged[0] or fit.rate_ratio[0] < 1e-3


def test_engines_give_the_same_fits(vp_params, scan_design) -> None:  # type: ignore[no-untyped-def]
    """Period 1 of 400 virtual-patient trials (many near the Poisson limit) and of trials from the model: the
    compiled and NumPy engines agree on estimates, SEs and log-likelihood to 1e-9, and on theta where neither
    ended on its limit (beyond it theta is not identified: the likelihood is flat there)."""
    sim = simulate_gel(vp_params, scan_design, 400, 31, np.random.default_rng(8), rate_ratio=0.6).period_totals()
    model = model_trials(100, seed=12, theta=2.0, sigma=0.0)
    y, n, t = (np.concatenate([sim[k][..., 0], model[k][..., 0]]) for k in range(3))
    compiled, numpy_ = fit_nbglm_batch(y, n, t), fit_nbglm_batch(y, n, t, engine="numpy")
    np.testing.assert_array_equal(compiled.converged, numpy_.converged)
    np.testing.assert_allclose(compiled.beta, numpy_.beta, rtol=1e-9, atol=1e-9)
    np.testing.assert_allclose(compiled.se, numpy_.se, rtol=1e-9)
    np.testing.assert_allclose(compiled.loglik, numpy_.loglik, rtol=0, atol=1e-9)
    interior = ~compiled.at_bound & ~numpy_.at_bound
    assert interior.sum() > 300
    np.testing.assert_allclose(compiled.theta[interior], numpy_.theta[interior], rtol=1e-7)


def test_an_unknown_engine_is_refused_naming_the_field() -> None:
    y, n, t = model_trials(1, seed=1)
    with pytest.raises(InputValidationError) as err:
        fit_nbglm_batch(y[..., 0], n[..., 0], t[..., 0], engine="cupy")
    assert err.value.field == "engine"
