"""Virtual people referred for screening: screening records (patient.schema.json) and the engine's verdict on them.

Why a generative record rather than "eligible people with one planted fault": screen failures then arise the way
they do at a clinic, from the eligibility engine reading an ordinary history (an EDSS above the range, a washout
not yet over, a relapse in the last 60 days, no recent activity, an abnormal lab), in proportions that follow
from the population rather than from a list. The population is the virtual patient model's
(:mod:`mescams.sim.virtual_patients`: course mix, sex, age, weight, EDSS by course, relapse and GEL rates by
course), widened to the people a neurologist would refer: nothing here is truncated to the criteria.

Each record is dated relative to its planned randomisation day ``r`` (screening 14-42 days before, inside the
protocol's 60-day screening window), so the engine, run as of ``r``, judges it as the EDC will. How many fail is
the caller's choice (:func:`screen_candidates`); why they fail is the population's. Numbers marked "assumption"
have no published source for this population and are plausible values for a Canadian MS clinic's referrals.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from mescams.core.eligibility import Criterion, assess, build_criteria, parse_record
from mescams.core.protocol import Protocol
from mescams.errors import InputValidationError
from mescams.sim.registry import ALLERGY_RATES, CONDITION_RATES
from mescams.sim.virtual_patients import COURSES, VirtualPatientParams

__all__ = ["Candidate", "draw_candidate", "draw_course", "failed_criteria", "judge", "race_and_ethnicity",
           "screen_candidates"]

D = dt.timedelta
FIRST_LINE = ("interferon_beta", "glatiramer_acetate", "dimethyl_fumarate", "teriflunomide")
SECOND_LINE = ("fingolimod", "natalizumab")
DURATION_YEARS = {"RRMS": (7.0, 0.55), "SPMS": (11.0, 0.35), "PPMS": (5.0, 0.45)}
"""Disease duration at referral, log-normal (median, sdlog) by course: assumption, typical of MS clinic cohorts."""
REFERRAL_ACTIVITY = 2.0
"""Relapse rate before referral relative to a placebo arm's: assumption (patients are referred when active)."""
PROGRESSED_12_MONTHS = {"RRMS": 0.15, "SPMS": 0.7, "PPMS": 0.7}
"""Share with an EDSS increase over the last 12 months: assumption (progressive patients referred for it)."""
OLIGOCLONAL_BANDS = 0.87  # CSF oligoclonal bands in about 85-90 % of MS (Dobson et al., JNNP 2013;84:909-14)
REFERRED_WITHOUT_ACTIVITY = 0.1
"""Chance that a person whose notes show no activity in the last 12 months is referred anyway: assumption."""
UNTREATED = {"RRMS": 0.04, "SPMS": 0.08, "PPMS": 1.0}  # assumption: PPMS had no approved therapy before 2017
WASHOUT_DAYS = {"first_line": (90.0, 0.6), "second_line": (150.0, 0.4)}  # log-normal: assumption
CANCER_LIKE = ("malignancy", "basal_cell_carcinoma", "carcinoma_in_situ")
RACE_MIX = ("WHITE",) * 8 + ("ASIAN", "BLACK OR AFRICAN AMERICAN", "NOT REPORTED", "AMERICAN INDIAN OR ALASKA NATIVE")
ETHNICITY_MIX = ("NOT HISPANIC OR LATINO",) * 6 + ("HISPANIC OR LATINO", "NOT REPORTED")
"""CDISC RACE and ETHNIC terms in a fixed mix (assumption: mostly white, as Canadian MS clinic cohorts)."""


def race_and_ethnicity(number: int) -> tuple[str, str]:
    """(race, ethnicity) of referred person ``number``: a fixed mix, no random draw, so adding them changed no
    other value the simulation draws."""
    return RACE_MIX[(7 * number) % len(RACE_MIX)], ETHNICITY_MIX[(5 * number) % len(ETHNICITY_MIX)]


