"""Operating characteristics against published and exact references, and reproducibility across workers."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.stats import norm

from mescams.sim.power import GridCell, chunk_tasks, run_grid


def zhu_lakkis_n_per_arm(mu0: float, rate_ratio: float, k: float, alpha: float = 0.05, power: float = 0.8) -> int:
    """Zhu & Lakkis (Stat Med 2014;33:376-87), as in gsDesignNB: variance mu + k mu^2, Wald test of log RR.

    n = (z_{a/2} + z_b)^2 [(1/mu0 + k) + (1/mu1 + k)] / ln(RR)^2, rounded up.
    """
    mu1 = mu0 * rate_ratio
    z = norm.ppf(1 - alpha / 2) + norm.ppf(power)
    return int(np.ceil(z**2 * ((1 / mu0 + k) + (1 / mu1 + k)) / np.log(rate_ratio) ** 2))


@pytest.fixture(scope="module")
def nb_params(vp_params):  # type: ignore[no-untyped-def]
    """Every patient RRMS with 1 GEL per scan (3 over a period), gamma heterogeneity only, no losses:
    a period-1 total is then exactly NB with mean 3 and variance 3 + 9k."""
    return vp_params.with_changes(
        population={"course_mix": {"RRMS": 1.0, "SPMS": 0.0, "PPMS": 0.0}},
        gel={"mean_per_scan": {"RRMS": 1.0, "SPMS": 1.0, "PPMS": 1.0}, "within_patient_sd": 0.0},
        conduct={"dropout_per_period": 0.0, "missed_scan_probability": 0.0})


def test_zhu_lakkis_sample_sizes_are_the_published_ones() -> None:
    assert [zhu_lakkis_n_per_arm(3.0, 0.5, k) for k in (1, 2, 3)] == [50, 82, 115]


@pytest.mark.heavy_sim
def test_parallel_period1_power_agrees_with_zhu_lakkis(nb_params, scan_design) -> None:  # type: ignore[no-untyped-def]
    cells = [GridCell(2 * zhu_lakkis_n_per_arm(3.0, 0.5, k), 0.5, float(k)) for k in (1, 2, 3)]
    rows = run_grid(cells, n_trials=2000, seed=20140101, params=nb_params, design=scan_design, workers=2,
                    analyses=("parallel",))
    for row in rows:
        assert row.not_converged == 0
        assert row.rejection_rate == pytest.approx(0.80, abs=0.03), row


@pytest.mark.heavy_sim
def test_type_one_error_of_the_crossover_model_is_nominal(nb_params, scan_design) -> None:  # type: ignore[no-untyped-def]
    """4,000 null trials of the trial's size (31): the Wald test of the NB mixed model rejects 5 % +/- 1.5 %."""
    rows = run_grid([GridCell(31, 1.0, 1.5)], n_trials=4000, seed=7, params=nb_params, design=scan_design,
                    workers=2, analyses=("crossover",))
    (row,) = rows
    assert row.trials == 4000 and row.not_converged < 20
    assert row.rejection_rate == pytest.approx(0.05, abs=0.015)
    assert row.coverage == pytest.approx(0.95, abs=0.015)
    assert abs(row.bias_log_rr) < 0.02


@pytest.mark.heavy_sim
def test_same_seed_same_numbers_on_one_or_many_workers(vp_params, scan_design) -> None:  # type: ignore[no-untyped-def]
    cells = [GridCell(20, 0.6, 1.5), GridCell(31, 1.0, 1.0, 0.5)]
    one = run_grid(cells, n_trials=300, seed=3, params=vp_params, design=scan_design, chunk_size=100, workers=1)
    many = run_grid(cells, n_trials=300, seed=3, params=vp_params, design=scan_design, chunk_size=100, workers=3)
    # Counts are identical; averages agree to rounding (NumPy's SIMD sums may pair terms differently when a
    # thread's arrays sit at differently aligned addresses).
    for a, b in zip(one, many, strict=True):
        assert (a.trials, a.not_converged, a.rejection_rate) == (b.trials, b.not_converged, b.rejection_rate)
        for name in ("bias_log_rr", "coverage", "median_rate_ratio"):
            assert getattr(a, name) == pytest.approx(getattr(b, name), rel=1e-9, abs=1e-12)
    other = run_grid(cells, n_trials=300, seed=4, params=vp_params, design=scan_design, chunk_size=100, workers=1)
    assert [r.as_dict() for r in one] != [r.as_dict() for r in other]


def test_chunks_cover_every_trial_once_with_distinct_seeds() -> None:
    tasks = chunk_tasks([GridCell(31, 0.6, 1.5), GridCell(40, 0.6, 1.5)], n_trials=250, seed=1, chunk_size=100)
    assert [t.n_trials for t in tasks] == [100, 100, 50, 100, 100, 50]
    states = {tuple(t.seed.generate_state(4)) for t in tasks}
    assert len(states) == len(tasks)


@pytest.mark.heavy_sim
def test_carry_over_biases_the_crossover_estimate_towards_one(vp_params, scan_design) -> None:  # type: ignore[no-untyped-def]
    none, half = run_grid([GridCell(60, 0.5, 1.5, 0.0), GridCell(60, 0.5, 1.5, 1.0)], n_trials=400, seed=9,
                          params=vp_params, design=scan_design, workers=2, analyses=("crossover",))
    assert abs(none.bias_log_rr) < 0.05
    assert half.bias_log_rr > 0.2  # a persisting MSC effect makes period-2 placebo look like MSC
