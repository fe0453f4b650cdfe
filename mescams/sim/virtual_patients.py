"""Virtual MS patients: the parameters (a versioned YAML with sources) and the lesion-activity generator.

Why a generative model: the power of the crossover analysis depends on how GEL counts vary between patients,
from scan to scan within a patient, and with dropout and missed scans; a closed formula ignores all of that.

GEL on scan ``s`` of patient ``i`` (all trials and patients at once, arrays ``trials x patients x scans``):

.. math::

    Y_{is} \\sim \\mathrm{Poisson}(\\mu_{c(i)}\\, G_i\\, V_{is}\\, E_{is}),\\quad
    G_i \\sim \\Gamma(1/k, k),\\quad V_{is} = e^{\\tau e_{is} - \\tau^2/2},\\quad
    e_{is} = \\rho_s e_{i,s-1} + \\sqrt{1-\\rho_s^2}\\, z_{is},

with course-specific mean :math:`\\mu_c`, patient gamma heterogeneity (variance ``k``), an AR(1) log-normal
factor whose correlation decays with the weeks between scans (:math:`\\rho_s = \\rho^{\\Delta w/4}`), and the
treatment factor :math:`E_{is}` (the rate ratio while MSC acts, from its onset delay; a fraction of it carried over
into period 2). With :math:`\\tau = 0` a patient's period total is exactly NB with variance :math:`\\mu + k\\mu^2`.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from mescams.core.protocol import Protocol
from mescams.errors import InputValidationError

__all__ = [
    "DEFAULT_PARAMS",
    "GelArrays",
    "ScanDesign",
    "VirtualPatientParams",
    "expected_period_moments",
    "load_params",
    "simulate_gel",
]

DEFAULT_PARAMS = Path(__file__).parent / "params" / "virtual_patients_v1.yaml"
COURSES = ("RRMS", "SPMS", "PPMS")


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class MeanSd(_Model):
    mean: float
    sd: float = Field(ge=0)


class Weight(_Model):
    female_mean: float = Field(gt=0)
    male_mean: float = Field(gt=0)
    sd: float = Field(ge=0)


class LogNormal(_Model):
    median: float = Field(gt=0)
    sdlog: float = Field(ge=0)


class Population(_Model):
    course_mix: dict[str, float]
    female_fraction: float = Field(ge=0, le=1)
    age_years: MeanSd
    weight_kg: Weight
    baseline_edss: dict[str, MeanSd]


class Gel(_Model):
    mean_per_scan: dict[str, float]
    patient_dispersion_k: float = Field(gt=0)
    within_patient_sd: float = Field(ge=0)
    within_patient_ar1_per_4_weeks: float = Field(ge=0, le=1)
    time_trend_per_24_weeks: float = Field(gt=0)


class Lesions(_Model):
    gel_that_are_new_t2: float = Field(ge=0, le=1)
    non_enhancing_new_t2_per_gel_rate: float = Field(ge=0)
    gel_volume_mm3_per_lesion: LogNormal
    black_hole_baseline_mm3: LogNormal
    new_t2_becoming_black_hole: float = Field(ge=0, le=1)
    black_hole_volume_mm3_per_lesion: LogNormal


class Relapses(_Model):
    annual_rate: dict[str, float]
    patient_dispersion_k: float = Field(gt=0)
    fraction_confirmed: float = Field(ge=0, le=1)


class Edss(_Model):
    progression_rate_per_year: dict[str, float]
    relapse_bump_probability: float = Field(ge=0, le=1)
    measurement_noise_probability: float = Field(ge=0, le=1)


class AdverseEvents(_Model):
    background_per_year: dict[str, float]
    infusion_related_probability: float = Field(ge=0, le=1)
    infusion_related_days: tuple[int, int]
    infusion_grade_probabilities: dict[str, float]
    msc_rate_ratio: float = Field(gt=0)
    serious_from_grade: int = Field(ge=1, le=5)
    related_background_probability: float = Field(ge=0, le=1)
    duration_days: LogNormal
    terms: dict[str, list[str]]


class Conduct(_Model):
    dropout_per_period: float = Field(ge=0, le=1)
    missed_scan_probability: float = Field(ge=0, le=1)
    recruitment_days: int = Field(ge=1)


class TreatmentEffect(_Model):
    rate_ratio: float = Field(gt=0)
    onset_delay_weeks: float = Field(ge=0)
    carry_over: float = Field(ge=0, le=1)


class VirtualPatientParams(_Model):
    """The whole parameter file, validated: a bad value fails at load time naming its path."""

    version: int
    population: Population
    gel: Gel
    lesions: Lesions
    relapses: Relapses
    edss: Edss
    adverse_events: AdverseEvents
    conduct: Conduct
    treatment_effect: TreatmentEffect

    def with_changes(self, **sections: dict[str, Any]) -> VirtualPatientParams:
        """A copy with some fields of some sections replaced, e.g. ``gel={"within_patient_sd": 0}``."""
        data = self.model_dump()
        for section, changes in sections.items():
            if section not in data:
                raise InputValidationError(section, "unknown section of the virtual patient parameters")
            if isinstance(data[section], dict):
                data[section].update(changes)
            else:
                data[section] = changes
        return _validate(data, "changes")


def _validate(data: object, source: str) -> VirtualPatientParams:
    try:
        params = VirtualPatientParams.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        loc = ".".join(str(p) for p in first["loc"])
        raise InputValidationError(loc, f"{first['msg']} (in {source})") from None
    for name, mix in (("population.course_mix", params.population.course_mix),
                      ("gel.mean_per_scan", params.gel.mean_per_scan)):
        if set(mix) != set(COURSES):
            raise InputValidationError(name, f"needs exactly the courses {', '.join(COURSES)}")
    if abs(sum(params.population.course_mix.values()) - 1.0) > 1e-9:
        raise InputValidationError("population.course_mix", "fractions must add up to 1")
    return params


def load_params(path: Path | None = None) -> VirtualPatientParams:
    """Read and validate a parameter file (default: the current version shipped with mescams)."""
    path = path or DEFAULT_PARAMS
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise InputValidationError("params", f"cannot read {path}: {exc.strerror}") from None
    return _validate(data, str(path))


@dataclass(frozen=True)
class ScanDesign:
    """The MRI schedule from the protocol: scan weeks, the period of each scan (0 = baseline), infusion weeks."""

    weeks: np.ndarray
    period: np.ndarray
    infusion_weeks: tuple[int, ...]

    @classmethod
    def from_protocol(cls, protocol: Protocol) -> ScanDesign:
        weeks = [v.week for v in protocol.visits if v.week is not None and "mri_gadolinium" in v.activities]
        periods = [protocol.period_of_week(w) or 0 for w in weeks]  # 0: baseline, in no period
        infusions = tuple(p.infusion_week for p in protocol.design.periods)
        return cls(np.array(weeks, dtype=float), np.array(periods, dtype=int), infusions)


@dataclass(frozen=True)
class GelArrays:
    """One batch of simulated trials: arrays (T, N, scans) and per-participant (T, N) attributes."""

    counts: np.ndarray  # GEL per scan (0 where the scan was not done)
    rate: np.ndarray  # the latent rate each count was drawn from
    done: np.ndarray  # scan done
    msc_first: np.ndarray  # (T, N) True for sequence MSC-PLACEBO
    course: np.ndarray  # (T, N) index into COURSES
    dropout_week: np.ndarray  # (T, N) week of dropout, inf if completed
    design: ScanDesign

    def period_totals(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """GEL totals, scans done and MSC indicator per period: three (T, N, 2) arrays for the analysis."""
        n_periods = int(self.design.period.max())
        totals = np.stack([(self.counts * self.done)[..., self.design.period == p].sum(-1)
                           for p in range(1, n_periods + 1)], -1)
        scans = np.stack([self.done[..., self.design.period == p].sum(-1) for p in range(1, n_periods + 1)], -1)
        msc = np.stack([self.msc_first, ~self.msc_first], -1).astype(float)
        return totals.astype(float), scans, msc


def _balanced_sequences(rng: np.random.Generator, n_trials: int, n_part: int) -> np.ndarray:
    """1:1 allocation per trial (a random half, the odd one by coin): True = MSC first."""
    keys = rng.random((n_trials, n_part))
    ranks = keys.argsort(axis=1).argsort(axis=1)
    half = n_part // 2 + (rng.random((n_trials, 1)) < 0.5) * (n_part % 2)
    return ranks < half


def _treatment_factor(design: ScanDesign, msc_first: np.ndarray, rate_ratio: float, onset_delay: float,
                      carry_over: float) -> np.ndarray:
    """Multiplier of the GEL rate per scan: the rate ratio while MSC acts, a carried-over part after it."""
    log_rr = np.log(rate_ratio)
    inf1, inf2 = design.infusion_weeks[0], design.infusion_weeks[1]
    after1 = (design.period == 1) & (design.weeks - inf1 >= onset_delay)
    after2 = (design.period == 2) & (design.weeks - inf2 >= onset_delay)
    in2 = design.period == 2
    first = msc_first[..., None]
    log_e = np.where(first, log_rr * after1 + carry_over * log_rr * in2, log_rr * after2)
    return np.exp(log_e)


def simulate_gel(
    params: VirtualPatientParams,
    design: ScanDesign,
    n_trials: int,
    n_participants: int,
    rng: np.random.Generator,
    *,
    rate_ratio: float | None = None,
    dispersion_k: float | None = None,
    carry_over: float | None = None,
) -> GelArrays:
    """Simulate GEL on every scheduled scan of ``n_trials`` trials of ``n_participants`` each.

    ``rate_ratio``, ``dispersion_k`` (patient gamma variance) and ``carry_over`` override the parameter file.
    """
    te = params.treatment_effect
    rr = te.rate_ratio if rate_ratio is None else rate_ratio
    k = params.gel.patient_dispersion_k if dispersion_k is None else dispersion_k
    carry = te.carry_over if carry_over is None else carry_over
    shape = (n_trials, n_participants)
    n_scans = design.weeks.size

    mix = np.array([params.population.course_mix[c] for c in COURSES])
    course = np.minimum(np.searchsorted(np.cumsum(mix), rng.random(shape), side="right"), len(COURSES) - 1)
    mean = np.array([params.gel.mean_per_scan[c] for c in COURSES])[course]
    msc_first = _balanced_sequences(rng, n_trials, n_participants)
    patient = rng.gamma(1.0 / k, k, shape)

    tau = params.gel.within_patient_sd
    e = np.empty((*shape, n_scans))
    e[..., 0] = rng.standard_normal(shape)
    gaps = np.diff(design.weeks) / 4.0
    rho = params.gel.within_patient_ar1_per_4_weeks ** gaps
    z = rng.standard_normal((*shape, n_scans - 1))
    for s in range(1, n_scans):
        e[..., s] = rho[s - 1] * e[..., s - 1] + np.sqrt(1.0 - rho[s - 1] ** 2) * z[..., s - 1]
    within = np.exp(tau * e - 0.5 * tau * tau)
    trend = params.gel.time_trend_per_24_weeks ** (design.weeks / 24.0)
    effect = _treatment_factor(design, msc_first, rr, te.onset_delay_weeks, carry)
    rate = (mean * patient)[..., None] * within * trend * effect
    counts = rng.poisson(rate)

    cond = params.conduct
    last_week = float(design.weeks.max())
    drop1 = rng.random(shape) < cond.dropout_per_period
    drop2 = rng.random(shape) < cond.dropout_per_period
    inf = design.infusion_weeks
    when = rng.random(shape)
    dropout_week = np.where(drop1, inf[0] + when * (inf[1] - inf[0]),
                            np.where(drop2, inf[1] + when * (last_week - inf[1]), np.inf))
    done = (design.weeks < dropout_week[..., None]) & (rng.random((*shape, n_scans)) >= cond.missed_scan_probability)
    return GelArrays(np.where(done, counts, 0), rate, done, msc_first, course, dropout_week, design)


def expected_period_moments(params: VirtualPatientParams, design: ScanDesign, course: str,
                            period: int = 1) -> tuple[float, float]:
    """Mean and variance of one patient's placebo GEL total over a period's scans (all done), in closed form.

    E[Y] = sum_s mu_s; Var[Y] = sum_s mu_s + sum_{s,t} mu_s mu_t ((1 + k) exp(tau^2 rho_st) - 1), from the
    Poisson-gamma-lognormal mixture: Cov(G V_s, G V_t) = (1 + k) e^{tau^2 rho_st} - 1.
    """
    g = params.gel
    sel = design.period == period
    weeks = design.weeks[sel]
    mu = g.mean_per_scan[course] * g.time_trend_per_24_weeks ** (weeks / 24.0)
    rho = g.within_patient_ar1_per_4_weeks ** (np.abs(weeks[:, None] - weeks[None, :]) / 4.0)
    cov = (1.0 + g.patient_dispersion_k) * np.exp(g.within_patient_sd**2 * rho) - 1.0
    return float(mu.sum()), float(mu.sum() + mu @ cov @ mu)
