"""A whole virtual trial entered through the EDC services, each step by its own role (``mescams sim populate``,
``mescams demo load``).

Why through the services: the demo and the load tests then hold exactly what real use would leave behind: the
audit trail of every change with who did it, lifecycle states, allocation slots taken in list order, protocol
deviations and edit-check queries raised by the EDC itself. Nothing is written to the tables directly. Why in the
EDC demo: the simulation (:mod:`mescams.sim`) only generates people and their courses, as plain values, and never
imports the EDC; entering them is the EDC's business.

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
import secrets
import time

import numpy as np
from django.db import connection, transaction
from django.db.migrations.executor import MigrationExecutor

from mescams.core.blinding import Role
from mescams.edc.accounts.models import User
from mescams.edc.accounts.services import create_user
from mescams.edc.audit.verify import verify_audit_trail
from mescams.edc.crfs.models import FORMS
from mescams.edc.demo.entry import Cast, PopulateSummary, TrialEntry
from mescams.edc.demo.visits import data_management, enter_course
from mescams.edc.queries.models import Query
from mescams.edc.randomisation.services import randomise
from mescams.edc.trial.models import Participant, ProtocolDeviation
from mescams.edc.trial.sites import sync_sites
from mescams.errors import InputValidationError, TrialStateError
from mescams.protocols import default_protocol
from mescams.sim.edss_exam import Exam
from mescams.sim.follow_up import plan_course
from mescams.sim.screening import Candidate, screen_candidates
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
    executor = MigrationExecutor(connection)
    if executor.migration_plan(executor.loader.graph.leaf_nodes()):
        raise DatabaseNotMigrated("the database is not migrated to the current schema: run `mescams migrate` first")
    held = Participant.objects.count()
    if held and require_empty:
        raise DatabaseNotEmpty(f"the database already holds {held} participants; sim populate enters a virtual "
                               "trial into an empty trial only (point MESCAMS_DATA_DIR or MESCAMS_DATABASE_URL at a "
                               "new database)")


def sim_cast() -> Cast:
    """The simulation's own users (``sim.*``: a coordinator per protocol site, one user of each other role), created
    with one random password that is never stored or shown. Users left by an earlier run are reused; their
    password is unknown, so the investigator then signs no casebooks."""
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


def _randomise_and_follow(run: TrialEntry, c: Candidate, pid: str, screening_exam: Exam, number: int) -> None:
    """Randomise an eligible person on the planned day, then enter their simulated course."""
    slot = randomise(user=run.coordinator(c.site), participant_id=pid, on=c.planned_randomisation)
    msc_first = run.protocol.sequence(slot.sequence).treatments[0] == "MSC"  # the simulation's omniscience
    rng = np.random.default_rng(np.random.SeedSequence(run.seed, spawn_key=(1, number)))
    course = plan_course(run.protocol, run.params, rng, course=c.course, baseline_edss=c.edss,
                         baseline_exam=screening_exam, weight_kg=c.weight_kg, msc_first=msc_first,
                         rate_ratio=run.rate_ratio, week0=c.planned_randomisation,
                         screening_date=c.screening_date)
    enter_course(run, c, pid, slot, course)
    run.summary.randomised += 1
    run.summary.visits += len(course.visits)
    if course.withdrawal:
        run.summary.withdrawn += 1
    else:
        run.summary.completed += 1


def populate(*, screen: int = 45, participants: int = 31, rate_ratio: float = 0.6, seed: int = 1,
             params: VirtualPatientParams | None = None, cast: Cast | None = None,
             require_empty: bool = True) -> PopulateSummary:
    """Enter a virtual trial of ``screen`` people screened, ``participants`` of them randomised, into the configured
    database, in one transaction (all or nothing). DatabaseNotEmpty if it already holds participants."""
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
        run = TrialEntry(cast or sim_cast(), params, rate_ratio, seed)
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
                _randomise_and_follow(run, c, pid, exam, c.number)
        data_management(run)
    summary = run.summary
    summary.forms = {name: model.objects.count() for name, model in FORMS.items()}
    summary.queries = Query.objects.count()
    summary.open_queries = Query.objects.exclude(status="closed").count()
    summary.deviations = ProtocolDeviation.objects.count()
    summary.audit_entries = verify_audit_trail().entries
    summary.seconds = time.perf_counter() - started
    return summary
