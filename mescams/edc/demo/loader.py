"""``mescams demo load``: a demo trial entered through the same services the API uses.

Both sites, one user per role (plus a second coordinator for the second site), 45 people screened with realistic
screen failures, 31 randomised, their visits through week 48 with infusions, MRI reads, EDSS, adverse events and
relapses, a withdrawal, a few out-of-window visits (protocol deviations) and open queries.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import math
import random
from dataclasses import dataclass, field

from django.db import transaction

from mescams.core.blinding import Role
from mescams.edc.accounts.models import User
from mescams.edc.accounts.services import create_user
from mescams.edc.crfs.clinical import treatment_at_infusion
from mescams.edc.crfs.services import read_scan, record_lab_product, save_form
from mescams.edc.demo.people import Candidate, make_candidates
from mescams.edc.queries import services as queries
from mescams.edc.queries.models import Query
from mescams.edc.randomisation.models import AllocationSlot
from mescams.edc.randomisation.services import generate_list, randomise
from mescams.edc.trial import services as trial
from mescams.edc.trial.models import Participant
from mescams.edc.trial.sites import sync_sites
from mescams.errors import MescamsError
from mescams.protocols import default_protocol

D = dt.timedelta

DEMO_USERS: list[tuple[str, Role, list[str]]] = [
    ("coordinator", Role.SITE_COORDINATOR, ["OTT"]),
    ("coordinator.wpg", Role.SITE_COORDINATOR, ["WPG"]),
    ("investigator", Role.INVESTIGATOR, ["OTT", "WPG"]),
    ("rater", Role.EDSS_RATER, ["OTT", "WPG"]),
    ("mri", Role.MRI_READER, []),
    ("lab", Role.CELL_LAB, []),
    ("statistician", Role.UNBLINDED_STATISTICIAN, []),
    ("datamanager", Role.DATA_MANAGER, []),
    ("dsmb", Role.DSMB, []),
    ("admin", Role.ADMINISTRATOR, []),
]
AE_TERMS = [("Headache", 1), ("Fatigue", 1), ("Infusion site reaction", 1), ("Upper respiratory infection", 2),
            ("Urinary tract infection", 2), ("Nausea", 1), ("Back pain", 1), ("Fever", 1), ("Dizziness", 1),
            ("Pneumonia", 3)]


def demo_password(username: str) -> str:
    """The demo password of a demo user (demo mode only; printed by ``make run``)."""
    return f"demo-{username}-2015"


class DemoAlreadyLoaded(MescamsError):
    """The database already holds participants; the demo loads into an empty trial only."""


@dataclass
class DemoSummary:
    users: list[tuple[str, str, str]] = field(default_factory=list)
    screened: int = 0
    randomised: int = 0
    screen_failed: int = 0
    counts: dict[str, int] = field(default_factory=dict)

    def lines(self) -> list[str]:
        out = [f"demo trial loaded: {self.screened} screened, {self.screen_failed} screen failures, "
               f"{self.randomised} randomised"]
        out += [f"  {name}: {n}" for name, n in sorted(self.counts.items())]
        out.append("demo log-ins (demo mode only):")
        out += [f"  {u:<16} {pw:<28} {role}" for u, pw, role in self.users]
        return out


def _poisson(rng: random.Random, mean: float) -> int:
    limit, k, p = math.exp(-mean), 0, 1.0
    while True:
        p *= rng.random()
        if p <= limit:
            return k
        k += 1


class _Loader:
    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed + 1)
        self.seed = seed
        self.protocol = default_protocol()
        self.users: dict[str, User] = {}
        self.summary = DemoSummary()
        self.shift_budget = 4

    def user(self, name: str) -> User:
        return self.users[name]

    def coordinator(self, site: str) -> User:
        return self.user("coordinator" if site == "OTT" else "coordinator.wpg")

    def make_users(self) -> None:
        sync_sites()
        for name, role, sites in DEMO_USERS:
            existing = User.objects.filter(username=name).first()
            self.users[name] = existing or create_user(username=name, password=demo_password(name), role=role,
                                                       site_codes=sites)
            self.summary.users.append((name, demo_password(name), role.label))

    def visit_date(self, week0: dt.date, code: str) -> dt.date:
        week = self.protocol.visit(code).week or 0
        planned = week0 + D(weeks=week)
        if week and self.shift_budget and self.rng.random() < 0.03:
            self.shift_budget -= 1
            return planned + D(days=10)  # outside the +/-7 day window: a protocol deviation
        return planned + D(days=self.rng.randint(-3, 3) if week else 0)

    def run(self, candidates: list[Candidate]) -> None:
        stat = self.user("statistician")
        generate_list(actor=stat, seed=hashlib.sha256(f"mescams-demo-{self.seed}".encode()).hexdigest())
        withdraw_at = 19
        randomised = 0
        for c in candidates:
            coord = self.coordinator(c.site)
            p = trial.screen(user=coord, site_code=c.site, screening_date=c.screening_date, record=c.record)
            self.summary.screened += 1
            trial.record_consent(user=coord, participant_id=p.participant_id, consent_date=c.screening_date,
                                 form_version="v3.1 2015-05-12")
            save_form(user=coord, participant_id=p.participant_id, form="demographics",
                      values={"sex": c.record["sex"], "birth_date": dt.date.fromisoformat(c.record["birth_date"]),
                              "ms_course": c.record["ms"]["course"],
                              "ms_onset_date": dt.date.fromisoformat(c.record["ms"]["onset_date"])})
            save_form(user=coord, participant_id=p.participant_id, form="vital_signs",
                      values={"visit_code": "SCR", "assessment_date": c.screening_date, "weight_kg": c.weight_kg,
                              "height_cm": round(self.rng.uniform(155, 190)), "systolic_mmhg": 120,
                              "diastolic_mmhg": 78, "heart_rate_bpm": 70, "temperature_c": 36.7})
            _, outcome = trial.run_eligibility(user=coord, participant_id=p.participant_id,
                                               on=c.planned_randomisation)
            if outcome.eligible is not True:
                self.summary.screen_failed += 1
                continue
            randomise(user=coord, participant_id=p.participant_id, on=c.planned_randomisation)
            randomised += 1
            self.follow_up(c, p.participant_id, withdraw=randomised == withdraw_at)
        self.summary.randomised = randomised
        self.data_management()

    def follow_up(self, c: Candidate, pid: str, *, withdraw: bool) -> None:
        coord, rater, mri, lab = self.coordinator(c.site), self.user("rater"), self.user("mri"), self.user("lab")
        slot = AllocationSlot.objects.get(participant__participant_id=pid)
        week0 = c.planned_randomisation
        frailty = self.rng.gammavariate(1.3, 1.0)
        fs = dict(c.fs)
        for visit in self.protocol.scheduled_visits:
            code = visit.code
            on = self.visit_date(week0, code)
            if "vital_signs" in visit.activities:
                save_form(user=coord, participant_id=pid, form="vital_signs",
                          values={"visit_code": code, "assessment_date": on,
                                  "weight_kg": round(c.weight_kg + self.rng.uniform(-1.5, 1.5), 1),
                                  "systolic_mmhg": self.rng.randint(105, 140),
                                  "diastolic_mmhg": self.rng.randint(65, 90),
                                  "heart_rate_bpm": self.rng.randint(58, 90), "temperature_c": 36.6})
            if "infusion" in visit.activities:
                on = week0 + D(weeks=visit.week or 0)
                save_form(user=coord, participant_id=pid, form="infusion",
                          values={"visit_code": code, "infusion_date": on, "product_code": slot.product_code,
                                  "volume_ml": 50.0, "start_time": dt.time(10, 0), "stop_time": dt.time(10, 45),
                                  "reactions": ""})
                treatment = treatment_at_infusion(slot.sequence, code)
                weight = c.weight_kg
                cells = round(weight * self.rng.uniform(1.2e6, 1.8e6)) if treatment == "MSC" else 0.0
                record_lab_product(user=lab, participant_id=pid, visit_code=code, cells_infused=float(cells),
                                   viability_percent=round(self.rng.uniform(85, 97), 1))
            if "edss" in visit.activities:
                if (visit.week or 0) > 0 and self.rng.random() < 0.12:
                    fs["pyramidal"] = min(6, fs["pyramidal"] + 1)
                save_form(user=rater, participant_id=pid, form="edss",
                          values={"visit_code": code, "assessment_date": on, **fs, "ambulation": c.ambulation})
            if "mri_gadolinium" in visit.activities:
                scan = save_form(user=coord, participant_id=pid, form="mri",
                                 values={"visit_code": code, "scan_date": on})
                period = self.protocol.period_of_week(visit.week or 0)
                msc = period is not None and self.protocol.treatment_in_period(slot.sequence, period) == "MSC"
                gel = _poisson(self.rng, 1.4 * frailty * (0.55 if msc else 1.0))
                t2 = _poisson(self.rng, 0.8 * frailty)
                read_scan(user=mri, scan_id=scan.scan_id,  # type: ignore[attr-defined]
                          values={"gel_count": gel, "new_enlarging_t2_count": t2,
                                  "cua_count": max(gel, t2) + (min(gel, t2) // 2),
                                  "gel_volume_mm3": round(gel * self.rng.uniform(20, 120), 1),
                                  "black_hole_volume_mm3": round(self.rng.uniform(100, 2500), 1)})
            if "safety_labs" in visit.activities:
                save_form(user=coord, participant_id=pid, form="safety_lab",
                          values={"visit_code": code, "sample_date": on, "test": "wbc",
                                  "value": round(self.rng.uniform(4, 9.5), 1), "unit": "10^9/L"})
            if withdraw and code == "W12":
                trial.withdraw(user=coord, participant_id=pid, reason="relocated out of province", on=on + D(days=20))
                break
        self.adverse_events(coord, pid, week0, until=48 if not withdraw else 14)
        if not withdraw:
            if self.rng.random() < 0.3:
                onset = week0 + D(days=self.rng.randint(20, 320))
                save_form(user=coord, participant_id=pid, form="relapse",
                          values={"onset_date": onset, "duration_hours": self.rng.randint(48, 400),
                                  "fever_or_infection": False, "confirmed": True, "treated_with_steroids": True})
            trial.complete(user=coord, participant_id=pid)

    def adverse_events(self, coord: User, pid: str, week0: dt.date, *, until: int) -> None:
        for _ in range(self.rng.choice([0, 1, 1, 2, 2, 3])):
            term, grade = self.rng.choice(AE_TERMS)
            onset = week0 + D(days=self.rng.randint(0, until * 7))
            serious = grade >= 3
            save_form(user=coord, participant_id=pid, form="adverse_event",
                      values={"term": term, "onset_date": onset, "end_date": onset + D(days=self.rng.randint(1, 20)),
                              "severity_grade": grade, "serious": serious,
                              "serious_criteria": ["hospitalisation"] if serious else [],
                              "related": term == "Infusion site reaction" or self.rng.random() < 0.2,
                              "action": "treatment_given" if grade > 1 else "none", "outcome": "recovered"})

    def data_management(self) -> None:
        dm, inv = self.user("datamanager"), self.user("investigator")
        randomised = list(Participant.objects.filter(allocation__isnull=False).order_by("participant_id"))
        # An AE whose end date was typed before its onset: the edit check raises a query.
        # The site corrects the dates (a reason is required) and answers; the data manager has yet to close it.
        first = randomised[0]
        coord = self.coordinator(first.site.code)
        ae = save_form(user=coord, participant_id=first.participant_id, form="adverse_event",
                       values={"term": "Headache", "onset_date": first.week0_date + D(days=30),
                               "end_date": first.week0_date + D(days=28), "severity_grade": 1, "serious": False,
                               "serious_criteria": [], "related": False, "action": "none", "outcome": "recovered"})
        save_form(user=coord, participant_id=first.participant_id, form="adverse_event", record_pk=ae.pk,
                  values={"end_date": first.week0_date + D(days=32)}, reason="end date mistyped; source checked")
        raised = Query.objects.get(participant=first, edit_check="ae_end_before_onset")
        queries.answer_query(user=coord, query_id=raised.pk, answer="End date corrected to the source document.")
        asked = []
        for p in randomised[1:4]:
            asked.append(queries.open_query(user=dm, participant_id=p.participant_id, form="vital_signs",
                                            field="weight_kg", text="Please confirm the weight at week 0."))
        queries.answer_query(user=self.coordinator(randomised[1].site.code), query_id=asked[0].pk,
                             answer="Confirmed against the source document.")
        queries.close_query(user=dm, query_id=asked[0].pk)
        completed = [p for p in randomised if p.status == "completed"][:2]
        for p in Participant.objects.filter(pk__in=[c.pk for c in completed]):
            queries.sign_casebook(user=inv, participant_id=p.participant_id, password=demo_password("investigator"),
                                  meaning="I have reviewed this casebook and attest that it is complete and accurate.")


def load_demo(*, seed: int = 20150601, force: bool = False) -> DemoSummary:
    """Load the demo trial into an empty database (DemoAlreadyLoaded otherwise, unless ``force``)."""
    from mescams.edc.audit.verify import verify_audit_trail
    from mescams.edc.crfs.models import FORMS
    from mescams.edc.trial.models import ProtocolDeviation

    if Participant.objects.exists() and not force:
        raise DemoAlreadyLoaded("the database already holds participants; the demo loads into an empty trial")
    loader = _Loader(seed)
    with transaction.atomic():
        loader.make_users()
        loader.run(make_candidates(seed))
    summary = loader.summary
    summary.counts = {f"{name} records": model.objects.count() for name, model in FORMS.items()}
    summary.counts["open queries"] = Query.objects.exclude(status="closed").count()
    summary.counts["protocol deviations"] = ProtocolDeviation.objects.count()
    summary.counts["audit entries"] = verify_audit_trail().entries
    return summary

