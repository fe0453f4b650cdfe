"""A whole virtual trial as an export snapshot (:class:`~mescams.interop.snapshot.TrialSnapshot`), without the EDC.

Why: the exports (SDTM, ADaM, ODM, ClinicalTrials.gov results) are built and tested while the EDC's database may
be empty or absent (``mescams export ... --demo SEED``). The trial is the simulation's, the one ``mescams sim
populate`` enters into the EDC: referred people and their verdicts from :mod:`mescams.sim.screening`, the sequence
from the allocation list of :mod:`mescams.core.randomisation` (each site's next slot, in list order), and each
randomised participant's course from :mod:`mescams.sim.follow_up`; with the same seed, the same people, sequences
and courses as ``sim populate``. What the EDC's users would add on entry (vital signs beside the weight,
follow-up safety labs, product codes, times of day, audit entries) is drawn here from a stream of its own.

A snapshot carries treatment allocation: it is unblinded data (see :mod:`mescams.interop.snapshot`).
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterator

import numpy as np

from mescams.core.dosing import compute_dose
from mescams.core.eligibility import assess, build_criteria, parse_record
from mescams.core.protocol import Protocol
from mescams.core.randomisation import AllocationSlot, generate_allocation_list
from mescams.core.safety.severity import severity_for_grade
from mescams.interop.snapshot import (
    PRIOR_THERAPY_CATEGORY,
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
from mescams.sim.edss_exam import Exam, exam_for
from mescams.sim.follow_up import Course, plan_course
from mescams.sim.screening import Candidate, race_and_ethnicity, screen_candidates
from mescams.sim.virtual_patients import VirtualPatientParams, load_params

__all__ = ["simulated_snapshot"]

D = dt.timedelta
LABS = {"wbc": ("WBC", "Leukocytes", "HEMATOLOGY", 4.0, 11.0),
        "egfr": ("EGFR", "Glomerular Filtration Rate, Estimated", "CHEMISTRY", 60.0, None)}
"""The screening record's lab tests as SDTM codes, names, categories and reference ranges (low, high)."""
INFUSION_START = dt.time(10, 0)


def _stream(seed: int, *key: int) -> np.random.Generator:
    """The generator of one part of the trial; keys (0,), (1, n) are ``sim populate``'s, (3, ...) this module's."""
    return np.random.default_rng(np.random.SeedSequence(seed, spawn_key=key))


def _allocation(protocol: Protocol, seed: int, participants: int) -> dict[str, Iterator[AllocationSlot]]:
    """Each site's allocation slots in list order, from the list ``sim populate`` generates for this seed."""
    slots = generate_allocation_list(seed=hashlib.sha256(f"mescams-sim-populate-{seed}".encode()).hexdigest(),
                                     sites=protocol.site_codes, ratio=protocol.design.allocation_ratio,
                                     slots_per_site=max(protocol.design.target_enrolment, participants))
    return {site: iter([s for s in slots if s.site == site]) for site in protocol.site_codes}


