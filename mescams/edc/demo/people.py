"""A small seeded generator of virtual MESCAMS candidates: screening records (patient.schema.json) and visit data.

Most candidates are built eligible; some carry one realistic reason to fail screening (a relapse in the last 60
days, an EDSS out of range, a recent natalizumab course, ...). Outcomes are drawn with a modest MSC effect so the
demo's analysis has something to find. Everything is a plain value; the loader enters it through the services.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field
from typing import Any

from mescams.core.edss import EdssExam, score_exam

D = dt.timedelta

SCREEN_FAILURES: list[tuple[str, str]] = [
    ("E9", "relapse 30 days before randomisation"),
    ("I4", "EDSS 7.0"),
    ("I2", "aged 53"),
    ("I3", "disease duration 17 years"),
    ("E5", "natalizumab until 40 days before randomisation"),
    ("E6", "previous alemtuzumab"),
    ("E15", "gentamicin allergy"),
    ("E14", "eGFR 45"),
    ("E17", "in another trial"),
    ("E8", "methylprednisolone 10 days before randomisation"),
    ("E13", "pregnant"),
    ("E4", "chronic hepatitis C"),
    ("I1", "no relapse or enhancing lesion in 12 months"),
    ("E9", "relapse 45 days before randomisation"),
]


@dataclass
class Candidate:
    number: int
    site: str
    sex: str
    birth_date: dt.date
    course: str
    screening_date: dt.date
    planned_randomisation: dt.date
    record: dict[str, Any]
    intended_failure: str | None = None
    weight_kg: float = 70.0
    fs: dict[str, int] = field(default_factory=dict)
    ambulation: int = 0


def _fs_pattern(rng: random.Random) -> tuple[dict[str, int], int, float]:
    """FS grades and ambulation whose derived EDSS lies in 3.0-6.0 (the core does the scoring)."""
    while True:
        fs = {"visual": rng.choice([0, 0, 1, 2]), "brainstem": rng.choice([0, 1, 1, 2]),
              "pyramidal": rng.choice([1, 2, 2, 3]), "cerebellar": rng.choice([0, 1, 2]),
              "sensory": rng.choice([1, 1, 2, 3]), "bowel_bladder": rng.choice([0, 1, 1, 2]),
              "cerebral": rng.choice([0, 0, 1])}
        ambulation = rng.choice([0, 0, 0, 1, 2, 3, 5, 6])
        step = score_exam(EdssExam.from_mapping({**fs, "ambulation": ambulation})).score.step
        if 3.0 <= step <= 6.0:
            return fs, ambulation, step


def make_candidates(seed: int, *, count: int = 45, sites: tuple[str, ...] = ("OTT", "WPG"),
                    first_screening: dt.date = dt.date(2015, 7, 6)) -> list[Candidate]:
    rng = random.Random(seed)
    failures = list(SCREEN_FAILURES)
    fail_at = set(rng.sample(range(count), len(failures)))
    out = []
    for i in range(count):
        site = sites[0] if rng.random() < 0.6 else sites[1]
        screening = first_screening + D(days=i * 16 + rng.randint(0, 6))
        r = screening + D(days=rng.randint(14, 35))
        sex = "F" if rng.random() < 0.7 else "M"
        age = rng.randint(24, 49)
        birth = r - D(days=int(age * 365.25) + rng.randint(20, 300))
        course = rng.choices(["RRMS", "SPMS", "PPMS"], weights=[6, 3, 1])[0]
        fs, ambulation, step = _fs_pattern(rng)
        duration_years = rng.randint(3, 13)
        onset = r - D(days=int(duration_years * 365.25) + rng.randint(10, 200))
        record: dict[str, Any] = {
            "sex": sex, "birth_date": birth.isoformat(), "able_to_consent": True,
            "ms": {"course": course, "onset_date": onset.isoformat(),
                   "diagnosis_date": (onset + D(days=rng.randint(60, 400))).isoformat(),
                   "csf_oligoclonal_bands": True},
            "relapses": [{"onset_date": (r - D(days=rng.randint(120, 300))).isoformat(),
                          "clinically_documented": True}],
            "mri": [{"date": (r - D(days=rng.randint(30, 200))).isoformat(), "gel_count": rng.randint(1, 4)}],
            "edss": [{"date": (r - D(days=rng.randint(10, 40))).isoformat(), "score": step},
                     {"date": (r - D(days=rng.randint(250, 330))).isoformat(), "score": max(0.0, step - 1.0)}],
            "therapies": [{"drug": rng.choice(["interferon_beta", "glatiramer_acetate", "dimethyl_fumarate"]),
                           "start_date": (r - D(days=rng.randint(800, 2000))).isoformat(),
                           "end_date": (r - D(days=rng.randint(45, 120))).isoformat()}],
            "conditions": [], "allergies": [],
            "labs": [{"date": (r - D(days=20)).isoformat(), "test": "egfr", "value": rng.randint(75, 120),
                      "unit": "mL/min/1.73m2", "clinically_significant": False},
                     {"date": (r - D(days=20)).isoformat(), "test": "wbc", "value": round(rng.uniform(4.5, 9), 1),
                      "unit": "10^9/L", "clinically_significant": False}],
            "pregnant": False, "childbearing_potential": sex == "F" and age < 45,
            "willing_to_use_contraception": True, "can_undergo_mri": True, "in_other_trial": False,
            "able_to_adhere": True,
        }
        failure = failures.pop(0)[0] if i in fail_at else None
        if failure:
            _spoil(record, failure, r, rng)
        out.append(Candidate(i + 1, site, sex, birth, course, screening, r, record, failure,
                             round(rng.uniform(50, 105), 1), fs, ambulation))
    return out


def _spoil(record: dict[str, Any], criterion: str, r: dt.date, rng: random.Random) -> None:
    """Give a candidate one reason to fail ``criterion``."""
    iso = dt.date.isoformat
    if criterion == "E9":
        record["relapses"].append({"onset_date": iso(r - D(days=rng.choice([30, 45]))), "clinically_documented": True})
    elif criterion == "I4":
        record["edss"][0]["score"] = 7.0
    elif criterion == "I2":
        record["birth_date"] = iso(r - D(days=int(53 * 365.25) + 30))
    elif criterion == "I3":
        record["ms"]["onset_date"] = iso(r - D(days=int(17 * 365.25)))
        record["ms"]["diagnosis_date"] = iso(r - D(days=int(16 * 365.25)))
    elif criterion == "E5":
        record["therapies"].append({"drug": "natalizumab", "start_date": iso(r - D(days=700)),
                                    "end_date": iso(r - D(days=40))})
    elif criterion == "E6":
        record["therapies"].append({"drug": "alemtuzumab", "start_date": iso(r - D(days=1500)),
                                    "end_date": iso(r - D(days=1495))})
    elif criterion == "E15":
        record["allergies"] = ["gentamicin"]
    elif criterion == "E14":
        record["labs"][0]["value"] = 45
    elif criterion == "E17":
        record["in_other_trial"] = True
    elif criterion == "E8":
        record["therapies"].append({"drug": "methylprednisolone", "start_date": iso(r - D(days=15)),
                                    "end_date": iso(r - D(days=10))})
    elif criterion == "E13":
        record["sex"], record["pregnant"], record["childbearing_potential"] = "F", True, True
    elif criterion == "E4":
        record["conditions"] = [{"code": "hepatitis_c", "active": True}]
    elif criterion == "I1":
        record["ms"]["course"] = "RRMS"
        record["relapses"] = [{"onset_date": iso(r - D(days=500)), "clinically_documented": True}]
        record["mri"] = [{"date": iso(r - D(days=100)), "gel_count": 0}]
