"""``mescams sim populate``: a whole virtual trial entered through the EDC services, each step by its own role.

Why through the services: the demo and the load tests then hold exactly what real use would leave behind: the
audit trail of every change with who did it, lifecycle states, allocation slots taken in list order, protocol
deviations and edit-check queries raised by the EDC itself. Nothing is written to the tables directly.

The trial, in order:

1. The unblinded statistician's allocation list (generated from the seed, unless one is already active).
2. Screening (:mod:`mescams.sim.screening`): the site coordinator screens each referred person, records consent,
   demographics, vital signs and safety labs, the EDSS rater the screening EDSS; the EDC's eligibility engine
   then passes or fails them (a verdict different from the simulation's is a bug and stops the run).
3. Each eligible person is randomised on the planned day (the next free slot of the site's stratum); the
   sequence drawn decides the simulated treatment effect (:mod:`mescams.sim.follow_up`).
4. Visits on their dates: vital signs, the infusion (site) and its release record (the cell-processing lab:
   cells from the core's dose plan, 0 for placebo), the EDSS (rater), the scan (site) and its read (the MRI
   reader, by scan ID), safety labs; adverse events, relapses and their steroids reported at the next visit;
   then withdrawal or completion.
5. Data management: a few adverse-event dates mistyped and corrected after the edit check's query, causality of
   serious events reviewed by the investigator, queries opened, answered and closed, casebooks signed.

Dates come from each participant's randomisation day and the protocol's schedule and windows; every date is a
``datetime.date`` in the past. The same seed gives the same trial (scan IDs and audit timestamps aside).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from django.db import transaction

from mescams.core.blinding import Role
from mescams.core.dosing import compute_dose
from mescams.errors import InputValidationError, TrialStateError
from mescams.sim.screening import Candidate
from mescams.sim.virtual_patients import VirtualPatientParams, load_params

__all__ = ["Cast", "DatabaseNotEmpty", "DatabaseNotMigrated", "PopulateSummary", "populate", "sim_cast"]

D = dt.timedelta
SIM_ROLES: tuple[tuple[str, Role], ...] = (
    ("sim.investigator", Role.INVESTIGATOR), ("sim.rater", Role.EDSS_RATER), ("sim.mri", Role.MRI_READER),
    ("sim.lab", Role.CELL_LAB), ("sim.statistician", Role.UNBLINDED_STATISTICIAN),
    ("sim.datamanager", Role.DATA_MANAGER),
)
"""The simulation's own users besides one coordinator per site (``sim.coordinator.<site>``)."""


class DatabaseNotEmpty(TrialStateError):
    """The database already holds participants; a virtual trial is entered into an empty trial only."""


class DatabaseNotMigrated(TrialStateError):
    """The database lacks the EDC's tables or some of its migrations."""


def _check_database(require_empty: bool) -> None:
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    from mescams.edc.trial.models import Participant

    executor = MigrationExecutor(connection)
    if executor.migration_plan(executor.loader.graph.leaf_nodes()):
        raise DatabaseNotMigrated("the database is not migrated to the current schema: run `mescams migrate` first")
    held = Participant.objects.count()
    if held and require_empty:
        raise DatabaseNotEmpty(f"the database already holds {held} participants; sim populate enters a virtual "
                               "trial into an empty trial only (point MESCAMS_DATA_DIR or MESCAMS_DATABASE_URL at a "
                               "new database)")


@dataclass(frozen=True)
class Cast:
    """The users who do each step: a coordinator per site, and one user of each other role."""

    coordinators: dict[str, Any]
    investigator: Any
    rater: Any
    mri: Any
    lab: Any
    statistician: Any
    datamanager: Any
    investigator_password: str | None = None  # to sign casebooks (re-authentication); None: none are signed


