"""One negative binomial (NB2) package for the analyses and the simulations: the GLM (``MASS::glm.nb``) and the
random-intercept mixed model by Laplace (glmmTMB ``nbinom2``).

``spec`` (limits, boundaries, tolerances), ``data`` (NB2Data: cells periods x trials x participants, any design),
``likelihood`` (exact gradient and Hessian), ``optimiser`` (damped Newton, boundary rule, restart), the engines
``numpy`` and ``compiled`` (``engines``; ``compiled`` runs the same per trial in Numba), ``result`` (NB2Fit: a
batch, ``trial(i)``), ``models`` (the analyses' single-trial models on data frames). ``fit_crossover_trials``
and ``fit_regression_trials`` are the simulated trials' two analyses.
"""

from __future__ import annotations

from typing import Any

from mescams.stats.nb2.data import NB2Data
from mescams.stats.nb2.engines import ENGINES, fit
from mescams.stats.nb2.result import NB2Fit

__all__ = ["ENGINES", "NB2Data", "NB2Fit", "fit", "fit_crossover_trials", "fit_regression_trials"]


def fit_crossover_trials(gel_total: Any, n_scans: Any, treatment: Any, *, engine: str = "compiled") -> NB2Fit:
    """``y ~ treatment + period + offset(log n_scans) + (1 | participant)`` on every trial of (T, N, 2) arrays;
    ``n_scans`` 0 leaves a period out (a participant with none is absent); treatment 1 is MSC."""
    return fit(NB2Data.crossover_trials(gel_total, n_scans, treatment), engine)


def fit_regression_trials(y: Any, n_scans: Any, treatment: Any, *, engine: str = "compiled") -> NB2Fit:
    """``y ~ treatment + offset(log n_scans)`` (NB2 GLM, theta by ML) on every trial of (T, N) arrays."""
    return fit(NB2Data.regression_trials(y, n_scans, treatment), engine)
