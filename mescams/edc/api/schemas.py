"""Request and response shapes of the API (the eCRF shapes are built from the models in forms.py)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from ninja import Field, Schema


class ErrorOut(Schema):
    error: str
    detail: str
    field: str | None = None
    rule: str | None = None


class LoginIn(Schema):
    username: str = Field(max_length=150)
    password: str = Field(max_length=200)


class MeOut(Schema):
    username: str
    role: str
    sites: list[str]


class CsrfOut(Schema):
    csrf_token: str


class ParticipantOut(Schema):
    """A participant as every role sees it: ``sequence`` is filled only for roles the blinding policy allows."""

    participant_id: str
    site: str
    status: str
    screening_date: dt.date
    week0_date: dt.date | None
    product_code: str | None
    failed_criteria: list[str]
    withdrawal_reason: str
    emergency_unblinded: bool
    sequence: str | None = None


class ScreenIn(Schema):
    site: str = Field(max_length=5)
    screening_date: dt.date
    record: dict[str, Any]


class ScreeningUpdateIn(Schema):
    record: dict[str, Any]
    reason: str = Field(min_length=1, max_length=2000)


class ConsentIn(Schema):
    consent_date: dt.date
    form_version: str = Field(min_length=1, max_length=40)


class DateIn(Schema):
    on: dt.date


class CriterionOut(Schema):
    id: str
    kind: str
    status: str
    reason: str


class EligibilityOut(Schema):
    participant: ParticipantOut
    eligible: bool | None
    failed: list[str]
    criteria: list[CriterionOut]


class RandomisedOut(Schema):
    participant: ParticipantOut
    product_code: str


class WithdrawIn(Schema):
    reason: str = Field(min_length=1, max_length=2000)
    on: dt.date


class ReasonIn(Schema):
    reason: str = Field(min_length=1, max_length=2000)


class UnblindingOut(Schema):
    participant_id: str
    sequence: str
    note: str


class DeviationOut(Schema):
    kind: str
    visit_code: str
    form: str
    record_id: str
    actual_date: dt.date | None
    description: str


class QueryIn(Schema):
    participant_id: str = Field(max_length=16)
    form: str = Field(max_length=40)
    record_id: str = Field(default="", max_length=32)
    field: str = Field(default="", max_length=60)
    text: str = Field(min_length=1, max_length=4000)


class AnswerIn(Schema):
    answer: str = Field(min_length=1, max_length=4000)


class QueryOut(Schema):
    id: int
    participant_id: str
    form: str
    record_id: str
    field: str
    edit_check: str
    text: str
    status: str
    opened_by: str
    answer: str
    answered_by: str
    closed_by: str


class SignIn(Schema):
    password: str = Field(max_length=200)
    meaning: str = Field(min_length=1, max_length=1000)


class SignatureOut(Schema):
    participant_id: str
    signed_by: str
    meaning: str
    signed_at: dt.datetime
    audit_seq: int


class LockOut(Schema):
    participant_id: str | None
    locked_by: str
    locked_at: dt.datetime
    unlocked_by: str
    unlocked_at: dt.datetime | None
    unlock_reason: str


class AuditEntryOut(Schema):
    seq: int
    at: dt.datetime
    username: str
    role: str
    table: str
    record_id: str
    action: str
    field: str
    old: str | None
    new: str | None
    reason: str


class AllocationIn(Schema):
    seed: str | None = Field(default=None, max_length=128)
    slots_per_site: int | None = Field(default=None, ge=1, le=10000)


class SlotOut(Schema):
    site_code: str
    number: int
    block: int
    block_size: int
    sequence: str
    product_code: str
    participant_id: str | None


class AllocationOut(Schema):
    seed: str
    generator: str
    slots_per_site: int
    created_by: str
    slots: list[SlotOut]


class VerifyOut(Schema):
    verified_slots: int


class LabProductOut(Schema):
    participant_id: str
    product_code: str
    site: str
    week0_date: dt.date | None
    weight_kg: float | None
    infusions: list[dict[str, Any]]
    sequence: str
    products_by_visit: dict[str, str]
    target_cells: float | None


class LabRecordIn(Schema):
    cells_infused: float = Field(ge=0, le=1e10)
    viability_percent: float = Field(ge=0, le=100)
    reason: str = Field(default="", max_length=2000)


class ScanOut(Schema):
    scan_id: str
    read: bool
    gel_count: int | None
    new_enlarging_t2_count: int | None
    cua_count: int | None
    gel_volume_mm3: float | None
    black_hole_volume_mm3: float | None


class ScanReadIn(Schema):
    gel_count: int = Field(ge=0, le=1000)
    new_enlarging_t2_count: int = Field(ge=0, le=1000)
    cua_count: int = Field(ge=0, le=1000)
    gel_volume_mm3: float = Field(ge=0, le=1e6)
    black_hole_volume_mm3: float = Field(ge=0, le=1e6)
    reason: str = Field(default="", max_length=2000)


class AccessRecordOut(Schema):
    """One view of participant data (``participant_id`` '' for a list)."""

    at: dt.datetime
    username: str
    role: str
    participant_id: str
    method: str
    route: str
