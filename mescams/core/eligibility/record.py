"""The screening record of one candidate participant, as typed frozen values.

These mirror ``patient.schema.json`` (the shared contract): a field that is ``None`` is unknown, never false, and
a list that is ``None`` was not recorded at all (which is different from an empty list: "no relapses recorded"
decides a criterion, "no relapse list" leaves it unknown). Records are built by :mod:`.parsing`, which checks
every field; the rules only ever see well-formed values.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Literal

__all__ = [
    "COURSES",
    "Condition",
    "Course",
    "EdssAssessment",
    "LabResult",
    "MriScan",
    "MsHistory",
    "PatientRecord",
    "Relapse",
    "Therapy",
]

Course = Literal["RRMS", "SPMS", "PPMS", "CIS", "other"]
COURSES: tuple[Course, ...] = ("RRMS", "SPMS", "PPMS", "CIS", "other")


@dataclass(frozen=True, slots=True)
class MsHistory:
    course: Course | None = None
    onset_date: dt.date | None = None
    diagnosis_date: dt.date | None = None
    csf_oligoclonal_bands: bool | None = None


@dataclass(frozen=True, slots=True)
class Relapse:
    onset_date: dt.date
    clinically_documented: bool | None = None


@dataclass(frozen=True, slots=True)
class MriScan:
    date: dt.date
    gel_count: int | None = None


@dataclass(frozen=True, slots=True)
class EdssAssessment:
    date: dt.date
    score: float


@dataclass(frozen=True, slots=True)
class Therapy:
    drug: str
    start_date: dt.date
    end_date: dt.date | None = None
    accelerated_elimination: str | None = None


@dataclass(frozen=True, slots=True)
class Condition:
    code: str
    start_date: dt.date | None = None
    remission_date: dt.date | None = None
    active: bool | None = None


@dataclass(frozen=True, slots=True)
class LabResult:
    date: dt.date
    test: Literal["egfr", "wbc"]
    value: float
    unit: str | None = None
    clinically_significant: bool | None = None


@dataclass(frozen=True, slots=True)
class PatientRecord:
    """One screening record. ``None`` lists were not recorded; ``None`` values are unknown."""

    id: str
    site: str | None = None
    sex: Literal["F", "M"] | None = None
    birth_date: dt.date | None = None
    consent_date: dt.date | None = None
    able_to_consent: bool | None = None
    ms: MsHistory | None = None
    relapses: tuple[Relapse, ...] | None = None
    mri: tuple[MriScan, ...] | None = None
    edss: tuple[EdssAssessment, ...] | None = None
    therapies: tuple[Therapy, ...] | None = None
    conditions: tuple[Condition, ...] | None = None
    allergies: tuple[str, ...] | None = None
    labs: tuple[LabResult, ...] | None = None
    pregnant: bool | None = None
    childbearing_potential: bool | None = None
    willing_to_use_contraception: bool | None = None
    can_undergo_mri: bool | None = None
    in_other_trial: bool | None = None
    able_to_adhere: bool | None = None

    @property
    def course(self) -> Course | None:
        return None if self.ms is None else self.ms.course