def sim_cast() -> Cast:
    """The simulation's own users (``sim.*``: a coordinator per protocol site, one user of each other role), created
    with one random password that is never stored or shown. Users left by an earlier run are reused; their
    password is unknown, so the investigator then signs no casebooks."""
    from mescams.edc.accounts.models import User
    from mescams.edc.accounts.services import create_user
    from mescams.edc.trial.sites import sync_sites
    from mescams.protocols import default_protocol

    sync_sites()
    sites = default_protocol().site_codes
    wanted = [(f"sim.coordinator.{site.lower()}", Role.SITE_COORDINATOR, [site]) for site in sites]
    wanted += [(name, role, list(sites) if role in (Role.INVESTIGATOR, Role.EDSS_RATER) else [])
               for name, role in SIM_ROLES]
    users, password, created = {}, secrets.token_urlsafe(24), set()
    for name, role, site_codes in wanted:
        users[name] = User.objects.filter(username=name).first()
        if users[name] is None:
            users[name] = create_user(username=name, password=password, role=role, site_codes=site_codes)
            created.add(name)
    return Cast(coordinators={site: users[f"sim.coordinator.{site.lower()}"] for site in sites},
                investigator=users["sim.investigator"], rater=users["sim.rater"], mri=users["sim.mri"],
                lab=users["sim.lab"], statistician=users["sim.statistician"], datamanager=users["sim.datamanager"],
                investigator_password=password if "sim.investigator" in created else None)


@dataclass
class PopulateSummary:
    """What was entered: people, screen failures by criterion, visits, forms, queries, and the time it took."""

    seed: int
    rate_ratio: float
    screened: int = 0
    not_screened: int = 0
    randomised: int = 0
    withdrawn: int = 0
    completed: int = 0
    screen_failures: Counter[str] = field(default_factory=Counter)
    visits: int = 0
    forms: dict[str, int] = field(default_factory=dict)
    open_queries: int = 0
    queries: int = 0
    deviations: int = 0
    audit_entries: int = 0
    seconds: float = 0.0

    @property
    def screen_failed(self) -> int:
        return self.screened - self.randomised

    def lines(self) -> list[str]:
        by_criterion = ", ".join(f"{c} {n}" for c, n in sorted(self.screen_failures.items(), key=_criterion_order))
        return [
            f"virtual trial entered (seed {self.seed}, true rate ratio {self.rate_ratio:g}) in {self.seconds:.1f} s",
            f"  assessed for eligibility {self.screened + self.not_screened} (pre-screening log): "
            f"{self.not_screened} not screened, {self.screened} consented and screened",
            f"  screened {self.screened}: {self.screen_failed} failed screening, {self.randomised} randomised "
            f"({self.completed} completed, {self.withdrawn} withdrawn)",
            f"  screen failures by criterion (a person may fail several): {by_criterion or 'none'}",
            f"  visits: {self.visits} ({self.screened} screening, {self.visits - self.screened} after randomisation)",
            "  forms: " + ", ".join(f"{name} {n}" for name, n in sorted(self.forms.items())),
            f"  queries: {self.queries} ({self.open_queries} open); protocol deviations: {self.deviations}; "
            f"audit entries: {self.audit_entries} (chain verified)",
        ]


def _criterion_order(item: tuple[str, int]) -> tuple[bool, int]:
    """I1-I5 before E1-E18, numerically."""
    return item[0].startswith("E"), int(item[0][1:])


