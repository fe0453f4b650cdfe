"""The compiled engine (mescams.sim.compiled_nbmm, compiled_laplace) against the NumPy engine, term by term
and fit by fit.

The NumPy engine is the reference: its derivatives are checked against finite differences and its fits against
the stats area's single-trial fit and an independent scipy fit (test_batched_nbmm.py); both engines are held to
the single-trial fit there too. Here the compiled kernel must give the NumPy Laplace terms to rounding, the two
engines the same fits, and a compiled fit must not depend on which other trials share its batch.
"""

from __future__ import annotations

import numpy as np
import pytest

from mescams.errors import InputValidationError
from mescams.sim.batched_nbmm import fit_nbmm_batch
from mescams.sim.compiled_laplace import laplace_one
from mescams.sim.count_terms import TABLE_CAP
from mescams.sim.laplace_nbmm import NBMMData, laplace_terms
from mescams.sim.virtual_patients import simulate_gel

from .conftest import model_trials


@pytest.mark.parametrize(("log_theta", "log_sigma"), [(0.7, -0.3), (-3.0, 0.8), (12.0, -5.0), (30.0, -25.0)])
def test_compiled_laplace_terms_equal_the_numpy_ones(log_theta: float, log_sigma: float) -> None:
    y, n, t = model_trials(8, seed=21, theta=0.4, sigma=1.0, mean_per_scan=4.0)  # counts above the table cap
    n = n.copy()
    n[0, 0, :] = 0  # an absent participant
    assert y.max() > TABLE_CAP
    data = NBMMData(y, n, t)
    rng = np.random.default_rng(5)
    phi = np.column_stack([rng.normal(0.5, 0.3, 8), rng.normal(-0.4, 0.2, 8), rng.normal(0, 0.2, 8),
                           rng.normal(log_theta, 0.2, 8), rng.normal(log_sigma, 0.2, 8)])
    b_start = np.zeros((8, 31))
    ll, grad, hess, b, sens = laplace_terms(data, phi, b_start)
    assert hess is not None
    table = np.empty((3, TABLE_CAP + 1))
    for i in range(8):
        out_b, out_sens, out_grad, out_hess = np.empty(31), np.empty((5, 31)), np.empty(5), np.empty((5, 5))
        cap = int(min(data.y[:, i].max(), TABLE_CAP))
        out_ll = laplace_one(np.ascontiguousarray(data.y[:, i]), np.ascontiguousarray(data.offset[:, i]),
                          np.ascontiguousarray(data.trt[:, i]), np.ascontiguousarray(data.present[:, i]),
                          float(data.lgamma_y1_sum[i]), cap, table, phi[i], b_start[i], out_b, out_sens,
                          out_grad, out_hess)
        scale = max(1.0, abs(ll[i]))
        assert out_ll == pytest.approx(ll[i], abs=1e-11 * scale)
        np.testing.assert_allclose(out_grad, grad[i], rtol=1e-9, atol=1e-9)
        np.testing.assert_allclose(out_hess, hess[i], rtol=1e-9, atol=1e-9)
        np.testing.assert_allclose(out_b, b[i], rtol=1e-9, atol=1e-12)
        np.testing.assert_allclose(out_sens, sens[i], rtol=1e-9, atol=1e-12)


def test_engines_give_the_same_fits(vp_params, scan_design) -> None:  # type: ignore[no-untyped-def]
    """300 virtual-patient trials (a quarter end on the Poisson limit, some at SD 0) and trials from the model.

    Tolerances: estimates, theta, SD and log-likelihood 1e-7; SEs 1e-5 (where the likelihood is flat in log sigma
    the two stop a few 1e-9 apart, which moves the curvature in the 8th digit)."""
    sim = simulate_gel(vp_params, scan_design, 300, 31, np.random.default_rng(3), rate_ratio=0.6).period_totals()
    model = model_trials(60, seed=9, theta=3.0, sigma=0.3)
    y, n, t = (np.concatenate([sim[k], model[k]]) for k in range(3))
    compiled, numpy_ = fit_nbmm_batch(y, n, t), fit_nbmm_batch(y, n, t, engine="numpy")
    assert compiled.at_bound.sum() > 50 and (compiled.random_intercept_sd == 0).any()
    np.testing.assert_array_equal(compiled.converged, numpy_.converged)
    np.testing.assert_array_equal(compiled.at_bound, numpy_.at_bound)
    np.testing.assert_array_equal(compiled.theta == np.inf, numpy_.theta == np.inf)
    np.testing.assert_allclose(compiled.beta, numpy_.beta, rtol=1e-7, atol=1e-7)
    np.testing.assert_allclose(compiled.se, numpy_.se, rtol=1e-5)
    np.testing.assert_allclose(compiled.theta, numpy_.theta, rtol=1e-7)
    np.testing.assert_allclose(compiled.random_intercept_sd, numpy_.random_intercept_sd, rtol=1e-7, atol=1e-7)
    np.testing.assert_allclose(compiled.loglik, numpy_.loglik, rtol=0, atol=1e-7)


def test_a_compiled_fit_does_not_depend_on_its_batch() -> None:
    y, n, t = model_trials(12, seed=4, theta=1.5, sigma=0.7)
    together = fit_nbmm_batch(y, n, t)
    order = np.random.default_rng(1).permutation(12)
    shuffled = fit_nbmm_batch(y[order], n[order], t[order])
    alone = [fit_nbmm_batch(y[i:i + 1], n[i:i + 1], t[i:i + 1]) for i in range(12)]
    for field in ("beta", "se", "theta", "random_intercept_sd", "loglik", "iterations"):
        np.testing.assert_array_equal(getattr(shuffled, field), getattr(together, field)[order])
        np.testing.assert_array_equal(np.concatenate([getattr(a, field) for a in alone]), getattr(together, field))


def test_an_unknown_engine_is_refused_naming_the_field() -> None:
    y, n, t = model_trials(1, seed=1)
    with pytest.raises(InputValidationError) as err:
        fit_nbmm_batch(y, n, t, engine="jax")
    assert err.value.field == "engine"