class _Trial:
    """The snapshot's records, filled one person at a time."""

    def __init__(self, protocol: Protocol, params: VirtualPatientParams, seed: int, rate_ratio: float) -> None:
        self.protocol, self.params, self.seed, self.rate_ratio = protocol, params, seed, rate_ratio
        self.entry = _stream(seed, 3)
        self.criteria = build_criteria(protocol)
        self.people: list[Participant] = []
        self.eligibility: list[EligibilityResult] = []
        self.visits: list[VisitAttendance] = []
        self.infusions: list[Infusion] = []
        self.adverse_events: list[AdverseEvent] = []
        self.mri: list[MriRead] = []
        self.edss: list[EdssAssessment] = []
        self.relapses: list[Relapse] = []
        self.labs: list[LabResult] = []
        self.vitals: list[VitalSign] = []
        self.conmeds: list[ConMed] = []
        self.history: list[MedicalHistory] = []
        self.audit: list[AuditRecord] = []

    def screen(self, c: Candidate, pid: str) -> Exam:
        """The screening visit: verdict per criterion, history, prior therapies, labs, weight, EDSS."""
        on = c.screening_date
        held = {**c.record, "id": pid, "site": c.site, "consent_date": on.isoformat()}
        for criterion in assess(parse_record(held), c.planned_randomisation, self.criteria).as_json()["criteria"]:
            met = {"met": True, "not_met": False}.get(criterion["status"])
            self.eligibility.append(EligibilityResult(pid, criterion["id"], met, c.planned_randomisation))
        self.visits.append(VisitAttendance(pid, "SCR", on))
        onset = dt.date.fromisoformat(c.record["ms"]["onset_date"])
        self.history.append(MedicalHistory(pid, "MH0", "Multiple sclerosis", onset, True, "PRIMARY DIAGNOSIS"))
        for n, cond in enumerate(c.record["conditions"], start=1):
            self.history.append(MedicalHistory(pid, f"MH{n}", cond["code"].replace("_", " "),
                                               dt.date.fromisoformat(cond["start_date"]), bool(cond["active"])))
        for n, therapy in enumerate(c.record["therapies"], start=1):
            end = therapy.get("end_date")
            self.conmeds.append(ConMed(pid, f"PT{n}", therapy["drug"], dt.date.fromisoformat(therapy["start_date"]),
                                       dt.date.fromisoformat(end) if end else None, "Multiple sclerosis", end is None,
                                       category=PRIOR_THERAPY_CATEGORY))
        for lab in c.record["labs"]:
            code, name, category, low, high = LABS[lab["test"]]
            self.labs.append(LabResult(pid, "SCR", on, code, name, float(lab["value"]), lab["unit"], low, high,
                                       category))
        self.vital_signs(pid, "SCR", on, c.weight_kg, c.height_cm)
        exam = exam_for(c.edss, self.entry)
        self.edss.append(EdssAssessment(pid, "SCR", on, exam.step, dict(exam.grades), exam.ambulation))
        return exam

    def vital_signs(self, pid: str, code: str, on: dt.date, weight: float, height: int | None = None) -> None:
        rng = self.entry
        systolic = int(rng.integers(105, 145))
        values = [("SYSBP", "Systolic Blood Pressure", float(systolic), "mmHg"),
                  ("DIABP", "Diastolic Blood Pressure", float(rng.integers(62, min(systolic - 20, 95))), "mmHg"),
                  ("PULSE", "Pulse Rate", float(rng.integers(56, 92)), "beats/min"),
                  ("TEMP", "Temperature", round(float(rng.uniform(36.3, 37.2)), 1), "C"),
                  ("WEIGHT", "Weight", weight, "kg")]
        if height is not None:
            values.append(("HEIGHT", "Height", float(height), "cm"))
        self.vitals += [VitalSign(pid, code, on, test, name, value, unit) for test, name, value, unit in values]

    def follow(self, c: Candidate, pid: str, slot: AllocationSlot, course: Course) -> Disposition:
        """Every attended visit of a randomised participant's course; returns where they ended."""
        protocol, rng = self.protocol, self.entry
        for visit in course.visits:
            self.visits.append(VisitAttendance(pid, visit.code, visit.date))
            activities = protocol.visit(visit.code).activities
            if visit.code in course.weights:
                self.vital_signs(pid, visit.code, visit.date, course.weights[visit.code])
            if "infusion" in activities:
                self.infuse(pid, slot, visit.code, visit.date, course)
            if visit.code in course.exams:
                e = course.exams[visit.code]
                self.edss.append(EdssAssessment(pid, visit.code, visit.date, e.step, dict(e.grades), e.ambulation))
            if visit.code in course.scans:
                s = course.scans[visit.code]
                self.mri.append(MriRead(pid, visit.code, visit.date, s.gel_count, s.new_enlarging_t2_count,
                                        s.cua_count, s.gel_volume_mm3, s.black_hole_volume_mm3,
                                        f"S{len(self.mri) + 1:05d}"))
            if "safety_labs" in activities and visit.week:
                code, name, category, low, high = LABS["wbc"]
                self.labs.append(LabResult(pid, visit.code, visit.date, code, name,
                                           round(float(rng.normal(6.3, 1.2)), 1), "10^9/L", low, high, category))
        for n, ae in enumerate(course.adverse_events, start=1):
            outcome = "FATAL" if ae.grade == 5 else "RECOVERED/RESOLVED" if ae.end else "NOT RECOVERED/NOT RESOLVED"
            action = "DRUG INTERRUPTED" if ae.infusion_related and ae.grade > 1 else "NOT APPLICABLE"
            self.adverse_events.append(AdverseEvent(
                pid, str(n), ae.term, ae.onset, ae.end, ae.grade, ae.serious, ae.related, outcome, action,
                severity=severity_for_grade(ae.grade).value.upper(),
                serious_criteria=("hospitalisation",) if ae.serious else ()))
        for n, relapse in enumerate(course.relapses, start=1):
            self.relapses.append(Relapse(pid, relapse.onset, relapse.confirmed,
                                         relapse.onset + D(hours=relapse.duration_hours), f"R{n}"))
            if relapse.steroids_from:
                self.conmeds.append(ConMed(pid, f"CM{n}", "methylprednisolone", relapse.steroids_from,
                                           relapse.steroids_from + D(days=int(rng.integers(2, 5))), "MS relapse"))
        at = dt.datetime.combine(c.planned_randomisation, dt.time(12, 0), tzinfo=dt.UTC)
        self.audit.append(AuditRecord(pid, "participant", pid, "sequence", None, slot.sequence, "statistician",
                                      "unblinded_statistician", at, "randomisation"))
        self.audit.append(AuditRecord(pid, "vital_sign", f"{pid}-WEIGHT", "value", None, str(c.weight_kg),
                                      "coordinator", "site_coordinator", at, "initial entry"))
        if course.withdrawal:
            on, reason = course.withdrawal
            second = protocol.visit_at_week(protocol.design.periods[-1].infusion_week).code
            period = len(protocol.design.periods) if any(v.code == second for v in course.visits) else 1
            return Disposition("WITHDRAWN", on, reason.upper(), period)
        return Disposition("COMPLETED", course.visits[-1].date)

    def infuse(self, pid: str, slot: AllocationSlot, code: str, on: dt.date, course: Course) -> None:
        """The product of the sequence for the period this visit starts; cells from the core's dose plan."""
        protocol = self.protocol
        week = protocol.visit(code).week
        period = next(p.number for p in protocol.design.periods if p.infusion_week == week)
        product = protocol.treatment_in_period(slot.sequence, period)
        weight = course.weights["W0"]
        plan = compute_dose(protocol, weight_kg=weight, viable_cells=course.viable_cells_per_kg[code] * weight)
        msc = product == "MSC"
        minutes = int(self.entry.integers(30, 61))
        start = dt.datetime.combine(on, INFUSION_START, tzinfo=dt.UTC)
        self.infusions.append(Infusion(pid, code, on, product, slot.product_code,
                                       float(round(plan.cells_to_infuse)) if msc else None,
                                       round(plan.cells_to_infuse / weight) if msc else None,
                                       plan.final_volume_ml, start, start + D(minutes=minutes)))

    def snapshot(self) -> TrialSnapshot:
        last = max(v.date for v in self.visits)
        return TrialSnapshot(
            study_id=self.protocol.identification.nct_id,
            as_of=dt.datetime.combine(last + D(days=1), dt.time(0, 0), tzinfo=dt.UTC),
            participants=tuple(sorted(self.people, key=lambda p: p.participant_id)),
            eligibility=tuple(self.eligibility),
            visits=tuple(self.visits), infusions=tuple(self.infusions), adverse_events=tuple(self.adverse_events),
            mri=tuple(self.mri), edss=tuple(self.edss), relapses=tuple(self.relapses), labs=tuple(self.labs),
            vitals=tuple(self.vitals), conmeds=tuple(self.conmeds), medical_history=tuple(self.history),
            audit=tuple(self.audit),
        )


