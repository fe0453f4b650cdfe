"""Data generators shared by the sim tests: trials drawn from the analysis model itself."""

from __future__ import annotations

import numpy as np
import pytest

from mescams.protocols import default_protocol
from mescams.sim.virtual_patients import ScanDesign, load_params


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
    period = np.array([0.0, 0.1])
    mu = mean_per_scan * n_scans * np.exp(b + np.log(rate_ratio) * msc + period)
    y = rng.poisson(mu * rng.gamma(theta, 1.0 / theta, mu.shape))
    return np.where(n_scans > 0, y, 0).astype(float), n_scans, msc


@pytest.fixture(scope="session")
def vp_params():  # type: ignore[no-untyped-def]
    return load_params()


@pytest.fixture(scope="session")
def scan_design() -> ScanDesign:
    return ScanDesign.from_protocol(default_protocol())
