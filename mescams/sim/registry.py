"""A synthetic MS registry for pre-screening tests and benchmarks: one Parquet file per table, vectorised.

Tables and columns are those of ``docs/registry.md`` (patients, relapses, mri, edss, therapies, conditions,
allergies, labs). The mix is meant to look like a Canadian MS clinic registry rather than to be exact:
course mix (about 2/3 RRMS), age and onset by course, relapse rates falling from RRMS to PPMS, yearly MRI with
course-dependent gadolinium activity, EDSS histories drifting upwards, sequential disease-modifying therapies with
some ongoing, short steroid courses, uncommon comorbidities and allergies, and safety labs. Some values are left
unknown (null flags, unrecorded lists) at realistic rates, and a small share of dates is placed exactly on the
criteria's window edges relative to ``as_of`` so that boundary handling is exercised at scale.

Everything is drawn with numpy from one seed (same seed, same registry), without a per-patient Python loop, so a
million patients take seconds.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

__all__ = ["RegistryShape", "generate_registry", "write_registry"]

DAY = np.timedelta64(1, "D")
COURSES = np.array(["RRMS", "SPMS", "PPMS", "CIS", "other"])
APPROVED = ["interferon_beta", "glatiramer_acetate", "dimethyl_fumarate", "teriflunomide", "fingolimod",
            "natalizumab", "alemtuzumab", "mitoxantrone"]
OTHER_DMT = ["ocrelizumab", "rituximab", "cladribine", "azathioprine", "methotrexate"]
STEROIDS = ["methylprednisolone", "prednisone", "dexamethasone"]
CONDITION_RATES = {"hiv": 0.002, "hepatitis_b_chronic": 0.004, "hepatitis_c": 0.006, "infection_chronic": 0.01,
                   "infection_active": 0.01, "malignancy": 0.012, "basal_cell_carcinoma": 0.015,
                   "carcinoma_in_situ": 0.006, "myelodysplasia": 0.001, "hematologic_disease": 0.005,
                   "renal_failure": 0.005, "limited_life_expectancy": 0.003, "depression": 0.15, "migraine": 0.1,
                   "asthma": 0.08}
ALLERGY_RATES = {"penicillin": 0.08, "sulfonamide": 0.03, "latex": 0.02, "gentamicin": 0.005,
                 "tobramycin": 0.002, "neomycin": 0.004}
RECORDED_RATES = {"relapses": 0.98, "mri": 0.97, "edss": 0.98, "therapies": 0.97, "conditions": 0.9,
                  "allergies": 0.85, "labs": 0.92}


@dataclass(frozen=True)
class RegistryShape:
    """How big, which seed, and the extraction date the histories lead up to."""

    patients: int
    seed: int = 0
    as_of: dt.date = dt.date(2016, 3, 1)
    sites: tuple[str, ...] = ("OTT", "WPG")


class _Draw:
    def __init__(self, shape: RegistryShape) -> None:
        self.rng = np.random.default_rng(shape.seed)
        self.n = shape.patients
        self.as_of = np.datetime64(shape.as_of.isoformat(), "D")

    def choice(self, values: list[object] | np.ndarray, p: list[float], size: int | None = None) -> np.ndarray:
        return self.rng.choice(np.asarray(values, dtype=object), size=size or self.n, p=p)

    def tri(self, p_true: float, p_false: float, size: int | None = None) -> np.ndarray:
        """True / False / None with the given shares (None for the rest)."""
        return self.choice([True, False, None], [p_true, p_false, 1 - p_true - p_false], size)

    def rows(self, counts: np.ndarray) -> np.ndarray:
        """Patient index of each child row, for ``counts[i]`` rows of patient i."""
        return np.repeat(np.arange(self.n), counts)

    def days_back(self, lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
        """Uniform whole days back from as_of, between lo and hi (inclusive), per row."""
        return np.floor(lo + self.rng.random(len(lo)) * (hi - lo + 1)).astype("int64")

    def edges(self, days: np.ndarray, share: float, offsets: list[int]) -> np.ndarray:
        """Put ``share`` of the rows exactly on one of the window edges (days before as_of)."""
        pick = self.rng.random(len(days)) < share
        days = days.copy()
        days[pick] = self.rng.choice(offsets, size=int(pick.sum()))
        return days


def _dates(as_of: np.datetime64, days_back: np.ndarray) -> np.ndarray:
    return as_of - days_back.astype("int64") * DAY


def _nullable(values: np.ndarray, missing: np.ndarray) -> pa.Array:
    return pa.array(values, mask=missing)


def generate_registry(shape: RegistryShape) -> dict[str, pa.Table]:
    """All eight tables as Arrow tables."""
    d = _Draw(shape)
    n, rng = d.n, d.rng
    ids = np.char.add("R", np.char.zfill(np.arange(1, n + 1).astype(str), 7))
    course = rng.choice(len(COURSES) + 1, size=n, p=[0.64, 0.2, 0.1, 0.04, 0.01, 0.01])
    # np.where with a None branch makes an object array (missing values); numpy's stubs do not admit None here.
    course_name = np.where(course < len(COURSES), COURSES[np.minimum(course, len(COURSES) - 1)], None)  # type: ignore[call-overload]
    spms, ppms = course == 1, course == 2
    age = np.clip(np.where(spms, rng.normal(52, 9, n), np.where(ppms, rng.normal(50, 9, n), rng.normal(40, 10, n))),
                  16, 85)
    onset_age = np.clip(np.where(ppms, rng.normal(40, 8, n), rng.normal(30, 8, n)), 10, age - 0.2)
    duration = age - onset_age  # years
    birth_back = np.floor(age * 365.25).astype("int64")
    onset_back = np.floor(duration * 365.25).astype("int64")
    onset_back = d.edges(onset_back, 0.01, [730, 731, 5478, 5479, 5844])
    consent = rng.random(n) < 0.3
    consent_back = rng.integers(-3, 60, n)

    female = rng.random(n) < 0.72
    young_female = female & (age < 50)
    patients = {
        "patient_key": pa.array(np.arange(1, n + 1, dtype="int64")),
        "patient_id": pa.array(ids),
        "site": pa.array(rng.choice(list(shape.sites), size=n)),
        "sex": _nullable(np.where(female, "F", "M"), rng.random(n) < 0.01),
        "birth_date": _nullable(_dates(d.as_of, birth_back), rng.random(n) < 0.01),
        "consent_date": _nullable(_dates(d.as_of, consent_back), ~consent),
        "able_to_consent": pa.array(d.tri(0.93, 0.02)),
        "ms_course": pa.array(course_name),
        "ms_onset_date": _nullable(_dates(d.as_of, onset_back), rng.random(n) < 0.02),
        "ms_diagnosis_date": pa.array(_dates(d.as_of, np.maximum(onset_back - rng.integers(0, 900, n), 0))),
        "ms_csf_oligoclonal_bands": pa.array(np.where(ppms, d.tri(0.85, 0.1), d.tri(0.7, 0.15))),
        "pregnant": pa.array(np.where(female, d.tri(0.01, 0.8), False)),
        "childbearing_potential": pa.array(np.where(young_female, d.tri(0.65, 0.25), False)),
        "willing_to_use_contraception": pa.array(np.where(young_female, d.tri(0.8, 0.08), None)),  # type: ignore[call-overload]
        "can_undergo_mri": pa.array(d.tri(0.95, 0.02)),
        "in_other_trial": pa.array(d.tri(0.03, 0.9)),
        "able_to_adhere": pa.array(d.tri(0.9, 0.02)),
    }
    recorded = {name: rng.random(n) < rate for name, rate in RECORDED_RATES.items()}
    for name, flags in recorded.items():
        patients[f"{name}_recorded"] = pa.array(flags)

    tables = {"patients": pa.table(patients)}
    history_years = np.minimum(duration, 10.0)
    tables["relapses"] = _relapses(d, course, history_years, recorded["relapses"])
    tables["mri"] = _mri(d, course, history_years, recorded["mri"])
    tables["edss"] = _edss(d, course, duration, recorded["edss"])
    tables["therapies"] = _therapies(d, course, duration, recorded["therapies"])
    tables["conditions"] = _conditions(d, recorded["conditions"])
    tables["allergies"] = _allergies(d, recorded["allergies"])
    tables["labs"] = _labs(d, recorded["labs"])
    for name, table in tables.items():
        if name != "patients":  # child rows carry the patient's index: make it the 1-based key
            tables[name] = table.set_column(0, "patient_key", pc.add(table.column(0), 1))
    return tables


def _relapses(d: _Draw, course: np.ndarray, years: np.ndarray, recorded: np.ndarray) -> pa.Table:
    rate = np.select([course == 0, course == 1, course == 2, course == 3], [0.55, 0.15, 0.05, 0.35], 0.1)
    counts = np.where(recorded, d.rng.poisson(rate * years), 0)
    rows = d.rows(counts)
    back = d.days_back(np.zeros(len(rows)), np.floor(years[rows] * 365.25))
    back = d.edges(back, 0.04, [59, 60, 61, 365, 366, 731, 732])
    return pa.table({"patient_key": rows, "onset_date": _dates(d.as_of, back),
                     "clinically_documented": pa.array(d.tri(0.85, 0.05, len(rows)))})


def _mri(d: _Draw, course: np.ndarray, years: np.ndarray, recorded: np.ndarray) -> pa.Table:
    counts = np.where(recorded, d.rng.poisson(0.8 * np.minimum(years, 8.0)) + (d.rng.random(d.n) < 0.5), 0)
    rows = d.rows(counts)
    back = d.days_back(np.zeros(len(rows)), np.floor(np.minimum(years[rows], 8.0) * 365.25))
    back = d.edges(back, 0.03, [365, 366])
    lam = np.select([course == 0, course == 1, course == 2], [0.6, 0.25, 0.15], 0.3)[rows]
    gel = d.rng.poisson(lam)
    return pa.table({"patient_key": rows, "scan_date": _dates(d.as_of, back),
                     "gel_count": _nullable(gel, d.rng.random(len(rows)) < 0.05)})


def _edss(d: _Draw, course: np.ndarray, duration: np.ndarray, recorded: np.ndarray) -> pa.Table:
    counts = np.where(recorded, d.rng.poisson(1.5 * np.minimum(duration, 6.0)) + 1, 0)
    recent = recorded & (d.rng.random(d.n) < 0.6)
    rows = np.concatenate([d.rows(counts), np.flatnonzero(recent)])
    back = np.concatenate([d.days_back(np.zeros(counts.sum()), np.floor(np.minimum(duration, 6.0)[d.rows(counts)]
                                                                          * 365.25)),
                           d.rng.integers(0, 95, int(recent.sum()))])
    back = d.edges(back, 0.03, [89, 90, 91, 365, 366])
    level = np.select([course == 0, course == 1, course == 2], [2.0 + 0.12 * duration, 5.5, 4.5], 1.5)
    slope = np.select([course == 1, course == 2], [0.35, 0.45], 0.1)  # EDSS points per year
    score = level[rows] - slope[rows] * back / 365.25 + d.rng.normal(0, 0.6, len(rows))
    score = np.clip(np.round(score * 2) / 2, 0.0, 9.5)
    order = np.lexsort((back, rows))
    return pa.table({"patient_key": rows[order], "assessment_date": _dates(d.as_of, back[order]),
                     "score": score[order]})


def _therapies(d: _Draw, course: np.ndarray, duration: np.ndarray, recorded: np.ndarray) -> pa.Table:
    rng = d.rng
    treatable = course <= 1
    counts = np.where(recorded & treatable, rng.poisson(1.4, d.n) + (rng.random(d.n) < 0.7), 0)
    counts += np.where(recorded & (course == 2), rng.random(d.n) < 0.15, 0)
    rows = d.rows(counts)
    # Sequential courses: from onset (+ delay) forwards, each lasting ~2 years, the last one often ongoing.
    gaps = rng.exponential(365.0, len(rows)) + rng.exponential(600.0, len(rows))
    cum = np.cumsum(gaps)
    first = np.r_[0, np.cumsum(counts)[:-1]]
    offset = np.repeat(cum[first[counts > 0]] - gaps[first[counts > 0]], counts[counts > 0])
    since_onset = cum - offset
    onset_back = np.floor(duration * 365.25)[rows]
    start_back = np.maximum(onset_back - since_onset, rng.integers(0, 400, len(rows))).astype("int64")
    length = rng.exponential(700.0, len(rows)).astype("int64")
    last = np.r_[np.diff(rows) != 0, True] if len(rows) else np.zeros(0, bool)
    ongoing = last & (rng.random(len(rows)) < 0.55)
    end_back = np.maximum(start_back - length, 0)
    end_back = d.edges(end_back, 0.04, [29, 30, 31, 90, 91, 92])
    end_back = np.minimum(end_back, start_back)
    drug = rng.choice(np.array(APPROVED + OTHER_DMT, dtype=object), size=len(rows),
                      p=[0.26, 0.2, 0.12, 0.1, 0.1, 0.08, 0.02, 0.02, 0.04, 0.02, 0.01, 0.02, 0.01])
    elimination = np.where((drug == "teriflunomide") & (rng.random(len(rows)) < 0.6),
                           rng.choice(np.array(["cholestyramine", "activated_charcoal"], dtype=object), len(rows)),
                           None)  # type: ignore[call-overload]
    # Short steroid courses for relapses: a few days each.
    s_counts = np.where(recorded, rng.poisson(0.6, d.n), 0)
    s_rows = d.rows(s_counts)
    s_start = d.days_back(np.zeros(len(s_rows)), np.full(len(s_rows), 1500.0))
    s_start = d.edges(s_start, 0.05, [30, 31, 35])
    s_end = np.maximum(s_start - rng.integers(2, 10, len(s_rows)), 0)
    return pa.table({
        "patient_key": np.concatenate([rows, s_rows]),
        "drug": pa.array(np.concatenate([drug, rng.choice(np.array(STEROIDS, dtype=object), len(s_rows))])),
        "start_date": _dates(d.as_of, np.concatenate([start_back, s_start])),
        "end_date": _nullable(_dates(d.as_of, np.concatenate([end_back, s_end])),
                              np.concatenate([ongoing, np.zeros(len(s_rows), bool)])),
        "accelerated_elimination": pa.array(np.concatenate([elimination, np.full(len(s_rows), None)])),
    })


def _conditions(d: _Draw, recorded: np.ndarray) -> pa.Table:
    rows, codes = [], []
    for code, rate in CONDITION_RATES.items():
        hit = np.flatnonzero(recorded & (d.rng.random(d.n) < rate))
        rows.append(hit)
        codes.append(np.full(len(hit), code, dtype=object))
    row, code = np.concatenate(rows), np.concatenate(codes)
    start_back = d.rng.integers(30, 7000, len(row))
    remission_back = np.minimum(start_back, d.rng.integers(0, 3000, len(row)))
    remission_back = d.edges(remission_back, 0.05, [365, 366, 364])
    cancer_like = np.isin(code, ["malignancy", "basal_cell_carcinoma", "carcinoma_in_situ"])
    has_remission = cancer_like & (d.rng.random(len(row)) < 0.8)
    active = np.where(cancer_like, d.tri(0.1, 0.6, len(row)), d.tri(0.5, 0.2, len(row)))
    return pa.table({"patient_key": row, "code": pa.array(code), "start_date": _dates(d.as_of, start_back),
                     "remission_date": _nullable(_dates(d.as_of, remission_back), ~has_remission),
                     "active": pa.array(active)})


def _allergies(d: _Draw, recorded: np.ndarray) -> pa.Table:
    rows, names = [], []
    for name, rate in ALLERGY_RATES.items():
        hit = np.flatnonzero(recorded & (d.rng.random(d.n) < rate))
        rows.append(hit)
        names.append(np.full(len(hit), name, dtype=object))
    return pa.table({"patient_key": np.concatenate(rows), "substance": pa.array(np.concatenate(names))})


def _labs(d: _Draw, recorded: np.ndarray) -> pa.Table:
    parts = []
    for test, mean, sd, unit in (("egfr", 95.0, 20.0, "mL/min/1.73m2"), ("wbc", 6.5, 1.9, "10^9/L")):
        counts = np.where(recorded, d.rng.poisson(1.8, d.n), 0)
        rows = d.rows(counts)
        back = d.days_back(np.zeros(len(rows)), np.full(len(rows), 900.0))
        back = np.where(d.rng.random(len(rows)) < 0.3, d.rng.integers(-5, 30, len(rows)), back)
        value = np.round(np.clip(d.rng.normal(mean, sd, len(rows)), 0.5, 200.0), 1)
        significant = d.tri(0.03, 0.92, len(rows)) if test == "wbc" else np.full(len(rows), None)
        parts.append(pa.table({"patient_key": rows, "sample_date": _dates(d.as_of, back),
                               "test": pa.array(np.full(len(rows), test, dtype=object)), "value": value,
                               "unit": pa.array(np.full(len(rows), unit, dtype=object)),
                               "clinically_significant": pa.array(significant, type=pa.bool_())}))
    return pa.concat_tables(parts)


def write_registry(out_dir: Path, shape: RegistryShape) -> dict[str, int]:
    """Generate and write ``<table>.parquet`` files; return the row count of each table."""
    out_dir.mkdir(parents=True, exist_ok=True)
    counts = {}
    for name, table in generate_registry(shape).items():
        # Row groups of 128k rows let a reader such as DuckDB scan one file with every core.
        pq.write_table(table, out_dir / f"{name}.parquet", compression="zstd", row_group_size=131_072)
        counts[name] = table.num_rows
    return counts
