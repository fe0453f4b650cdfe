"""The analyses' single-trial NB2 models on data frames: the NumPy engine on a batch of one.

- :class:`NegativeBinomialMixedModel`: a random intercept per group, by Laplace maximum likelihood, as
  ``glmmTMB(y ~ x + offset(o) + (1 | id), family = nbinom2)``; ``theta_`` is ``sigma(fit)`` there and
  ``random_intercept_sd_`` the SD in ``VarCorr(fit)``. Wald SEs from the inverse of the exact Hessian at the
  optimum, like TMB's ``sdreport`` (the fixed-effect block of the joint covariance of all parameters).
- :class:`NegativeBinomialRegression`: theta by maximum likelihood, as ``MASS::glm.nb``, whose SEs are those of
  the GLM with theta fixed at its estimate (``(X'WX)^-1``, ``W = mu / (1 + mu / theta)``); ``se_theta_`` is
  glm.nb's ``SE.theta`` (observed information of theta at the fitted means, as ``MASS::theta.ml``).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from scipy import special

from mescams.stats.nb2.data import NB2Data, check_count_design
from mescams.stats.nb2.engines import fit
from mescams.stats.nb2.result import NB2Fit
from mescams.stats.results import FittedModel, finite_or_none, wald_table

__all__ = ["NegativeBinomialMixedModel", "NegativeBinomialRegression"]


class _NB2Model(FittedModel):
    """Shared: the data check, the fit of a batch of one, the failure messages, the effect table."""

    def __init__(self, name: str | None = None, *, strict: bool = False) -> None:
        self.name = name or self.name
        self.strict = strict

    def _fit(self, y: Any, design: pd.DataFrame, groups: Any | None, offset: Any | None) -> NB2Fit | None:
        y_arr = np.asarray(y, dtype=float)
        off = np.zeros_like(y_arr) if offset is None else np.asarray(offset, dtype=float)
        self.terms_ = list(design.columns)
        self.n_obs_ = len(y_arr)
        self.data_ = {"y": y_arr, "design": design, "offset": off}  # the data used
        if groups is not None:
            self.data_["groups"] = np.asarray(groups)
        self.converged_ = False
        problem = check_count_design(y_arr, design)
        if problem:
            self._fail(problem, strict=self.strict)
            return None
        data, self.labels_ = NB2Data.one_trial(y_arr, design.to_numpy(dtype=float), off, groups)
        result = fit(data).trial(0)
        self.iterations_ = int(result.iterations[0])
        self.max_gradient_ = float(result.max_gradient[0])
        self.loglik_ = float(result.loglik[0])
        self.poisson_boundary_ = bool(result.theta_boundary[0])
        if not result.converged[0]:
            why = ("the Hessian at the optimum is not positive definite" if np.isnan(result.covariance[0]).all()
                   else f"the optimiser did not converge in {self.iterations_} iterations")
            self._fail(why, strict=self.strict)
            return None
        self.params_ = pd.Series(result.beta[0], index=self.terms_)
        self.bse_ = pd.Series(result.se[0], index=self.terms_)
        self.theta_ = float(result.theta[0])
        self.summary_ = wald_table(self.terms_, result.beta[0], result.se[0])
        self.converged_ = True
        return result

    def _effect_with(self, term: str, middle: dict[str, Any], last: dict[str, Any]) -> dict[str, Any]:
        """The effect of ``term``, theta, ``middle``, the convergence bookkeeping, ``last`` (the contract's order)."""
        out: dict[str, Any] = self._effect(term)
        out.update(theta=finite_or_none(self.theta_) if self.converged_ else None, **middle,
                   converged=self.converged_, message=self.message_, **last)
        return out


class NegativeBinomialMixedModel(_NB2Model):
    """NB2 GLMM with a random intercept per group; ``fit(y, design, groups, offset)`` returns self.

    Attributes after fitting: ``data_``, ``params_`` (beta), ``bse_``, ``theta_``, ``random_intercept_sd_``,
    ``covariance_`` (all parameters, those on a limit held known), ``boundary_`` (``sd_boundary_``: SD = 0;
    ``poisson_boundary_``: theta = infinity), ``loglik_``, ``random_effects_`` (conditional modes), ``n_groups_``,
    ``n_obs_``, ``iterations_``, ``max_gradient_``, ``summary_``, ``converged_``, ``message_``.
    """

    name = "NB2 mixed model"

    def fit(self, y: Any, design: pd.DataFrame, groups: Any, offset: Any | None = None) -> NegativeBinomialMixedModel:
        self.n_groups_ = len(np.unique(np.asarray(groups)))
        result = self._fit(y, design, groups, offset)
        if result is None:
            return self
        self.sd_boundary_ = bool(result.sd_boundary[0])
        self.boundary_ = self.sd_boundary_ or self.poisson_boundary_
        self.covariance_ = result.covariance[0]
        self.random_intercept_sd_ = float(result.random_intercept_sd[0])
        self.random_effects_ = pd.Series(result.random_effects[0], index=self.labels_)
        notes = ["the random-intercept SD is estimated at its boundary, 0"] if self.sd_boundary_ else []
        if self.poisson_boundary_:
            notes.append("theta is estimated at its boundary, infinity (no overdispersion: Poisson limit)")
        self.message_ = "; ".join(["converged", *notes])
        return self

    def _diagnostics(self) -> dict[str, Any]:
        out = super()._diagnostics()
        out.update(n_obs=getattr(self, "n_obs_", None), n_groups=getattr(self, "n_groups_", None))
        if self.converged_:
            out.update(theta=round(self.theta_, 5), random_intercept_sd=round(self.random_intercept_sd_, 5),
                       loglik=round(self.loglik_, 4), iterations=self.iterations_,
                       max_gradient=f"{self.max_gradient_:.1e}")
        return out

    def to_dict(self, term: str) -> dict[str, Any]:
        """The effect of ``term`` on the rate-ratio scale, theta, the random-intercept SD, bookkeeping."""
        sd = finite_or_none(self.random_intercept_sd_) if self.converged_ else None
        return self._effect_with(term, {"random_intercept_sd": sd}, {
            "n_participants": getattr(self, "n_groups_", None), "n_periods": getattr(self, "n_obs_", None)})


class NegativeBinomialRegression(_NB2Model):
    """NB2 regression with ML theta (``glm.nb``); ``fit(y, design, offset)`` returns self.

    Attributes after fitting: ``data_``, ``params_``, ``bse_``, ``theta_``, ``se_theta_``, ``loglik_``,
    ``fitted_``, ``n_obs_``, ``summary_`` (Wald table), ``converged_``, ``message_``.
    """

    name = "NB2 regression"

    def fit(self, y: Any, design: pd.DataFrame, offset: Any | None = None) -> NegativeBinomialRegression:
        result = self._fit(y, design, None, offset)
        if result is None:
            return self
        y_arr, theta = self.data_["y"], self.theta_
        mu = self.fitted_ = np.exp(design.to_numpy(dtype=float) @ result.beta[0] + self.data_["offset"])
        info = (np.sum(special.polygamma(1, theta) - special.polygamma(1, theta + y_arr) - 1.0 / theta
                       + 2.0 / (mu + theta) - (y_arr + theta) / (mu + theta) ** 2)
                if np.isfinite(theta) else float("nan"))
        self.se_theta_ = float(1.0 / np.sqrt(info)) if info > 0 else float("nan")
        self.message_ = ("converged; theta is estimated at its boundary, infinity (no overdispersion: the Poisson "
                         "fit)" if self.poisson_boundary_ else "converged")
        return self

    def _diagnostics(self) -> dict[str, Any]:
        out = super()._diagnostics()
        out["n_obs"] = getattr(self, "n_obs_", None)
        if self.converged_:
            out.update(theta=round(self.theta_, 5), se_theta=round(self.se_theta_, 5), loglik=round(self.loglik_, 4))
        return out

    def to_dict(self, term: str) -> dict[str, Any]:
        """The effect of ``term`` on the rate-ratio scale, theta and the fit's bookkeeping."""
        return self._effect_with(term, {}, {"n_obs": getattr(self, "n_obs_", None)})
