"""Calibration of the virtual patient model: simulated cohorts reproduce the model's own parameters."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from mescams.errors import InputValidationError
from mescams.protocols import default_protocol
from mescams.sim.clinical_course import WEEKS_PER_YEAR, relapse_weeks
from mescams.sim.virtual_patients import ScanDesign, expected_period_moments, load_params, simulate_gel


def test_scan_design_comes_from_the_protocol(scan_design: ScanDesign) -> None:
    assert scan_design.weeks.tolist() == [0, 4, 12, 24, 28, 36, 48]
    assert scan_design.period.tolist() == [0, 1, 1, 1, 2, 2, 2]
    assert scan_design.infusion_weeks == (0, 24)


@pytest.mark.parametrize("course", ["RRMS", "SPMS"])
def test_period_totals_reproduce_the_model_mean_and_variance(vp_params, scan_design, course: str) -> None:  # type: ignore[no-untyped-def]
    params = vp_params.with_changes(
        population={"course_mix": {c: float(c == course) for c in ("RRMS", "SPMS", "PPMS")}},
        conduct={"dropout_per_period": 0.0, "missed_scan_probability": 0.0})
    gel = simulate_gel(params, scan_design, 40, 500, np.random.default_rng(1), rate_ratio=1.0)
    totals, scans, _ = gel.period_totals()
    y = totals[..., 0].ravel()
    mean, var = expected_period_moments(params, scan_design, course, period=1)
    n = y.size
    # Monte Carlo errors: the mean's SE is sqrt(var / n); the variance's, from the sample fourth moment.
    assert abs(y.mean() - mean) < 4 * np.sqrt(var / n)
    m4 = np.mean((y - y.mean()) ** 4)
    assert abs(y.var() - var) < 4 * np.sqrt((m4 - var**2) / n)
    assert (scans == 3).all()


def test_gamma_heterogeneity_alone_gives_negative_binomial_totals(vp_params, scan_design) -> None:  # type: ignore[no-untyped-def]
    """With no scan-to-scan noise a period total is NB(mu, k): variance mu + k mu^2 and P(0) = (1 + k mu)^(-1/k)."""
    k = 2.0
    params = vp_params.with_changes(
        population={"course_mix": {"RRMS": 1.0, "SPMS": 0.0, "PPMS": 0.0}}, gel={"within_patient_sd": 0.0},
        conduct={"dropout_per_period": 0.0, "missed_scan_probability": 0.0})
    gel = simulate_gel(params, scan_design, 20, 1000, np.random.default_rng(2), rate_ratio=1.0, dispersion_k=k)
    y = gel.period_totals()[0][..., 0].ravel()
    mu = 3 * params.gel.mean_per_scan["RRMS"]
    p0 = (1 + k * mu) ** (-1 / k)
    assert abs((y == 0).mean() - p0) < 4 * np.sqrt(p0 * (1 - p0) / y.size)
    assert y.var() == pytest.approx(mu + k * mu**2, rel=0.06)


def test_rate_ratio_and_carry_over_act_on_the_right_periods(vp_params, scan_design) -> None:  # type: ignore[no-untyped-def]
    params = vp_params.with_changes(conduct={"dropout_per_period": 0.0, "missed_scan_probability": 0.0})
    gel = simulate_gel(params, scan_design, 200, 200, np.random.default_rng(3), rate_ratio=0.5, carry_over=0.5)
    rate = gel.rate
    first = gel.msc_first
    p1, p2 = scan_design.period == 1, scan_design.period == 2
    # Compare the latent rates of the two sequences period by period (the sequences are randomised).
    r1 = rate[..., p1].sum(-1)
    r2 = rate[..., p2].sum(-1)
    assert r1[first].mean() / r1[~first].mean() == pytest.approx(0.5, rel=0.05)
    assert r2[~first].mean() / r2[first].mean() == pytest.approx(0.5 / 0.5**0.5, rel=0.05)


def test_sequences_are_balanced_within_each_trial(vp_params, scan_design) -> None:  # type: ignore[no-untyped-def]
    gel = simulate_gel(vp_params, scan_design, 50, 31, np.random.default_rng(4))
    per_trial = gel.msc_first.sum(axis=1)
    assert set(per_trial.tolist()) <= {15, 16}


@pytest.mark.heavy_sim
def test_relapse_rate_matches_the_annualised_rate(vp_params) -> None:  # type: ignore[no-untyped-def]
    protocol = default_protocol()
    rng = np.random.default_rng(5)
    params = vp_params.with_changes(relapses={"annual_rate": {"RRMS": 0.8, "SPMS": 0.16, "PPMS": 0.05},
                                              "patient_dispersion_k": 1.0, "fraction_confirmed": 0.85})
    counts = [len(relapse_weeks(params, protocol, rng, course="RRMS", msc_first=False, end_week=48.0,
                                infusion_weeks=(0, 24), rate_ratio=1.0)) for _ in range(3000)]
    expected = 0.8 * 48 / WEEKS_PER_YEAR
    # The protocol's 30-day rule merges a few close onsets, so the observed rate is a little lower.
    mean = np.mean(counts)
    assert expected * 0.9 < mean < expected + 4 * np.std(counts) / np.sqrt(len(counts))


def test_bad_parameter_files_name_the_field(tmp_path: Path, vp_params) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(InputValidationError, match="course_mix"):
        vp_params.with_changes(population={"course_mix": {"RRMS": 0.5, "SPMS": 0.2, "PPMS": 0.1}})
    bad = tmp_path / "bad.yaml"
    bad.write_text(load_params().model_dump_json().replace('"patient_dispersion_k":1.5', '"patient_dispersion_k":-1'))
    with pytest.raises(InputValidationError, match="gel.patient_dispersion_k"):
        load_params(bad)
    with pytest.raises(InputValidationError, match="params"):
        load_params(tmp_path / "missing.yaml")