class _Trial:
    """Enters one virtual trial; each method is one kind of step, done by the role that does it at a site."""

    def __init__(self, cast: Cast, params: VirtualPatientParams, rate_ratio: float, seed: int) -> None:
        from mescams.protocols import default_protocol

        self.cast, self.params, self.rate_ratio, self.seed = cast, params, rate_ratio, seed
        self.protocol = default_protocol()
        self.entry = np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(2,)))
        self.summary = PopulateSummary(seed=seed, rate_ratio=rate_ratio)

    def coordinator(self, site: str) -> Any:
        return self.cast.coordinators[site]

    def allocation_list(self, participants: int) -> None:
        from mescams.edc.randomisation.models import AllocationList
        from mescams.edc.randomisation.services import generate_list

        if not AllocationList.objects.filter(active=True).exists():
            generate_list(actor=self.cast.statistician,
                          seed=hashlib.sha256(f"mescams-sim-populate-{self.seed}".encode()).hexdigest(),
                          slots_per_site=max(self.protocol.design.target_enrolment, participants))

    def screen(self, c: Candidate) -> tuple[str, Any]:
        """Screening visit and the EDC's verdict; returns the participant ID and the rater's screening exam."""
        from mescams.edc.crfs.services import save_form
        from mescams.edc.trial import consent
        from mescams.edc.trial import services as trial
        from mescams.sim.edss_exam import exam_for

        coord, rng = self.coordinator(c.site), self.entry
        entry = self.prescreen(c.site, c.screening_date - D(days=7), c.birth_date, c.course)
        p = consent.record_consent(user=coord, site_code=c.site, consent_date=c.screening_date,
                                   consent_time=dt.time(9 + c.number % 7, (13 * c.number) % 60),
                                   form_version=consent.consent_forms().in_use_on(c.screening_date).version,
                                   prescreening_id=entry.pk)
        pid = p.participant_id
        trial.screen(user=coord, participant_id=pid, screening_date=c.screening_date, record=c.record)
        save_form(user=coord, participant_id=pid, form="demographics",
                  values={"sex": c.sex, "birth_date": c.birth_date, "ms_course": c.course,
                          "ms_onset_date": dt.date.fromisoformat(c.record["ms"]["onset_date"])})
        self.vital_signs(coord, pid, "SCR", c.screening_date, c.weight_kg, height=c.height_cm)
        exam = exam_for(c.edss, rng)
        save_form(user=self.cast.rater, participant_id=pid, form="edss",
                  values={"visit_code": "SCR", "assessment_date": c.screening_date, **exam.values()})
        for lab in c.record["labs"]:
            save_form(user=coord, participant_id=pid, form="safety_lab",
                      values={"visit_code": "SCR", "sample_date": c.screening_date, "test": lab["test"],
                              "value": float(lab["value"]), "unit": lab["unit"],
                              "clinically_significant": lab["clinically_significant"]})
        _, outcome = trial.run_eligibility(user=coord, participant_id=pid, on=c.planned_randomisation)
        if outcome.eligible is not c.eligible or tuple(outcome.failed) != c.failed:
            raise RuntimeError(f"{pid}: the EDC judged {outcome.eligible} {outcome.failed}, the simulation "
                               f"{c.eligible} {c.failed}")  # a bug, never expected
        self.summary.screened += 1
        self.summary.visits += 1
        self.summary.screen_failures.update(outcome.failed)
        return pid, exam

    def prescreen(self, site: str, on: dt.date, birth_date: dt.date, course: str, reason: str = "") -> Any:
        """A pre-screening log entry: the site's own number, an age band and the MS course (no identity)."""
        from mescams.edc.trial.consent import log_prescreening
        from mescams.edc.trial.models import PreScreening, age_band

        age = on.year - birth_date.year - ((on.month, on.day) < (birth_date.month, birth_date.day))
        number = PreScreening.objects.filter(site__code=site).count() + 1
        return log_prescreening(user=self.coordinator(site), site_code=site, local_number=f"PS-{number:03d}",
                                logged_on=on, age_band=age_band(age), ms_course=course,
                                reason_not_screened=reason)

    def not_screened(self, c: Candidate) -> None:
        """Someone considered beside ``c`` but never screened (for one in five screened; CONSORT's reasons in
        turn), logged in the pre-screening log: the log is the flow's "assessed for eligibility"."""
        from mescams.edc.trial.models import NOT_SCREENED_REASONS

        reasons = list(NOT_SCREENED_REASONS)
        self.prescreen(c.site, c.screening_date - D(days=3), c.birth_date - D(days=400 * (c.number % 9)), c.course,
                       reason=reasons[self.summary.not_screened % len(reasons)])
        self.summary.not_screened += 1

    def vital_signs(self, coord: Any, pid: str, code: str, on: dt.date, weight: float, height: int | None = None
                    ) -> None:
        from mescams.edc.crfs.services import save_form

        rng = self.entry
        systolic = int(rng.integers(105, 145))
        save_form(user=coord, participant_id=pid, form="vital_signs",
                  values={"visit_code": code, "assessment_date": on, "weight_kg": weight, "height_cm": height,
                          "systolic_mmhg": systolic, "diastolic_mmhg": int(rng.integers(62, min(systolic - 20, 95))),
                          "heart_rate_bpm": int(rng.integers(56, 92)),
                          "temperature_c": round(float(rng.uniform(36.3, 37.2)), 1)})

    def randomise_and_follow(self, c: Candidate, pid: str, screening_exam: Any, number: int) -> None:
        from mescams.edc.randomisation.services import randomise
        from mescams.sim._populate_visits import enter_course
        from mescams.sim.follow_up import plan_course

        slot = randomise(user=self.coordinator(c.site), participant_id=pid, on=c.planned_randomisation)
        msc_first = self.protocol.sequence(slot.sequence).treatments[0] == "MSC"  # the simulation's omniscience
        rng = np.random.default_rng(np.random.SeedSequence(self.seed, spawn_key=(1, number)))
        course = plan_course(self.protocol, self.params, rng, course=c.course, baseline_edss=c.edss,
                             baseline_exam=screening_exam, weight_kg=c.weight_kg, msc_first=msc_first,
                             rate_ratio=self.rate_ratio, week0=c.planned_randomisation,
                             screening_date=c.screening_date)
        enter_course(self, c, pid, slot, course)
        self.summary.randomised += 1
        self.summary.visits += len(course.visits)
        if course.withdrawal:
            self.summary.withdrawn += 1
        else:
            self.summary.completed += 1

    def dose(self, weight_kg: float, viable_per_kg: float) -> tuple[float, float]:
        """Cells in an MSC product and its volume, from the core's dose plan on the weight at randomisation."""
        plan = compute_dose(self.protocol, weight_kg=weight_kg, viable_cells=viable_per_kg * weight_kg)
        return plan.cells_to_infuse, plan.final_volume_ml


