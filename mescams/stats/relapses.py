"""Relapses per period by treatment (outcome O6): Poisson rate ratio with exposure offset.

``relapses ~ treatment + period + offset(log(exposure years))``, Poisson GLM (statsmodels; R ``glm(...,
family = poisson)``) with participant-clustered (sandwich) standard errors, because each participant
contributes two periods. Relapses are rare, so a negative binomial theta is rarely estimable; a
treatment with no relapse at all makes the rate ratio not estimable, and the result says so.
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
import pandas as pd

from mescams.core.protocol import Protocol
from mescams.stats.crossover import active_and_placebo
from mescams.stats.nb2.data import check_count_design
from mescams.stats.results import FittedModel, wald_table

__all__ = ["RelapseRates"]

DAYS_PER_YEAR = 365.25


class RelapseRates(FittedModel):
    """Annualised relapse rates per treatment and the Poisson rate ratio; ``fit(counts)`` returns self."""

    def __init__(self, protocol: Protocol) -> None:
        self.protocol = protocol
        self.name = "relapses: Poisson rate ratio"

    def fit(self, counts: pd.DataFrame) -> RelapseRates:
        import statsmodels.api as sm

        active, _ = active_and_placebo(self.protocol)
        self.data_ = counts
        years = counts["exposure_days"] / DAYS_PER_YEAR
        by = counts.assign(years=years).groupby("treatment")[["relapses", "years"]].sum()
        self.rates_ = {t: {"relapses": int(r.relapses), "years": float(r.years),
                           "annualised_rate": float(r.relapses / r.years) if r.years else None}
                       for t, r in by.iterrows()}
        by_period = counts.assign(years=years).groupby(["period", "treatment"])[["relapses", "years"]].sum()
        self.rates_by_period_ = [{"period": int(period), "treatment": treatment, "relapses": int(r.relapses),
                                  "years": float(r.years),
                                  "annualised_rate": float(r.relapses / r.years) if r.years else None}
                                 for (period, treatment), r in by_period.iterrows()]
        design = pd.DataFrame({"(Intercept)": 1.0,
                               f"treatment{active}": (counts["treatment"] == active).astype(float),
                               "period2": (counts["period"] == self.protocol.design.periods[-1].number
                                           ).astype(float)}, index=counts.index)
        design = design.loc[:, (design.nunique() > 1) | (design.columns == "(Intercept)")]
        problem = check_count_design(counts["relapses"].to_numpy(dtype=float), design)
        if problem:
            self._fail(problem, strict=False)
            return self
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            fit = sm.GLM(counts["relapses"].to_numpy(dtype=float), design, family=sm.families.Poisson(),
                         offset=np.log(years.to_numpy())).fit(
                cov_type="cluster", cov_kwds={"groups": pd.factorize(counts["participant_id"])[0]})
        self.summary_ = wald_table(list(design.columns), np.asarray(fit.params), np.asarray(fit.bse))
        self.term_ = f"treatment{active}"
        self.converged_ = bool(fit.converged)
        self.message_ = "converged" if self.converged_ else "Poisson GLM did not converge"
        return self

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = self._effect(getattr(self, "term_", "treatment"))
        out.update(rates=self.rates_, rates_by_period=self.rates_by_period_, converged=self.converged_,
                   message=self.message_)
        return out
