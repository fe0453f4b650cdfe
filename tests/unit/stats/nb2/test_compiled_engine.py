"""The compiled engine against the NumPy engine (the reference), term by term and fit by fit.

The compiled kernels must give the NumPy terms to rounding, the two engines the same fits (to 1e-7; SEs 1e-5,
as where the likelihood is flat in log sigma they stop a few 1e-9 apart), a compiled fit must not depend on which
other trials share its batch, and a design the engine does not take is refused.
"""

from __future__ import annotations

import numpy as np
import pytest

from mescams.errors import InputValidationError
from mescams.stats.nb2 import NB2Data, NB2Fit, fit
from mescams.stats.nb2.compiled import _evaluate
from mescams.stats.nb2.likelihood import evaluate
from mescams.stats.nb2.spec import TABLE_CAP
from tests.factories.nb2_trials import long_trial, model_trials


def _crossover_mix() -> NB2Data:
    """Trials of every kind: interior, Poisson limit (theta huge), no random intercept, counts above the table."""
    parts = [model_trials(60, seed=9, theta=3.0, sigma=0.3), model_trials(60, seed=10, theta=1e7, sigma=0.5),
             model_trials(60, seed=11, theta=2.0, sigma=0.0), model_trials(20, seed=12, theta=0.4, mean_per_scan=4.0)]
    return NB2Data.crossover_trials(*(np.concatenate([p[k] for p in parts]) for k in range(3)))


def _glm_mix() -> NB2Data:
    parts = [model_trials(100, seed=13, theta=2.0, sigma=0.0), model_trials(100, seed=14, theta=1e7, sigma=0.0)]
    return NB2Data.regression_trials(*(np.concatenate([p[k][..., 0] for p in parts]) for k in range(3)))


@pytest.mark.parametrize(("log_theta", "log_sigma"), [(0.7, -0.3), (-3.0, 0.8), (12.0, -5.0), (30.0, -25.0)])
@pytest.mark.parametrize("model", ["crossover", "glm"])
def test_compiled_terms_equal_the_numpy_ones(model: str, log_theta: float, log_sigma: float) -> None:
    y, n, t = model_trials(8, seed=21, theta=0.4, sigma=1.0, mean_per_scan=4.0)  # counts above the table cap
    n = n.copy()
    n[0, 0, :] = 0  # an absent participant
    data = (NB2Data.crossover_trials(y, n, t) if model == "crossover"
            else NB2Data.regression_trials(y[..., 0], n[..., 0], t[..., 0]))
    assert data.y.max() > TABLE_CAP
    k, n_b = data.n_params, (31 if data.random_intercept else 0)
    rng = np.random.default_rng(5)
    centre = [0.5, -0.4, 0.0, log_theta, log_sigma] if data.random_intercept else [0.5, -0.4, log_theta]
    phi = rng.normal(0.0, 0.2, (8, k)) + np.array(centre)
    ref = evaluate(data, phi, np.zeros((8, n_b)))
    y_t, off_t, x_t, pres_t = data.per_trial()
    table = np.empty((3, TABLE_CAP + 1))
    for i in range(8):
        b, sens, grad, hess = np.empty(n_b), np.empty((k, n_b)), np.empty(k), np.empty((k, k))
        lgy = float(data.lgamma_y1_sum[i])
        ll = _evaluate(y_t[i], off_t[i], x_t[i], pres_t[i], lgy, int(min(y_t[i].max(), TABLE_CAP)), table, phi[i],
                       np.zeros(n_b), b, sens, grad, hess)
        assert ll == pytest.approx(ref.loglik[i], abs=1e-11 * max(1.0, abs(ref.loglik[i])))
        np.testing.assert_allclose(grad, ref.gradient[i], rtol=1e-9, atol=1e-9)
        np.testing.assert_allclose(hess, ref.hessian[i], rtol=1e-9, atol=1e-9)
        np.testing.assert_allclose(b, ref.b_hat[i], rtol=1e-9, atol=1e-12)
        np.testing.assert_allclose(sens, ref.sensitivity[i], rtol=1e-9, atol=1e-12)