def populate(*, screen: int = 45, participants: int = 31, rate_ratio: float = 0.6, seed: int = 1,
             params: VirtualPatientParams | None = None, cast: Cast | None = None,
             require_empty: bool = True) -> PopulateSummary:
    """Enter a virtual trial of ``screen`` people screened, ``participants`` of them randomised, into the configured
    database, in one transaction (all or nothing). DatabaseNotEmpty if it already holds participants."""
    from mescams.edc.audit.verify import verify_audit_trail
    from mescams.edc.crfs.models import FORMS
    from mescams.edc.queries.models import Query
    from mescams.edc.trial.models import ProtocolDeviation
    from mescams.sim._populate_visits import data_management
    from mescams.sim.screening import screen_candidates

    if participants < 2:
        raise InputValidationError("participants", "a crossover trial needs at least 2 participants")
    if screen < participants:
        raise InputValidationError("screen", f"must be at least the number of participants ({participants})")
    if not rate_ratio > 0:
        raise InputValidationError("rate_ratio", "must be a positive number")
    _check_database(require_empty)
    started = time.perf_counter()
    params = params or load_params()
    with transaction.atomic():
        run = _Trial(cast or sim_cast(), params, rate_ratio, seed)
        protocol = run.protocol
        run.allocation_list(participants)
        start = dt.date.fromisoformat(protocol.identification.dates.study_start + "-01") + D(days=45)
        people = screen_candidates(protocol, params, np.random.default_rng(np.random.SeedSequence(seed,
                                                                                                 spawn_key=(0,))),
                                   screen=screen, eligible=participants, first_randomisation=start,
                                   recruitment_days=params.conduct.recruitment_days)
        for c in people:
            if c.number % 5 == 0:
                run.not_screened(c)
            pid, exam = run.screen(c)
            if c.eligible:
                run.randomise_and_follow(c, pid, exam, c.number)
        data_management(run)
    summary = run.summary
    summary.forms = {name: model.objects.count() for name, model in FORMS.items()}
    summary.queries = Query.objects.count()
    summary.open_queries = Query.objects.exclude(status="closed").count()
    summary.deviations = ProtocolDeviation.objects.count()
    summary.audit_entries = verify_audit_trail().entries
    summary.seconds = time.perf_counter() - started
    return summary