@dataclass(frozen=True)
class Candidate:
    """One person referred for screening: the record the site enters, the facts around it, and the verdict."""

    number: int
    site: str
    screening_date: dt.date
    planned_randomisation: dt.date
    course: str
    sex: str
    birth_date: dt.date
    weight_kg: float
    height_cm: int
    edss: float
    record: dict[str, Any]
    eligible: bool | None
    failed: tuple[str, ...]


def _iso(day: dt.date) -> str:
    return day.isoformat()


def _lognormal(rng: np.random.Generator, median: float, sdlog: float) -> float:
    return float(median * np.exp(sdlog * rng.standard_normal()))


def _half_steps(value: float, low: float, high: float) -> float:
    return float(np.clip(np.round(value * 2) / 2, low, high))


def _therapies(rng: np.random.Generator, course: str, r: dt.date, onset: dt.date) -> list[dict[str, Any]]:
    """Disease-modifying therapy history ending in a washout before ``r``, and rarely an induction drug."""
    if rng.random() < UNTREATED[course]:
        return []
    second = rng.random() < 0.25
    kind = "second_line" if second else "first_line"
    median, sdlog = WASHOUT_DAYS[kind]
    end = r - D(days=max(1, round(_lognormal(rng, median, sdlog))))
    out: list[dict[str, Any]] = []
    if second:
        length = max(60, round(_lognormal(rng, 700.0, 0.5)))
        start = end - D(days=length)
        out.append({"drug": str(rng.choice(SECOND_LINE)), "start_date": _iso(start), "end_date": _iso(end)})
        end = start - D(days=int(rng.integers(14, 90)))
    length = max(60, round(_lognormal(rng, 3.0 * 365.25, 0.6)))
    start = max(end - D(days=length), onset + D(days=int(rng.integers(60, 400))))
    if start < end:
        drug = str(rng.choice(FIRST_LINE, p=[0.35, 0.3, 0.2, 0.15]))
        course_row: dict[str, Any] = {"drug": drug, "start_date": _iso(start), "end_date": _iso(end)}
        if drug == "teriflunomide" and rng.random() < 0.85:
            course_row["accelerated_elimination"] = "cholestyramine"
        out.insert(0, course_row)
    if course == "RRMS" and rng.random() < 0.01:
        on = onset + D(days=int(rng.integers(100, 600)))
        if on < r - D(days=30):
            out.append({"drug": "alemtuzumab", "start_date": _iso(on), "end_date": _iso(on + D(days=4))})
    return out


def _activity(rng: np.random.Generator, params: VirtualPatientParams, course: str, r: dt.date, onset: dt.date,
              ) -> tuple[list[dict[str, Any]], list[dict[str, Any]], list[dict[str, Any]]]:
    """Relapses over the last two years, clinical MRI scans, and steroid courses for treated relapses."""
    rp, gp = params.relapses, params.gel
    k = rp.patient_dispersion_k
    rate = rp.annual_rate[course] * REFERRAL_ACTIVITY * rng.gamma(1.0 / k, k)
    back = sorted(int(d) for d in rng.integers(1, 731, rng.poisson(rate * 2.0)))
    relapses, steroids = [], []
    for days in back:
        onset_day = r - D(days=days)
        if onset_day <= onset:
            continue
        documented = True if rng.random() < 0.92 else None
        relapses.append({"onset_date": _iso(onset_day), "clinically_documented": documented})
        if rng.random() < 0.7:  # high-dose methylprednisolone for 3-5 days, started within a week
            start = onset_day + D(days=int(rng.integers(1, 8)))
            steroids.append({"drug": "methylprednisolone", "start_date": _iso(start),
                             "end_date": _iso(start + D(days=int(rng.integers(2, 5))))})
    kg = gp.patient_dispersion_k
    mean = gp.mean_per_scan[course] * rng.gamma(1.0 / kg, kg)
    scans = [{"date": _iso(r - D(days=int(rng.integers(30, 330)))), "gel_count": int(rng.poisson(mean))},
             {"date": _iso(r - D(days=int(rng.integers(400, 720)))), "gel_count": int(rng.poisson(mean))}]
    return relapses, scans, steroids


