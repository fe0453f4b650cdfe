"""A seeded generator of a plausible, complete trial snapshot, for the exports' tests and demos.

Why: the EDC database may be empty (or absent) while the exports are built and tested; this generator produces
every record type of :class:`~mescams.interop.snapshot.TrialSnapshot` from the protocol alone: screened people
with screen failures on named criteria, randomisation by site in permuted blocks, both infusions, every scheduled
visit (a few out of window), MRI reads, EDSS with functional systems, AEs, relapses, labs, vitals, medications,
medical history, one withdrawal and an audit trail. The same seed always gives the same trial.
"""

from __future__ import annotations

import datetime as dt

import numpy as np

from mescams.core.protocol import Protocol
from mescams.interop.snapshot import (
    FS_NAMES,
    AdverseEvent,
    AuditRecord,
    ConMed,
    Disposition,
    EdssAssessment,
    EligibilityResult,
    Infusion,
    LabResult,
    MedicalHistory,
    MriRead,
    Participant,
    Relapse,
    TrialSnapshot,
    VisitAttendance,
    VitalSign,
)

__all__ = ["demo_snapshot"]

AE_TERMS = (
    "Headache",
    "Fatigue",
    "Nasopharyngitis",
    "Urinary tract infection",
    "Nausea",
    "Back pain",
    "Infusion related reaction",
    "Dizziness",
    "Insomnia",
    "Arthralgia",
)
LAB_TESTS = (  # code, name, unit, low, high, mean, sd, category
    ("WBC", "Leukocytes", "10^9/L", 4.0, 11.0, 6.5, 1.5, "HEMATOLOGY"),
    ("HGB", "Hemoglobin", "g/L", 120.0, 160.0, 138.0, 10.0, "HEMATOLOGY"),
    ("PLAT", "Platelets", "10^9/L", 150.0, 400.0, 250.0, 50.0, "HEMATOLOGY"),
    ("ALT", "Alanine Aminotransferase", "U/L", 7.0, 56.0, 25.0, 8.0, "CHEMISTRY"),
    ("CREAT", "Creatinine", "umol/L", 45.0, 110.0, 75.0, 12.0, "CHEMISTRY"),
)
VITALS = (  # code, name, unit, mean, sd
    ("SYSBP", "Systolic Blood Pressure", "mmHg", 120.0, 12.0),
    ("DIABP", "Diastolic Blood Pressure", "mmHg", 78.0, 8.0),
    ("PULSE", "Pulse Rate", "beats/min", 72.0, 9.0),
    ("TEMP", "Temperature", "C", 36.8, 0.3),
)
CONMEDS = (
    ("vitamin_d", "Supplement"),
    ("baclofen", "Spasticity"),
    ("gabapentin", "Neuropathic pain"),
    ("acetaminophen", "Headache"),
)
MH_TERMS = ("Migraine", "Depression", "Hypertension", "Asthma", "Hypothyroidism")
SCREEN_FAIL_CRITERIA = ("I4", "I3", "E9", "E5", "E14", "I1", "E8")


