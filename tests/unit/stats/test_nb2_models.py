"""The analyses' NB2 models on data frames: known answers (R), known parameters, boundaries, trouble is loud.

The likelihoods, their derivatives and the optimiser are tested per engine in tests/unit/stats/nb2/."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from mescams.errors import ConvergenceError
from mescams.stats.nb2.data import pad_by_group
from mescams.stats.nb2.models import NegativeBinomialMixedModel, NegativeBinomialRegression
from mescams.stats.results import ConvergenceWarning, NotFittedError


def test_pad_by_group_keeps_every_row() -> None:
    labels, y, X, offset, mask = pad_by_group(np.array(["b", "a", "b"]), np.array([1.0, 2.0, 3.0]),
                                              np.ones((3, 1)), np.zeros(3))
    assert list(labels) == ["a", "b"]
    assert mask.tolist() == [[True, False], [True, True]]
    assert y.tolist() == [[2.0, 0.0], [1.0, 3.0]]


def _simulate(rng: np.random.Generator, n: int, rate_ratio: float, theta: float, sd: float) -> pd.DataFrame:
    ids = np.repeat(np.arange(n), 2)
    msc = np.tile([1.0, 0.0], n)
    msc[n:] = 1.0 - msc[n:]  # half the participants get MSC second
    period2 = np.tile([0.0, 1.0], n)
    b = rng.normal(0.0, sd, n)[ids]
    mu = 3.0 * np.exp(np.log(rate_ratio) * msc + 0.1 * period2 + b)
    y = rng.poisson(rng.gamma(theta, mu / theta))
    return pd.DataFrame({"id": ids, "y": y, "MSC": msc, "period2": period2})


def test_recovers_known_parameters_in_a_large_trial(rng) -> None:
    frame = _simulate(rng, 1500, rate_ratio=0.5, theta=2.0, sd=0.7)
    design = pd.DataFrame({"(Intercept)": 1.0, "MSC": frame["MSC"], "period2": frame["period2"]})
    fit = NegativeBinomialMixedModel().fit(frame["y"], design, frame["id"])
    assert fit.converged_
    assert abs(fit.to_dict("MSC")["rate_ratio"] - 0.5) < 0.05
    assert abs(fit.theta_ - 2.0) < 0.4
    assert abs(fit.random_intercept_sd_ - 0.7) < 0.1


def test_separated_data_is_loud_and_reports_no_number() -> None:
    frame = pd.DataFrame({"id": [1, 1, 2, 2, 3, 3], "y": [0, 4, 0, 2, 0, 5], "MSC": [1.0, 0, 1, 0, 1, 0]})
    design = pd.DataFrame({"(Intercept)": 1.0, "MSC": frame["MSC"]})
    with pytest.warns(ConvergenceWarning, match="all counts are zero where MSC = 1"):
        fit = NegativeBinomialMixedModel().fit(frame["y"], design, frame["id"])
    assert not fit.converged_
    assert fit.to_dict("MSC")["rate_ratio"] is None
    with pytest.raises(NotFittedError):
        _ = fit.summary
    with pytest.raises(ConvergenceError):
        NegativeBinomialMixedModel(strict=True).fit(frame["y"], design, frame["id"])
    with pytest.warns(ConvergenceWarning):
        assert NegativeBinomialRegression().fit(frame["y"], design).to_dict("MSC")["p_value"] is None


def test_nb_glm_known_answer() -> None:
    """MASS::glm.nb(y ~ x) on y = c(0,1,3,0,2,5,1,8,0,4), x = rep(0:1, 5): values from R 4.2.2, MASS 7.3-58.2.

    R> summary(glm.nb(y ~ x))$coefficients; fit$theta; fit$SE.theta
    """
    y = np.array([0, 1, 3, 0, 2, 5, 1, 8, 0, 4])
    x = np.tile([0.0, 1.0], 5)
    fit = NegativeBinomialRegression().fit(y, pd.DataFrame({"(Intercept)": 1.0, "x": x}))
    assert fit.converged_
    np.testing.assert_allclose(fit.params_.to_numpy(), R_GLMNB_COEF, rtol=1e-5)
    np.testing.assert_allclose(fit.bse_.to_numpy(), R_GLMNB_SE, rtol=1e-5)
    np.testing.assert_allclose(fit.theta_, R_GLMNB_THETA, rtol=1e-4)


R_GLMNB_COEF = [0.182321556794, 1.098612288668]
R_GLMNB_SE = [0.520181626777, 0.655794738132]
R_GLMNB_THETA = 1.9245155323


def test_double_boundary_fit_is_the_poisson_glm(tmp_path, protocol) -> None:
    """A small trial where the ML has SD = 0 and theta = infinity (this one once made the polish diverge):
    the fit must say so, and its estimates and SEs are then exactly those of the Poisson GLM (statsmodels)."""
    import statsmodels.api as sm

    from mescams.stats.analysis_data import read_analysis_data
    from mescams.stats.crossover import _design, fit_crossover
    from mescams.stats.datasets import period_totals
    from mescams.stats.synthetic import SyntheticTrial, write_synthetic_folder

    trial = SyntheticTrial(seed=476459, n_participants=6, rate_per_scan=1.247548782002339,
                           rate_ratio=0.20883251163004132, theta=19.0017967430213, random_sd=0.3,
                           missing_scan_prob=0.3)
    totals = period_totals(read_analysis_data(write_synthetic_folder(tmp_path, trial), protocol), protocol)
    fit = fit_crossover(totals, protocol)
    assert fit.converged_ and fit.sd_boundary_ and fit.poisson_boundary_
    design = _design(totals, protocol, treatment=True, period=True)
    poisson = sm.GLM(totals["gel_total"].to_numpy(float), design, family=sm.families.Poisson(),
                     offset=np.log(totals["n_scans"].to_numpy(float))).fit(tol=1e-12)
    np.testing.assert_allclose(fit.params_.to_numpy(), np.asarray(poisson.params), rtol=1e-5, atol=1e-7)
    np.testing.assert_allclose(fit.bse_.to_numpy(), np.asarray(poisson.bse), rtol=1e-5)
