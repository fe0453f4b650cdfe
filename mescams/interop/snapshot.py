"""A typed, framework-free picture of the trial's clinical data at one moment: what every export reads.

Why a snapshot: the exports (SDTM, ODM, ClinicalTrials.gov results) must not depend on the web framework or the
database schema of the EDC. An adapter (the database, a demo generator, a test factory) builds a
:class:`TrialSnapshot`; everything in :mod:`mescams.interop` reads only this. All values are plain Python:
dates are :class:`datetime.date`, times are timezone-aware, codes are the protocol's codes (site ``OTT``,
sequence ``MSC-PLACEBO``, product ``MSC``, visit ``W24``).

A snapshot carries treatment allocation (sequence, product infused): it is unblinded data, and only roles allowed
to see allocation may receive anything built from it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Literal

__all__ = [
    "AdverseEvent",
    "AuditRecord",
    "ConMed",
    "DictionaryVersion",
    "Disposition",
    "EdssAssessment",
    "EligibilityResult",
    "Infusion",
    "LabResult",
    "MeddraCoding",
    "MedicalHistory",
    "PRIOR_THERAPY_CATEGORY",
    "MriRead",
    "Participant",
    "Relapse",
    "TrialSnapshot",
    "VisitAttendance",
    "VitalSign",
    "WhodrugCoding",
]

DispositionStatus = Literal["SCREEN FAILURE", "ONGOING", "COMPLETED", "WITHDRAWN"]
FS_NAMES = ("visual", "brainstem", "pyramidal", "cerebellar", "sensory", "bowel_bladder", "cerebral")


@dataclass(frozen=True)
class Disposition:
    """Where a person ended: screen failure, still in the trial, completed week 48, or withdrawn (with reason)."""

    status: DispositionStatus
    date: dt.date | None = None
    reason: str | None = None
    #: the protocol period (1 or 2) during which a randomised participant withdrew; None otherwise
    period: int | None = None


@dataclass(frozen=True)
class Participant:
    """One screened person; the randomisation fields are None for a screen failure."""

    participant_id: str
    site: str
    sex: Literal["F", "M"]
    birth_date: dt.date | None
    age_at_consent: int
    ms_course: str
    ms_onset_date: dt.date | None
    screening_date: dt.date
    consent_date: dt.date
    disposition: Disposition
    randomization_date: dt.date | None = None
    sequence: str | None = None
    weight_kg: float | None = None
    baseline_edss: float | None = None
    race: str | None = None
    ethnicity: str | None = None

    @property
    def randomised(self) -> bool:
        return self.randomization_date is not None and self.sequence is not None

    randomized = randomised  # the earlier spelling, kept working for callers written with it


@dataclass(frozen=True)
class EligibilityResult:
    """The eligibility engine's verdict on one criterion at screening: met True/False, or None (unknown)."""

    participant_id: str
    criterion_id: str
    met: bool | None
    assessed_on: dt.date


@dataclass(frozen=True)
class VisitAttendance:
    """A visit that took place: the protocol visit code and the date it happened."""

    participant_id: str
    visit_code: str
    date: dt.date


@dataclass(frozen=True)
class Infusion:
    """An infusion actually given: the product is the true allocation (MSC or PLACEBO), not the blinded code."""

    participant_id: str
    visit_code: str
    date: dt.date
    product: str
    product_code: str
    cells_infused: float | None
    cells_per_kg: float | None
    volume_ml: float
    start: dt.datetime | None = None
    end: dt.datetime | None = None


@dataclass(frozen=True)
class MeddraCoding:
    """An AE or medical history term's MedDRA coding: the LLT chosen, its PT and the PT's primary path (HLT, HLGT,
    SOC)."""

    llt_code: int
    llt_name: str
    pt_code: int
    pt_name: str
    hlt_code: int
    hlt_name: str
    hlgt_code: int
    hlgt_name: str
    soc_code: int
    soc_name: str
    version: str


@dataclass(frozen=True)
class WhodrugCoding:
    """A medication's WHODrug coding: the drug name matched, its preferred name and its ATC class."""

    drug_code: str
    drug_name: str
    preferred_code: str
    preferred_name: str
    atc_code: str
    atc_text: str
    version: str


@dataclass(frozen=True)
class DictionaryVersion:
    """A coding dictionary the snapshot's codes come from (``MedDRA``, ``27.0``), for Define-XML and results."""

    name: str
    version: str


