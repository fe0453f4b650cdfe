"""Negative binomial (NB2) regression with theta estimated by maximum likelihood, as ``MASS::glm.nb``.

Model: ``y_i ~ NB2(mu_i, theta)``, ``Var = mu + mu^2 / theta``, ``log mu_i = x_i' beta + offset_i``.

Two steps, for the reason the issue measured: statsmodels' discrete ``NegativeBinomial`` finds the joint
maximum of (beta, alpha = 1/theta) that glm.nb finds, but its standard errors come from the joint information
matrix, while glm.nb's are those of the GLM *with theta fixed at its estimate* (``vcov = (X'WX)^-1`` with
``W = mu / (1 + mu / theta)``). So we take beta and theta from the first and the covariance from statsmodels'
GLM with ``family=NegativeBinomial(alpha=1/theta)`` refitted at that theta. ``se_theta_`` is glm.nb's
``SE.theta`` (observed information of theta at the fitted means, as ``MASS::theta.ml``).

R call for the tests: ``summary(MASS::glm.nb(y ~ x + offset(log(n)), control=glm.control(epsilon=1e-12,
maxit=100)))``.
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
import pandas as pd
from scipy import special

from mescams.stats.results import FittedModel, finite_or_none, wald_table

__all__ = ["NegativeBinomialRegression", "check_count_design"]


def check_count_design(y: np.ndarray, design: pd.DataFrame) -> str | None:
    """Why a count model cannot be estimated on these data, or None.

    Loud checks before fitting (never a silent number): counts are whole and >= 0, there is at least one
    event, the design has full rank, and no 0/1 column separates the data (all counts zero on one side, where
    the maximum likelihood estimate of its coefficient is minus infinity).
    """
    if len(y) == 0:
        return "no observations"
    if np.any(y < 0) or np.any(np.abs(y - np.round(y)) > 0):
        return "counts must be whole numbers >= 0"
    if y.sum() == 0:
        return "every count is zero: rates cannot be estimated"
    matrix = design.to_numpy(dtype=float)
    if np.linalg.matrix_rank(matrix) < matrix.shape[1]:
        return f"the design ({', '.join(design.columns)}) is not of full rank"
    for column in design.columns:
        values = design[column].to_numpy(dtype=float)
        if set(np.unique(values)) <= {0.0, 1.0} and 0 < values.sum() < len(values):
            for side in (0.0, 1.0):
                if y[values == side].sum() == 0:
                    return f"all counts are zero where {column} = {side:g}: its rate ratio is not estimable"
    return None


ALPHA_BOUNDARY = 1e-7  # alpha = 1/theta below this: theta is on its boundary (infinity), the fit is Poisson


def _profile_alpha(y: np.ndarray, exog: np.ndarray, offset: np.ndarray) -> float:
    """ML of alpha = 1/theta by maximising the profile log-likelihood over log alpha in [-20, 5].

    The fallback when the joint Newton fit fails, which happens when the maximum is at alpha = 0 (no
    overdispersion); returns 0.0 there.
    """
    import statsmodels.api as sm
    from scipy import optimize

    def negative_profile(log_alpha: float) -> float:
        alpha = float(np.exp(log_alpha))
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            fit = sm.GLM(y, exog, family=sm.families.NegativeBinomial(alpha=alpha), offset=offset).fit(tol=1e-12)
        mu = np.asarray(fit.mu)
        theta = 1.0 / alpha
        loglik = (special.gammaln(y + theta) - special.gammaln(theta) - special.gammaln(y + 1)
                  + theta * np.log(theta / (mu + theta)) + special.xlogy(y, mu / (mu + theta)))
        return -float(np.sum(loglik))

    best = optimize.minimize_scalar(negative_profile, bounds=(-20.0, 5.0), method="bounded",
                                    options={"xatol": 1e-10})
    return 0.0 if best.x < -15.0 else float(np.exp(best.x))


class NegativeBinomialRegression(FittedModel):
    """NB2 regression with ML theta (``glm.nb``); ``fit(y, design, offset)`` returns self.

    Attributes after fitting: ``data_`` (the data used), ``params_``, ``bse_``, ``theta_``, ``se_theta_``,
    ``loglik_``, ``n_obs_``, ``summary_`` (Wald table), ``converged_``, ``message_``.
    """

    def __init__(self, name: str = "NB2 regression", *, strict: bool = False) -> None:
        self.name = name
        self.strict = strict

    def fit(self, y: Any, design: pd.DataFrame, offset: Any | None = None) -> NegativeBinomialRegression:
        import statsmodels.api as sm

        y_arr = np.asarray(y, dtype=float)
        off = np.zeros_like(y_arr) if offset is None else np.asarray(offset, dtype=float)
        self.n_obs_ = len(y_arr)
        self.terms_ = list(design.columns)
        self.data_ = {"y": y_arr, "design": design, "offset": off}  # the data used
        self.converged_ = False
        problem = check_count_design(y_arr, design)
        if problem:
            self._fail(problem, strict=self.strict)
            return self
        exog = design.to_numpy(dtype=float)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            poisson = sm.GLM(y_arr, exog, family=sm.families.Poisson(), offset=off).fit(tol=1e-10)
            nb = sm.NegativeBinomial(y_arr, exog, offset=off, loglike_method="nb2")
            start = np.append(poisson.params, 0.5)
            joint = nb.fit(start_params=start, method="newton", maxiter=300, tol=1e-14, disp=0)
            if not joint.mle_retvals.get("converged", False):
                joint = nb.fit(start_params=start, method="bfgs", maxiter=2000, gtol=1e-10, disp=0)
        alpha = float(joint.params[-1]) if joint.mle_retvals.get("converged", False) else float("nan")
        if not np.isfinite(alpha) or alpha < ALPHA_BOUNDARY:
            alpha = _profile_alpha(y_arr, exog, off)
        self.poisson_boundary_ = alpha < ALPHA_BOUNDARY
        if self.poisson_boundary_:  # ML of theta is infinity: the NB2 fit is the Poisson fit
            glm, theta = poisson, float("inf")
        else:
            theta = 1.0 / alpha
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                glm = sm.GLM(y_arr, exog, family=sm.families.NegativeBinomial(alpha=alpha), offset=off).fit(
                    start_params=poisson.params, tol=1e-11, maxiter=200)
        if not glm.converged:
            self._fail("the GLM at fixed theta did not converge", strict=self.strict)
            return self
        mu = np.asarray(glm.mu)
        info_theta = float("nan")
        if not self.poisson_boundary_:
            info_theta = np.sum(special.polygamma(1, theta) - special.polygamma(1, theta + y_arr) - 1.0 / theta
                                + 2.0 / (mu + theta) - (y_arr + theta) / (mu + theta) ** 2)
        self.params_ = pd.Series(np.asarray(glm.params), index=self.terms_)
        self.bse_ = pd.Series(np.asarray(glm.bse), index=self.terms_)
        self.theta_ = theta
        self.se_theta_ = float(1.0 / np.sqrt(info_theta)) if info_theta > 0 else float("nan")
        self.loglik_ = float(glm.llf)
        self.fitted_ = mu
        self.summary_ = wald_table(self.terms_, self.params_.to_numpy(), self.bse_.to_numpy())
        self.converged_ = True
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
        out: dict[str, Any] = self._effect(term)
        out.update(
            theta=finite_or_none(self.theta_) if self.converged_ else None,
            converged=self.converged_,
            message=self.message_,
            n_obs=getattr(self, "n_obs_", None),
        )
        return out