def _edss_history(rng: np.random.Generator, course: str, score: float, s: dt.date, r: dt.date,
                  ) -> list[dict[str, Any]]:
    """The screening EDSS, one 6-11 months before randomisation, one about two years before."""
    if rng.random() < PROGRESSED_12_MONTHS[course]:
        earlier = score - (1.0 if score <= 5.0 else 0.5)
    else:
        earlier = score
    older = earlier - 0.5 * int(rng.integers(0, 3))
    return [{"date": _iso(s), "score": score},
            {"date": _iso(r - D(days=int(rng.integers(180, 335)))), "score": max(0.0, earlier)},
            {"date": _iso(r - D(days=int(rng.integers(600, 800)))), "score": max(0.0, older)}]


def _history(rng: np.random.Generator, r: dt.date, birth: dt.date) -> tuple[list[dict[str, Any]], list[str]]:
    """Medical history and allergies at the registry's prevalences (mescams.sim.registry)."""
    conditions: list[dict[str, Any]] = []
    for code, rate in CONDITION_RATES.items():
        if rng.random() >= rate:
            continue
        start = max(birth + D(days=5000), r - D(days=int(rng.integers(60, 7000))))
        row: dict[str, Any] = {"code": code, "start_date": _iso(start)}
        if code in CANCER_LIKE and rng.random() < 0.8:
            remission = start + D(days=int(rng.integers(30, 400)))
            row.update(remission_date=_iso(min(remission, r - D(days=10))), active=False)
        else:
            row["active"] = True
        conditions.append(row)
    allergies = [name for name, rate in ALLERGY_RATES.items() if rng.random() < rate]
    return conditions, allergies


def looks_active(record: dict[str, Any], r: dt.date) -> bool:
    """What the referring neurologist sees: a relapse or an enhancing lesion in the last 12 months and, for a
    progressive course, a worse EDSS than a year ago."""
    year_ago = _iso(r - D(days=365))
    active = any(x["onset_date"] > year_ago for x in record["relapses"]) or any(
        x["date"] > year_ago and x["gel_count"] > 0 for x in record["mri"])
    if record["ms"]["course"] == "RRMS":
        return active
    scores = [x["score"] for x in sorted(record["edss"], key=lambda x: x["date"])]
    return active and scores[-1] > scores[-2]


def draw_course(params: VirtualPatientParams, rng: np.random.Generator) -> str:
    mix = np.array([params.population.course_mix[c] for c in COURSES])
    return COURSES[int(rng.choice(len(COURSES), p=mix / mix.sum()))]


def draw_candidate(params: VirtualPatientParams, rng: np.random.Generator, *, number: int, site: str,
                   planned_randomisation: dt.date, course: str) -> Candidate:
    """One referred person with MS of ``course``, dated around ``planned_randomisation``; the verdict is left to
    :func:`judge`."""
    pop = params.population
    r = planned_randomisation
    s = r - D(days=int(rng.integers(14, 43)))
    female = bool(rng.random() < pop.female_fraction)
    age = float(np.clip(rng.normal(pop.age_years.mean, pop.age_years.sd), 16.0, 70.0))
    birth = r - D(days=round(age * 365.25))
    median, sdlog = DURATION_YEARS[course]
    years = min(_lognormal(rng, median, sdlog), age - 12.0)
    onset = r - D(days=max(120, round(years * 365.25)))
    diagnosis = min(onset + D(days=int(rng.integers(30, 800))), r - D(days=60))
    edss_model = pop.baseline_edss[course]
    score = _half_steps(rng.normal(edss_model.mean, edss_model.sd), 1.0, 8.0)
    relapses, scans, steroids = _activity(rng, params, course, r, onset)
    conditions, allergies = _history(rng, r, birth)
    weight_mean = pop.weight_kg.female_mean if female else pop.weight_kg.male_mean
    weight = round(float(np.clip(rng.normal(weight_mean, pop.weight_kg.sd), 42.0, 160.0)), 1)
    height = int(round(rng.normal(164.0 if female else 178.0, 7.0)))
    childbearing = female and age < 45 and rng.random() < 0.75
    wbc = round(float(np.clip(rng.normal(6.5, 1.7), 1.5, 18.0)), 1)
    record: dict[str, Any] = {
        "sex": "F" if female else "M", "birth_date": _iso(birth), "able_to_consent": True,
        "ms": {"course": course, "onset_date": _iso(onset), "diagnosis_date": _iso(diagnosis),
               "csf_oligoclonal_bands": bool(rng.random() < OLIGOCLONAL_BANDS)},
        "relapses": relapses, "mri": scans, "edss": _edss_history(rng, course, score, s, r),
        "therapies": _therapies(rng, course, r, onset) + steroids, "conditions": conditions, "allergies": allergies,
        "labs": [{"date": _iso(s), "test": "egfr", "value": round(float(rng.normal(95.0, 15.0))),
                  "unit": "mL/min/1.73m2", "clinically_significant": False},
                 {"date": _iso(s), "test": "wbc", "value": wbc, "unit": "10^9/L",
                  "clinically_significant": not 3.0 <= wbc <= 12.0}],
        "pregnant": bool(childbearing and rng.random() < 0.01), "childbearing_potential": childbearing,
        "willing_to_use_contraception": bool(rng.random() < 0.97) if childbearing else None,
        "can_undergo_mri": bool(rng.random() < 0.99), "in_other_trial": bool(rng.random() < 0.02),
        "able_to_adhere": bool(rng.random() < 0.98),
    }
    return Candidate(number, site, s, r, course, "F" if female else "M", birth, weight, height, score, record,
                     None, ())


