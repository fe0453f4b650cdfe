"""A small seeded generator of analysis-data folders, for tests, the benchmark and demonstrations.

It is not the virtual-patient model (that lives in ``mescams.sim``): it draws data with known, simple structure
so the statistics can be checked against R on many shapes of data - few or many participants, missing scans,
a zero-heavy arm, very high dispersion, a null or a strong effect. The lesion counts follow the analysis model
itself: per scan, NB2 with mean ``exp(log_rate + b_i + log(rr) * MSC + period_effect)``, ``b_i ~ N(0, sd^2)``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from mescams.stats.analysis_folder import write_analysis_folder

__all__ = ["SyntheticTrial", "write_synthetic_folder"]

PERIOD_WEEKS = {1: (4, 12, 24), 2: (28, 36, 48)}
EDSS_WEEKS = (0, 4, 12, 24, 28, 36, 48)


@dataclass(frozen=True)
class SyntheticTrial:
    """The knobs of a generated trial; every draw comes from ``numpy.random.default_rng(seed)``."""

    seed: int = 1
    n_participants: int = 31
    rate_per_scan: float = 1.5
    rate_ratio: float = 0.5
    period2_ratio: float = 0.9
    theta: float = 1.0
    random_sd: float = 0.8
    missing_scan_prob: float = 0.0
    dropout_prob: float = 0.0
    msc_zero_prob: float = 0.0  # extra zeros in MSC periods: a zero-heavy arm
    progression_rate: float = 0.15


def _nb(rng: np.random.Generator, mean: float, theta: float) -> int:
    return int(rng.poisson(rng.gamma(theta, mean / theta))) if mean > 0 else 0


def write_synthetic_folder(folder: Path | str, trial: SyntheticTrial | None = None) -> Path:
    """Write the five contract CSV files of one generated trial into ``folder`` (created if needed; files of the
    same names replaced) through the folder's one writer (:mod:`mescams.stats.analysis_folder`)."""
    trial = trial or SyntheticTrial()
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(trial.seed)
    people, scans, events, relapses, edss = [], [], [], [], []
    start = dt.date(2015, 6, 1)
    for i in range(trial.n_participants):
        pid = f"P{i + 1:03d}"
        sequence = "MSC-PLACEBO" if i % 2 == 0 else "PLACEBO-MSC"
        treatments = sequence.split("-")
        randomised = start + dt.timedelta(days=int(rng.integers(0, 700)))
        infusion1 = randomised
        dropped = rng.random() < trial.dropout_prob
        infusion2 = None if dropped else infusion1 + dt.timedelta(weeks=24)
        baseline_edss = float(rng.choice([0.0, *np.arange(1.0, 7.0, 0.5)]))  # EDSS has no 0.5 step
        people.append([pid, "OTT" if rng.random() < 0.6 else "WPG", sequence, str(rng.choice(["F", "M"])),
                       int(rng.integers(18, 51)), str(rng.choice(["RRMS", "SPMS", "PPMS"], p=[0.5, 0.35, 0.15])),
                       baseline_edss, round(float(rng.normal(72, 14)), 1), randomised.isoformat(),
                       infusion1.isoformat(), infusion2.isoformat() if infusion2 else None])
        b = rng.normal(0.0, trial.random_sd)
        scan_weeks = [0, *PERIOD_WEEKS[1], *(PERIOD_WEEKS[2] if not dropped else ())]
        for week in scan_weeks:
            if week > 0 and rng.random() < trial.missing_scan_prob:
                continue
            period = 0 if week == 0 else (1 if week <= 24 else 2)
            treatment = treatments[period - 1] if period else None
            mean = trial.rate_per_scan * np.exp(b)
            if treatment == "MSC":
                mean *= trial.rate_ratio
            if period == 2:
                mean *= trial.period2_ratio
            gel = 0 if treatment == "MSC" and rng.random() < trial.msc_zero_prob else _nb(rng, mean, trial.theta)
            t2 = _nb(rng, mean * 0.8, trial.theta)
            volume = round(float(sum(rng.gamma(2.0, 60.0) for _ in range(gel))), 1)
            scan_day = infusion1 + dt.timedelta(weeks=week, days=int(rng.integers(-3, 4)) if week else 0)
            scans.append([pid, week, scan_day.isoformat(), gel, t2, gel + t2 - min(gel, t2) // 2,
                          volume, round(float(rng.gamma(2.0, 400.0)), 1)])
        for k in range(int(rng.poisson(2.0))):
            onset = infusion1 + dt.timedelta(days=int(rng.integers(-20, 340 if not dropped else 160)))
            grade = int(rng.choice([1, 2, 3, 4, 5], p=[0.55, 0.3, 0.1, 0.04, 0.01]))
            ongoing = rng.random() < 0.1
            events.append([pid, f"AE{k + 1}", str(rng.choice(["Headache", "Fatigue", "Fever", "Nausea",
                                                              "Infusion reaction", "Urinary tract infection"])),
                           onset.isoformat(), None if ongoing else (onset + dt.timedelta(days=int(rng.integers(
                               0, 30)))).isoformat(), grade, "true" if grade >= 3 else "false",
                           "true" if rng.random() < 0.3 else "false"])
        for _ in range(int(rng.poisson(0.4 if not dropped else 0.2))):
            onset = infusion1 + dt.timedelta(days=int(rng.integers(1, 336 if not dropped else 168)))
            relapses.append([pid, onset.isoformat(), "true" if rng.random() < 0.8 else "false"])
        score = baseline_edss
        for week in EDSS_WEEKS if not dropped else EDSS_WEEKS[:4]:
            if week and rng.random() < trial.progression_rate:
                score = min(9.5, score + float(rng.choice([0.5, 1.0, 1.5])))
                score = 1.0 if score == 0.5 else score
            elif week and rng.random() < 0.1:
                score = 0.0 if score <= 1.0 else score - 0.5
            edss.append([pid, week, (infusion1 + dt.timedelta(weeks=week)).isoformat(), score])
    write_analysis_folder({"participants.csv": people, "mri.csv": scans, "adverse_events.csv": events,
                           "relapses.csv": relapses, "edss.csv": edss}, folder, overwrite=True)
    return folder
