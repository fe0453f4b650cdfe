"""What every fitted model shares: the Wald coefficient table, the fitted-model base, convergence handling.

Each model follows one shape (lifelines style): ``Model(...).fit(data)`` returns the model, fitted quantities
end in ``_``, ``summary`` is a pandas table, ``print_summary()`` prints it, ``to_dict()`` gives plain JSON-able
numbers. A fit that did not converge keeps ``converged_ = False`` and a ``message_``; ``to_dict()`` then gives
``None`` for every estimate, so no number that was not estimated can reach a report.
"""

from __future__ import annotations

import math
import warnings
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray
from scipy import special, stats

from mescams.errors import ConvergenceError

__all__ = ["Z_95", "ConvergenceWarning", "FittedModel", "NotFittedError", "finite_or_none", "wald_table"]

Z_95 = float(stats.norm.ppf(0.975))


class ConvergenceWarning(RuntimeWarning):
    """A fit stopped without meeting its convergence criteria; its estimates are withheld."""


class NotFittedError(ConvergenceError):
    """An estimate was asked of a model that has no converged fit."""


def wald_table(names: list[str], coef: NDArray[np.float64], se: NDArray[np.float64]) -> pd.DataFrame:
    """Coefficients with Wald z, two-sided normal p, 95 % CI, and the exponentiated (rate/hazard ratio) scale.

    ``p = 2 * Phi(-|coef / se|)``; ``CI = coef -/+ z_{0.975} * se``, as R's ``summary`` and ``confint.default``.
    """
    coef = np.asarray(coef, dtype=float)
    se = np.asarray(se, dtype=float)
    z = coef / se
    low, high = coef - Z_95 * se, coef + Z_95 * se
    columns = {"coef": coef, "se": se, "z": z, "p": 2.0 * special.ndtr(-np.abs(z)), "ci_low": low, "ci_high": high,
               "exp(coef)": np.exp(coef), "exp(ci_low)": np.exp(low), "exp(ci_high)": np.exp(high)}
    return pd.DataFrame(columns, index=pd.Index(names, name="term"))


def finite_or_none(value: Any) -> float | None:
    """A plain float for JSON, or None when the number is missing or not finite."""
    if value is None:
        return None
    number = float(value)
    return number if math.isfinite(number) else None


class FittedModel:
    """Base of the models: convergence bookkeeping, summary printing, guarded access to estimates."""

    name = "model"
    converged_: bool = False
    message_: str = "not fitted"
    summary_: pd.DataFrame | None = None

    def _fail(self, message: str, *, strict: bool) -> None:
        self.converged_ = False
        self.message_ = message
        if strict:
            raise ConvergenceError(f"{self.name}: {message}")
        warnings.warn(f"{self.name}: {message}", ConvergenceWarning, stacklevel=3)

    @property
    def summary(self) -> pd.DataFrame:
        """The coefficient table (raises when the fit did not converge)."""
        if not self.converged_ or self.summary_ is None:
            raise NotFittedError(f"{self.name}: no estimates ({self.message_})")
        return self.summary_

    def print_summary(self, decimals: int = 4) -> None:
        """Print the model, its fit diagnostics and the coefficient table."""
        print(f"<{type(self).__name__}: {self.name}>")
        for key, value in self._diagnostics().items():
            print(f"  {key}: {value}")
        if self.converged_ and self.summary_ is not None:
            with pd.option_context("display.width", 160, "display.max_columns", 20):
                print(self.summary_.round(decimals).to_string())
        else:
            print(f"  NOT CONVERGED: {self.message_}; no estimates are reported")

    def _diagnostics(self) -> dict[str, Any]:
        return {"converged": self.converged_, "message": self.message_}

    def _effect(self, term: str) -> dict[str, float | None]:
        """Rate-ratio style keys for one coefficient; None everywhere when not converged."""
        if not self.converged_ or self.summary_ is None:
            return {"rate_ratio": None, "ci_low": None, "ci_high": None, "p_value": None,
                    "log_rate_ratio": None, "se": None}
        row = self.summary_.loc[term]
        return {
            "rate_ratio": finite_or_none(row["exp(coef)"]),
            "ci_low": finite_or_none(row["exp(ci_low)"]),
            "ci_high": finite_or_none(row["exp(ci_high)"]),
            "p_value": finite_or_none(row["p"]),
            "log_rate_ratio": finite_or_none(row["coef"]),
            "se": finite_or_none(row["se"]),
        }