def failed_criteria(result: dict[str, Any]) -> tuple[str, ...]:
    """Criteria that make a person ineligible (an inclusion not met, an exclusion met) in the engine's output."""
    return tuple(c["id"] for c in result["criteria"]
                 if (c["kind"] == "inclusion" and c["status"] == "not_met")
                 or (c["kind"] == "exclusion" and c["status"] == "met"))


def judge(criteria: Sequence[Criterion], candidate: Candidate) -> Candidate:
    """The engine's verdict as of the planned randomisation, on the record as the EDC will hold it after consent
    (``criteria`` from :func:`mescams.core.eligibility.build_criteria`)."""
    held = {**candidate.record, "id": f"candidate-{candidate.number}", "site": candidate.site,
            "consent_date": _iso(candidate.screening_date)}
    result = assess(parse_record(held), candidate.planned_randomisation, criteria).as_json()
    return replace(candidate, eligible=result["eligible"], failed=failed_criteria(result))


def screen_candidates(protocol: Protocol, params: VirtualPatientParams, rng: np.random.Generator, *, screen: int,
                      eligible: int, first_randomisation: dt.date, recruitment_days: int) -> Iterator[Candidate]:
    """``screen`` people in screening order, exactly ``eligible`` of them eligible, the rest screen failures.

    Which screening slots fail is drawn first, and each slot's MS course from the model's course mix (so the
    randomised cohort has the mix the virtual patient model gives participants); each slot then takes the next
    referred person of that course whose verdict matches it, so the reasons for failing keep the proportions the
    population gives them. A person whose verdict is unknown (never, with complete records) is not referred.
    """
    fails = np.zeros(screen, dtype=bool)
    fails[rng.choice(screen, size=screen - eligible, replace=False)] = True
    days = np.sort(rng.integers(0, recruitment_days, screen))
    sites = protocol.site_codes
    criteria = build_criteria(protocol)
    for number, (fail, day) in enumerate(zip(fails, days, strict=True), start=1):
        r = first_randomisation + D(days=int(day))
        site = sites[int(rng.integers(0, len(sites)))]
        course = draw_course(params, rng)
        for _ in range(10_000):
            drawn = draw_candidate(params, rng, number=number, site=site, planned_randomisation=r, course=course)
            if not looks_active(drawn.record, r) and rng.random() >= REFERRED_WITHOUT_ACTIVITY:
                continue
            candidate = judge(criteria, drawn)
            if candidate.eligible is (not fail):
                yield candidate
                break
        else:
            raise InputValidationError("params", f"no referred person with {course} in 10,000 was "
                                                 f"{'in' if fail else ''}eligible: the virtual patient parameters "
                                                 "cannot fill this screening")