def _assert_same_fits(compiled: NB2Fit, numpy_: NB2Fit) -> None:
    np.testing.assert_array_equal(compiled.converged, numpy_.converged)
    np.testing.assert_array_equal(compiled.theta_boundary, numpy_.theta_boundary)
    np.testing.assert_array_equal(compiled.sd_boundary, numpy_.sd_boundary)
    np.testing.assert_allclose(compiled.beta, numpy_.beta, rtol=1e-7, atol=1e-7)
    np.testing.assert_allclose(compiled.se, numpy_.se, rtol=1e-5)
    interior = ~compiled.theta_boundary
    np.testing.assert_allclose(compiled.theta[interior], numpy_.theta[interior], rtol=1e-7)
    np.testing.assert_allclose(compiled.random_intercept_sd, numpy_.random_intercept_sd, rtol=1e-7, atol=1e-7)
    np.testing.assert_allclose(compiled.loglik, numpy_.loglik, rtol=0, atol=1e-7)


@pytest.mark.parametrize("make", [_crossover_mix, _glm_mix], ids=["crossover", "glm"])
def test_engines_give_the_same_fits(make) -> None:  # type: ignore[no-untyped-def]
    data = make()
    compiled, numpy_ = fit(data, "compiled"), fit(data, "numpy")
    assert compiled.converged.mean() > 0.95
    assert compiled.theta_boundary.sum() > 20  # the Poisson limit is exercised
    if data.random_intercept:
        assert compiled.sd_boundary.sum() > 10
    _assert_same_fits(compiled, numpy_)


def test_special_trials_are_fitted_alike() -> None:
    """Missing periods, an absent participant, Poisson data and the trial with two maxima in theta."""
    y, n, t = model_trials(3, seed=8)
    n = n.copy()
    n[:, 0, :] = 0
    n[:, 1, 1] = 0
    rng = np.random.default_rng(4)
    msc = np.tile([[1.0, 0.0], [0.0, 1.0]], (1, 15, 1))
    poisson = rng.poisson(3.0 * np.exp(rng.normal(0, 0.5, (1, 30, 1))) * 0.7**msc).astype(float)
    two_maxima = np.array([[1, 0, 0, 1, 0, 3, 1, 1, 4, 2, 2, 4, 0, 6, 26, 0, 0, 0, 0, 0],
                           [3, 0, 0, 1, 0, 1, 4, 1, 2, 0, 1, 0, 0, 4, 51, 0, 0, 0, 0, 0]], dtype=float).T[None]
    n2 = np.array([[3, 3, 2, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 1, 3, 3],
                   [3, 3, 3, 3, 1, 3, 3, 3, 2, 3, 2, 3, 2, 3, 3, 3, 3, 0, 3, 3]]).T[None]
    first = np.array([1, 0, 0, 0, 0, 1, 1, 1, 0, 0, 1, 1, 1, 0, 0, 0, 0, 1, 1, 1], dtype=float)

    def pad(a: np.ndarray) -> np.ndarray:
        return np.pad(a, ((0, 0), (0, 31 - a.shape[1]), (0, 0)))

    data = NB2Data.crossover_trials(
        np.concatenate([y, pad(poisson), pad(two_maxima)]),
        np.concatenate([n, pad(np.full(msc.shape, 3)), pad(n2)]),
        np.concatenate([t, pad(msc), pad(np.stack([first, 1 - first], -1)[None])]))
    _assert_same_fits(fit(data, "compiled"), fit(data, "numpy"))


def test_a_compiled_fit_does_not_depend_on_its_batch() -> None:
    data = NB2Data.crossover_trials(*model_trials(12, seed=4, theta=1.5, sigma=0.7))
    together = fit(data, "compiled")
    order = np.random.default_rng(1).permutation(12)
    shuffled = fit(data.take(order), "compiled")
    alone = [fit(data.take(np.array([i])), "compiled") for i in range(12)]
    for field in ("beta", "se", "theta", "random_intercept_sd", "loglik", "iterations"):
        np.testing.assert_array_equal(getattr(shuffled, field), getattr(together, field)[order])
        np.testing.assert_array_equal(np.concatenate([getattr(a, field) for a in alone]), getattr(together, field))


def _four_column_glm() -> NB2Data:
    data = long_trial(2, random_intercept=False)
    return NB2Data(data.y, data.offset, data.present, np.concatenate([data.X, data.X[1:2] * data.X[2:3]]), False)


@pytest.mark.parametrize("make", [lambda: long_trial(1), _four_column_glm], ids=["3 rows a group", "GLM 4 columns"])
def test_a_design_it_does_not_take_is_refused_naming_the_field(make) -> None:  # type: ignore[no-untyped-def]
    data = make()
    with pytest.raises(InputValidationError, match="compiled engine fits") as err:
        fit(data, engine="compiled")
    assert err.value.field == "engine"
    assert fit(data, engine="numpy").converged[0]  # the NumPy engine takes any design