def _blocks(rng: np.random.Generator, codes: list[str], n: int) -> list[str]:
    """Permuted blocks of random size 2 or 4 with the sequences balanced inside each block."""
    out: list[str] = []
    while len(out) < n:
        size = int(rng.choice([2, 4]))
        block = codes * (size // len(codes))
        out.extend(str(c) for c in rng.permutation(block))
    return out[:n]


def _screen_failure_race(seed: int, index: int) -> tuple[str, str]:
    """(RACE, ETHNIC) of a screen failure, one of them not reported, from a generator seeded by (seed, index)."""
    rng = np.random.default_rng([seed, index])
    race = str(rng.choice(["WHITE", "ASIAN", "NOT REPORTED"], p=[0.7, 0.1, 0.2]))
    ethnic = str(rng.choice(["NOT HISPANIC OR LATINO", "HISPANIC OR LATINO", "NOT REPORTED"], p=[0.8, 0.1, 0.1]))
    return race, ethnic


def demo_snapshot(protocol: Protocol, seed: int = 2015, n_screened: int = 45) -> TrialSnapshot:  # noqa: PLR0915
    """Build a whole trial: ``protocol.design.target_enrolment`` randomised among ``n_screened`` screened."""
    rng = np.random.default_rng(seed)
    n_rand = protocol.design.target_enrolment
    sites = protocol.site_codes
    seq_codes = [s.code for s in protocol.design.sequences]
    start = dt.date.fromisoformat(protocol.identification.dates.study_start + "-01")
    fail_at = set(rng.choice(np.arange(n_screened), size=n_screened - n_rand, replace=False).tolist())
    per_site_seq = {s: _blocks(rng, seq_codes, n_screened) for s in sites}
    site_counter = dict.fromkeys(sites, 0)
    site_randomized = dict.fromkeys(sites, 0)  # each site takes the next slot of its own stratum
    withdrawn_index = 5  # the sixth randomised participant withdraws in period 2

    people: list[Participant] = []
    elig: list[EligibilityResult] = []
    visits: list[VisitAttendance] = []
    infusions: list[Infusion] = []
    aes: list[AdverseEvent] = []
    mri: list[MriRead] = []
    edss: list[EdssAssessment] = []
    relapses: list[Relapse] = []
    labs: list[LabResult] = []
    vitals: list[VitalSign] = []
    conmeds: list[ConMed] = []
    history: list[MedicalHistory] = []
    audit: list[AuditRecord] = []
    n_randomized = 0
    fail_count = 0
    for i in range(n_screened):
        site = sites[i % len(sites)]
        site_counter[site] += 1
        pid = f"{site}-{site_counter[site]:03d}"
        screening = start + dt.timedelta(days=int(i * 25 + rng.integers(0, 10)))
        age = int(rng.integers(protocol.design.population.min_age_years, protocol.design.population.max_age_years))
        birth = screening - dt.timedelta(days=int(age * 365.25 + rng.integers(30, 300)))
        sex = "F" if rng.random() < 0.7 else "M"
        course = str(rng.choice(["RRMS", "SPMS", "PPMS"], p=[0.5, 0.35, 0.15]))
        onset = screening - dt.timedelta(days=int(rng.integers(3, 14) * 365))
        weight = round(float(rng.normal(72, 12)), 1)
        base_edss = float(rng.choice(np.arange(2.5, 7.0, 0.5)))
        failed = i in fail_at
        for c in protocol.eligibility.criteria:
            met = c.id.startswith("I")
            if failed and c.id == SCREEN_FAIL_CRITERIA[fail_count % len(SCREEN_FAIL_CRITERIA)]:
                met = not met
            elig.append(EligibilityResult(pid, c.id, met, screening + dt.timedelta(days=7)))
        visits.append(VisitAttendance(pid, "SCR", screening))
        history.append(MedicalHistory(pid, f"{pid}-MH1", "Multiple sclerosis", onset, True, "PRIMARY DIAGNOSIS"))
        for k in range(int(rng.integers(0, 3))):
            history.append(
                MedicalHistory(
                    pid,
                    f"{pid}-MH{k + 2}",
                    str(rng.choice(MH_TERMS)),
                    onset - dt.timedelta(days=int(rng.integers(100, 2000))),
                    bool(rng.random() < 0.6),
                )
            )
        edss.append(EdssAssessment(pid, "SCR", screening, base_edss, _fs(rng, base_edss), _ambulation(base_edss)))
        if failed:
            fail_count += 1
            people.append(
                Participant(
                    pid,
                    site,
                    sex,
                    birth,
                    age,
                    course,
                    onset,
                    screening,
                    screening,
                    Disposition("SCREEN FAILURE", screening + dt.timedelta(days=7), "SCREEN FAILURE"),
                    weight_kg=weight,
                    baseline_edss=base_edss,
                    # race and ethnicity of screen failures from a generator of their own, so the main stream (and
                    # every randomised participant's data) stays as it was
                    race=_screen_failure_race(seed, i)[0],
                    ethnicity=_screen_failure_race(seed, i)[1],
                )
            )
            continue
        seq = per_site_seq[site][site_randomized[site]]
        site_randomized[site] += 1
        week0 = screening + dt.timedelta(days=int(rng.integers(21, 45)))
        withdraws = n_randomized == withdrawn_index
        n_randomized += 1
        ev_visits = _attend(protocol, rng, pid, week0, withdraws)
        visits.extend(ev_visits)
        last = ev_visits[-1].date
        disposition = (
            Disposition("WITHDRAWN", last + dt.timedelta(days=10), "WITHDRAWAL BY SUBJECT", 2)
            if withdraws
            else Disposition("COMPLETED", last)
        )
        people.append(
            Participant(
                pid,
                site,
                sex,
                birth,
                age,
                course,
                onset,
                screening,
                screening,
                disposition,
                week0,
                seq,
                weight,
                base_edss,
                "WHITE" if rng.random() < 0.85 else "ASIAN",
                "NOT HISPANIC OR LATINO",
            )
        )
        treatments = protocol.sequence(seq).treatments
        for period, tr in zip(protocol.design.periods, treatments, strict=True):
            code = protocol.visit_at_week(period.infusion_week).code
            when = next((v.date for v in ev_visits if v.visit_code == code), None)
            if when is None:
                continue
            cells = None if tr != "MSC" else round(weight * float(rng.uniform(1.0e6, 2.0e6)), -4)
            start_t = dt.datetime.combine(when, dt.time(9, 30), tzinfo=dt.UTC)
            infusions.append(
                Infusion(
                    pid,
                    code,
                    when,
                    tr,
                    f"P{n_randomized:03d}-{period.number}",
                    cells,
                    None if cells is None else round(cells / weight, 0),
                    50.0,
                    start_t,
                    start_t + dt.timedelta(minutes=30),
                )
            )
        rate = {"MSC": 0.6, "PLACEBO": 1.4}
        for v in ev_visits:
            week = protocol.visit(v.visit_code).week
            if week is None:
                continue
            per = protocol.period_of_week(week)
            mu = 1.2 if per is None else rate[treatments[per - 1]]
            gel = int(rng.negative_binomial(1.0, 1.0 / (1.0 + mu)))
            t2 = gel + int(rng.poisson(0.5))
            mri.append(
                MriRead(
                    pid,
                    v.visit_code,
                    v.date,
                    gel,
                    t2,
                    max(gel, t2),
                    round(gel * float(rng.uniform(20, 90)), 1),
                    round(float(rng.uniform(100, 3000)), 1),
                    f"S{len(mri) + 1:05d}",
                )
            )
            step = min(9.5, base_edss + (0.5 if rng.random() < 0.15 * (week / 48) else 0.0))
            edss.append(EdssAssessment(pid, v.visit_code, v.date, step, _fs(rng, step), _ambulation(step)))
        for k in range(int(rng.poisson(2.0))):
            onset_ae = week0 + dt.timedelta(days=int(rng.integers(-10, 330)))
            if onset_ae > last:
                continue
            grade = int(rng.choice([1, 2, 3, 4], p=[0.55, 0.3, 0.12, 0.03]))
            aes.append(
                AdverseEvent(
                    pid,
                    f"AE{k + 1}",
                    str(rng.choice(AE_TERMS)),
                    onset_ae,
                    min(last, onset_ae + dt.timedelta(days=int(rng.integers(1, 30)))),
                    grade,
                    grade >= 3 and rng.random() < 0.6,
                    bool(rng.random() < 0.3),
                )
            )
        onset_r = week0 + dt.timedelta(days=int(rng.integers(20, 320)))
        if rng.random() < 0.3 and onset_r < last:
            relapses.append(Relapse(pid, onset_r, bool(rng.random() < 0.8), onset_r + dt.timedelta(days=21), "R1"))
        for v in ev_visits:
            for code, name, unit, lo, hi, mean, sd, cat in LAB_TESTS:
                labs.append(
                    LabResult(
                        pid, v.visit_code, v.date, code, name, round(float(rng.normal(mean, sd)), 1), unit, lo, hi, cat
                    )
                )
            if "vital_signs" in protocol.visit(v.visit_code).activities:
                for code, name, unit, mean, sd in VITALS:
                    vitals.append(
                        VitalSign(pid, v.visit_code, v.date, code, name, round(float(rng.normal(mean, sd)), 1), unit)
                    )
                vitals.append(VitalSign(pid, v.visit_code, v.date, "WEIGHT", "Weight", weight, "kg"))
        conmeds.append(
            ConMed(
                pid,
                "CM1",
                "interferon_beta",
                onset + dt.timedelta(days=200),
                screening - dt.timedelta(days=int(rng.integers(40, 200))),
                "Multiple sclerosis",
            )
        )
        drug, why = CONMEDS[int(rng.integers(0, len(CONMEDS)))]
        conmeds.append(
            ConMed(pid, "CM2", drug, screening - dt.timedelta(days=int(rng.integers(10, 400))), None, why, True)
        )
        at = dt.datetime.combine(week0, dt.time(12, 0), tzinfo=dt.UTC)
        audit.append(
            AuditRecord(
                pid,
                "participant",
                pid,
                "sequence",
                None,
                seq,
                "statistician",
                "unblinded_statistician",
                at,
                "randomisation",
            )
        )
        audit.append(
            AuditRecord(
                pid,
                "vital_sign",
                f"{pid}-WEIGHT",
                "value",
                None,
                str(weight),
                "coordinator",
                "site_coordinator",
                at,
                "initial entry",
            )
        )
    return TrialSnapshot(
        study_id=protocol.identification.nct_id,
        as_of=dt.datetime.combine(start + dt.timedelta(days=4 * 365), dt.time(0, 0), tzinfo=dt.UTC),
        participants=tuple(people),
        eligibility=tuple(elig),
        visits=tuple(visits),
        infusions=tuple(infusions),
        adverse_events=tuple(aes),
        mri=tuple(mri),
        edss=tuple(edss),
        relapses=tuple(relapses),
        labs=tuple(labs),
        vitals=tuple(vitals),
        conmeds=tuple(conmeds),
        medical_history=tuple(history),
        audit=tuple(audit),
    )


def _attend(
    protocol: Protocol, rng: np.random.Generator, pid: str, week0: dt.date, withdraws: bool
) -> list[VisitAttendance]:
    """Dates of the scheduled visits: mostly inside the window, about one in 25 a few days outside it."""
    out: list[VisitAttendance] = []
    for v in protocol.scheduled_visits:
        assert v.week is not None
        if withdraws and v.week > 28:
            break
        planned = week0 + dt.timedelta(weeks=v.week)
        if v.week == 0:
            shift = 0
        elif rng.random() < 0.04:
            shift = v.window_after_days + int(rng.integers(1, 5))
        else:
            shift = int(rng.integers(-v.window_before_days, v.window_after_days + 1))
        out.append(VisitAttendance(pid, v.code, planned + dt.timedelta(days=shift)))
    return out


def _fs(rng: np.random.Generator, step: float) -> dict[str, int]:
    """Functional system scores roughly matching an EDSS step (the exports transport them, never derive steps)."""
    top = 2 if step < 4 else 3 if step < 6 else 4
    return {name: int(rng.integers(0, top + 1)) for name in FS_NAMES}


def _ambulation(step: float) -> int:
    return 0 if step < 4.5 else 2 if step < 5.5 else 6 if step < 6.5 else 7
