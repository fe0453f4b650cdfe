"""One virtual trial being entered into the EDC: who does each step (:class:`Cast`), what was entered so far
(:class:`PopulateSummary`) and the screening-side steps, each through the EDC services by the role that does it
(:class:`TrialEntry`). Used by :mod:`mescams.edc.demo.populate` and :mod:`mescams.edc.demo.visits`.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from mescams.core.dosing import compute_dose
from mescams.edc.crfs.services import save_form
from mescams.edc.randomisation.models import AllocationList
from mescams.edc.randomisation.services import generate_list
from mescams.edc.trial import consent
from mescams.edc.trial import services as trial
from mescams.edc.trial.models import NOT_SCREENED_REASONS, PreScreening, age_band
from mescams.errors import EditChecksFailed
from mescams.protocols import default_protocol
from mescams.sim.edss_exam import exam_for
from mescams.sim.screening import Candidate
from mescams.sim.virtual_patients import VirtualPatientParams

__all__ = ["Cast", "PopulateSummary", "TrialEntry"]

D = dt.timedelta


RACE_MIX = ("WHITE",) * 8 + ("ASIAN", "BLACK OR AFRICAN AMERICAN", "NOT REPORTED", "AMERICAN INDIAN OR ALASKA NATIVE")
ETHNICITY_MIX = ("NOT HISPANIC OR LATINO",) * 6 + ("HISPANIC OR LATINO", "NOT REPORTED")


def demo_race(number: int) -> tuple[str, str]:
    """(race, ethnicity) of the demo's candidate ``number``: a fixed mix, no random draw, so the demo's random
    stream (and every other value it makes) is unchanged by the two questions added to the Demographics form."""
    return RACE_MIX[(7 * number) % len(RACE_MIX)], ETHNICITY_MIX[(5 * number) % len(ETHNICITY_MIX)]


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


class TrialEntry:
    """Enters one virtual trial; each method is one kind of step, done by the role that does it at a site."""

    def __init__(self, cast: Cast, params: VirtualPatientParams, rate_ratio: float, seed: int) -> None:
        self.cast, self.params, self.rate_ratio, self.seed = cast, params, rate_ratio, seed
        self.protocol = default_protocol()
        self.entry = np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(2,)))
        self.summary = PopulateSummary(seed=seed, rate_ratio=rate_ratio)

    def coordinator(self, site: str) -> Any:
        return self.cast.coordinators[site]

    def allocation_list(self, participants: int) -> None:
        if not AllocationList.objects.filter(active=True).exists():
            generate_list(actor=self.cast.statistician,
                          seed=hashlib.sha256(f"mescams-sim-populate-{self.seed}".encode()).hexdigest(),
                          slots_per_site=max(self.protocol.design.target_enrolment, participants))

    def screen(self, c: Candidate) -> tuple[str, Any]:
        """Screening visit and the EDC's verdict; returns the participant ID and the rater's screening exam."""
        coord, rng = self.coordinator(c.site), self.entry
        entry = self.prescreen(c.site, c.screening_date - D(days=7), c.birth_date, c.course)
        form = consent.consent_forms().in_use_on(c.screening_date)
        if form is None:
            raise ValueError(f"screening_date: no consent form version in use on {c.screening_date}")
        p = consent.record_consent(user=coord, site_code=c.site, consent_date=c.screening_date,
                                   consent_time=dt.time(9 + c.number % 7, (13 * c.number) % 60),
                                   form_version=form.version,
                                   prescreening_id=entry.pk)
        pid = p.participant_id
        trial.screen(user=coord, participant_id=pid, screening_date=c.screening_date, record=c.record)
        race, ethnicity = demo_race(c.number)
        save_form(user=coord, participant_id=pid, form="demographics",
                  values={"sex": c.sex, "birth_date": c.birth_date, "race": race, "ethnicity": ethnicity,
                          "ms_course": c.course, "ms_onset_date": dt.date.fromisoformat(c.record["ms"]["onset_date"])})
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
        age = on.year - birth_date.year - ((on.month, on.day) < (birth_date.month, birth_date.day))
        number = PreScreening.objects.filter(site__code=site).count() + 1
        return consent.log_prescreening(user=self.coordinator(site), site_code=site, local_number=f"PS-{number:03d}",
                                logged_on=on, age_band=age_band(age), ms_course=course,
                                reason_not_screened=reason)

    def not_screened(self, c: Candidate) -> None:
        """Someone considered beside ``c`` but never screened (for one in five screened; CONSORT's reasons in
        turn), logged in the pre-screening log: the log is the flow's "assessed for eligibility"."""
        reasons = list(NOT_SCREENED_REASONS)
        self.prescreen(c.site, c.screening_date - D(days=3), c.birth_date - D(days=400 * (c.number % 9)), c.course,
                       reason=reasons[self.summary.not_screened % len(reasons)])
        self.summary.not_screened += 1

    def vital_signs(self, coord: Any, pid: str, code: str, on: dt.date, weight: float, height: int | None = None
                    ) -> None:
        """Vital signs as the coordinator enters them; a value a soft check questions (a weight that drifted below
        the plausible range) is confirmed against the source with a reason, as a coordinator would."""
        rng = self.entry
        systolic = int(rng.integers(105, 145))
        values = {"visit_code": code, "assessment_date": on, "weight_kg": weight, "height_cm": height,
                  "systolic_mmhg": systolic, "diastolic_mmhg": int(rng.integers(62, min(systolic - 20, 95))),
                  "heart_rate_bpm": int(rng.integers(56, 92)),
                  "temperature_c": round(float(rng.uniform(36.3, 37.2)), 1)}
        try:
            save_form(user=coord, participant_id=pid, form="vital_signs", values=values)
        except EditChecksFailed as questioned:
            if not all(f.confirmable for f in questioned.failures):
                raise
            save_form(user=coord, participant_id=pid, form="vital_signs", values=values,
                      confirm_checks={f.check for f in questioned.failures},
                      reason="Checked against the source document: the value is correct.")

    def dose(self, weight_kg: float, viable_per_kg: float) -> tuple[float, float]:
        """Cells in an MSC product and its volume, from the core's dose plan on the weight at randomisation."""
        plan = compute_dose(self.protocol, weight_kg=weight_kg, viable_cells=viable_per_kg * weight_kg)
        return plan.cells_to_infuse, plan.final_volume_ml