def _participant(c: Candidate, pid: str, disposition: Disposition, *, randomization_date: dt.date | None = None,
                 sequence: str | None = None, weight_kg: float, baseline_edss: float) -> Participant:
    on = c.screening_date
    race, ethnicity = race_and_ethnicity(c.number)
    age = on.year - c.birth_date.year - ((on.month, on.day) < (c.birth_date.month, c.birth_date.day))
    return Participant(participant_id=pid, site=c.site, sex="F" if c.sex == "F" else "M", birth_date=c.birth_date,
                       age_at_consent=age, ms_course=c.course,
                       ms_onset_date=dt.date.fromisoformat(c.record["ms"]["onset_date"]), screening_date=on,
                       consent_date=on, disposition=disposition, randomization_date=randomization_date,
                       sequence=sequence, weight_kg=weight_kg, baseline_edss=baseline_edss, race=race,
                       ethnicity=ethnicity)


def simulated_snapshot(protocol: Protocol, *, seed: int = 2015, screen: int = 45, participants: int | None = None,
                       rate_ratio: float = 0.6, params: VirtualPatientParams | None = None) -> TrialSnapshot:
    """The virtual trial of ``seed``: ``screen`` people screened, ``participants`` of them randomised (default the
    protocol's target enrolment), the true MSC rate ratio ``rate_ratio``; the same seed gives the same snapshot."""
    participants = protocol.design.target_enrolment if participants is None else participants
    params = params or load_params()
    trial = _Trial(protocol, params, seed, rate_ratio)
    slots = _allocation(protocol, seed, participants)
    start = dt.date.fromisoformat(protocol.identification.dates.study_start + "-01") + D(days=45)
    numbers = dict.fromkeys(protocol.site_codes, 0)
    for c in screen_candidates(protocol, params, _stream(seed, 0), screen=screen, eligible=participants,
                               first_randomisation=start, recruitment_days=params.conduct.recruitment_days):
        numbers[c.site] += 1
        pid = f"{c.site}-{numbers[c.site]:03d}"
        exam = trial.screen(c, pid)
        if not c.eligible:
            disposition = Disposition("SCREEN FAILURE", c.planned_randomisation, "SCREEN FAILURE")
            trial.people.append(_participant(c, pid, disposition, weight_kg=c.weight_kg, baseline_edss=exam.step))
            continue
        slot = next(slots[c.site])
        msc_first = protocol.sequence(slot.sequence).treatments[0] == "MSC"
        course = plan_course(protocol, params, _stream(seed, 1, c.number), course=c.course, baseline_edss=c.edss,
                             baseline_exam=exam, weight_kg=c.weight_kg, msc_first=msc_first, rate_ratio=rate_ratio,
                             week0=c.planned_randomisation, screening_date=c.screening_date)
        disposition = trial.follow(c, pid, slot, course)
        baseline = [e.score for e in trial.edss if e.participant_id == pid and e.date <= c.planned_randomisation]
        trial.people.append(_participant(c, pid, disposition, randomization_date=c.planned_randomisation,
                                         sequence=slot.sequence, weight_kg=course.weights.get("W0", c.weight_kg),
                                         baseline_edss=baseline[-1]))
    return trial.snapshot()