@dataclass(frozen=True)
class AdverseEvent:
    """An adverse event as recorded (CTCAE grade 1-5; related = investigator's judgement of relation to infusion);
    ``meddra`` its coding once coded (``body_system`` is then the primary SOC's name)."""

    participant_id: str
    ae_id: str
    term: str
    onset_date: dt.date
    end_date: dt.date | None
    grade: int
    serious: bool
    related: bool
    outcome: str = "RECOVERED/RESOLVED"
    action: str = "NOT APPLICABLE"
    body_system: str | None = None
    meddra: MeddraCoding | None = None
    severity: str | None = None  # MILD, MODERATE or SEVERE (SDTM AESEV); None when not recorded
    serious_criteria: tuple[str, ...] = ()  # ICH E2A criteria of a serious event (mescams.core.safety.seriousness)


@dataclass(frozen=True)
class MriRead:
    """One brain MRI scan read by the blinded reader; counts are lesions, volumes are mm3."""

    participant_id: str
    visit_code: str
    scan_date: dt.date
    gel_count: int
    new_enlarging_t2_count: int | None
    cua_count: int | None
    gel_volume_mm3: float | None
    black_hole_volume_mm3: float | None
    scan_id: str | None = None


@dataclass(frozen=True)
class EdssAssessment:
    """A Neurostatus EDSS: the rater's step, the seven functional system scores and the ambulation score."""

    participant_id: str
    visit_code: str
    date: dt.date
    score: float
    fs_scores: dict[str, int] = field(default_factory=dict)
    ambulation: int | None = None


@dataclass(frozen=True)
class Relapse:
    """A relapse reported and assessed by the investigator."""

    participant_id: str
    onset_date: dt.date
    confirmed: bool
    end_date: dt.date | None = None
    relapse_id: str | None = None


@dataclass(frozen=True)
class LabResult:
    """One safety laboratory result with its unit and reference range."""

    participant_id: str
    visit_code: str
    date: dt.date
    test_code: str
    test_name: str
    value: float
    unit: str
    low: float | None = None
    high: float | None = None
    category: str = "HEMATOLOGY"


@dataclass(frozen=True)
class VitalSign:
    """One vital sign or weight measurement."""

    participant_id: str
    visit_code: str
    date: dt.date
    test_code: str
    test_name: str
    value: float
    unit: str


PRIOR_THERAPY_CATEGORY = "PRIOR MS THERAPY"
"""``ConMed.category`` (CMCAT) of the screening record's therapies: the disease-modifying (and relapse) treatment
history before the trial."""


@dataclass(frozen=True)
class ConMed:
    """A concomitant or prior medication (lower-case generic name, as in the protocol's drug classes); ``category``
    names a prior therapy's kind (``PRIOR MS THERAPY``: the screening record's therapies), None for a conmed."""

    participant_id: str
    medication_id: str
    drug: str
    start_date: dt.date | None
    end_date: dt.date | None
    indication: str | None = None
    ongoing: bool = False
    whodrug: WhodrugCoding | None = None
    category: str | None = None


@dataclass(frozen=True)
class MedicalHistory:
    """A medical history condition recorded at screening; ``meddra`` its coding once coded."""

    participant_id: str
    mh_id: str
    term: str
    start_date: dt.date | None
    ongoing: bool
    category: str = "GENERAL"
    meddra: MeddraCoding | None = None


@dataclass(frozen=True)
class AuditRecord:
    """One entry of the audit trail of a clinical data value (who, when, what, old, new, why)."""

    participant_id: str
    table: str
    record_id: str
    field: str
    old_value: str | None
    new_value: str | None
    user: str
    role: str
    at: dt.datetime
    reason: str


@dataclass(frozen=True)
class TrialSnapshot:
    """Everything the exports need, for every screened person, as of ``as_of``."""

    study_id: str
    as_of: dt.datetime
    participants: tuple[Participant, ...]
    eligibility: tuple[EligibilityResult, ...] = ()
    visits: tuple[VisitAttendance, ...] = ()
    infusions: tuple[Infusion, ...] = ()
    adverse_events: tuple[AdverseEvent, ...] = ()
    mri: tuple[MriRead, ...] = ()
    edss: tuple[EdssAssessment, ...] = ()
    relapses: tuple[Relapse, ...] = ()
    labs: tuple[LabResult, ...] = ()
    vitals: tuple[VitalSign, ...] = ()
    conmeds: tuple[ConMed, ...] = ()
    medical_history: tuple[MedicalHistory, ...] = ()
    audit: tuple[AuditRecord, ...] = ()
    dictionaries: tuple[DictionaryVersion, ...] = ()

    @property
    def randomised(self) -> tuple[Participant, ...]:
        return tuple(p for p in self.participants if p.randomised)

    randomized = randomised  # the earlier spelling, kept working for callers written with it

    def participant(self, participant_id: str) -> Participant:
        for p in self.participants:
            if p.participant_id == participant_id:
                return p
        raise KeyError(participant_id)

    def first_infusion(self, participant_id: str) -> dt.date | None:
        dates = [i.date for i in self.infusions if i.participant_id == participant_id]
        return min(dates) if dates else None
