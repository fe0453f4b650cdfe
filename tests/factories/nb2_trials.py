"""Builders of NB2 test data (unit and integration): crossover trials drawn from the mixed model itself, and one
long-format trial."""

from __future__ import annotations

import numpy as np

from mescams.stats.nb2 import NB2Data


def model_trials(n_trials: int, *, seed: int, n_part: int = 31, rate_ratio: float = 0.6, theta: float = 2.0,
                 sigma: float = 0.8, mean_per_scan: float = 1.0, missing: float = 0.05
                 ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Crossover trials from the NB2 mixed model: log-normal random intercept, NB2 period totals, missing scans.

    Returns (gel_total, n_scans, msc) with shape (T, N, 2); about ``missing`` of the periods lose a scan and a
    few lose all three (the period is then absent).
    """
    rng = np.random.default_rng(seed)
    msc_first = np.zeros((n_trials, n_part), dtype=bool)
    msc_first[:, : n_part // 2] = True
    msc = np.stack([msc_first, ~msc_first], -1).astype(float)
    n_scans = 3 - rng.binomial(3, missing, (n_trials, n_part, 2))
    b = rng.normal(0.0, sigma, (n_trials, n_part, 1))
    mu = mean_per_scan * n_scans * np.exp(b + np.log(rate_ratio) * msc + np.array([0.0, 0.1]))
    y = rng.poisson(mu * rng.gamma(theta, 1.0 / theta, mu.shape))
    return np.where(n_scans > 0, y, 0).astype(float), n_scans, msc


def long_trial(seed: int, n_groups: int = 25, *, random_intercept: bool = True) -> NB2Data:
    """One trial in long rows with 1 to 3 rows per group and two covariates (a design no engine special-cases)."""
    rng = np.random.default_rng(seed)
    sizes = rng.integers(1, 4, n_groups)
    groups = np.repeat(np.arange(n_groups), sizes)
    design = np.column_stack([np.ones(len(groups)), rng.integers(0, 2, len(groups)), rng.normal(0, 0.5, len(groups))])
    offset = np.log(rng.integers(1, 4, len(groups)).astype(float))
    b = rng.normal(0, 0.6, n_groups)[groups]
    y = rng.poisson(rng.gamma(2.0, 0.5, len(groups)) * np.exp(0.5 + design[:, 1:] @ [-0.4, 0.3] + offset + b))
    return NB2Data.one_trial(y.astype(float), design, offset, groups if random_intercept else None)[0]
