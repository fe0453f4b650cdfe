"""Request and response shapes of the API (the eCRF shapes are built from the models in forms.py)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from ninja import Field, Schema
from pydantic import WithJsonSchema

SiteTime = Annotated[dt.time, WithJsonSchema({
    "type": "string", "pattern": r"^([01][0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9](\.[0-9]{1,6})?)?$",
    "description": "wall-clock time at the site, HH:MM[:SS], without a UTC offset"})]
"""A time of day as written at the site (a signed consent's time, an infusion's start): it has no UTC offset, so
it is not an OpenAPI ``format: time``, which is RFC 3339's full time and requires one (a client validating the
answers against the schema would reject every ``09:15:00``)."""


class CheckFailureOut(Schema):
    """One failing field rule or edit check of a submit; a ``confirmable`` (soft) one may be sent again in
    ``confirm_checks`` with a ``reason``."""

    check: str
    field: str
    message: str
    severity: str
    confirmable: bool
class ExistingRecordOut(Schema):
    """The record a second entry of a single form collides with (409 ``duplicate``)."""

    form: str
    participant_id: str
    record_id: int
    key: dict[str, str]
    url: str


class ErrorOut(Schema):
    error: str
    detail: str
    field: str | None = None
    rule: str | None = None
    failures: list[CheckFailureOut] | None = None
    existing: ExistingRecordOut | None = None


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
    """The screening record of a consented participant (patient.schema.json fields; I5's consent data are taken
    from the recorded consent)."""

    screening_date: dt.date
    record: dict[str, Any]


class ScreeningUpdateIn(Schema):
    record: dict[str, Any]
    reason: str = Field(min_length=1, max_length=2000)


class ConsentIn(Schema):
    """A signed informed consent, which registers the person as a participant of ``site`` (the first study act).
    ``consent_time`` is the time written on the signed form (site time); ``obtained_by`` the username of the site
    staff member who took it (the user recording it when omitted)."""

    site: str = Field(max_length=5)
    consent_date: dt.date
    consent_time: SiteTime
    form_version: str = Field(min_length=1, max_length=40)
    obtained_by: str | None = Field(default=None, max_length=150)
    prescreening_id: int | None = None


class ReconsentIn(Schema):
    """A participant's consent on a newer ICF version."""

    consent_date: dt.date
    consent_time: SiteTime
    form_version: str = Field(min_length=1, max_length=40)
    obtained_by: str | None = Field(default=None, max_length=150)


class ConsentOut(Schema):
    participant_id: str
    form_version: str
    consent_date: dt.date
    consent_time: SiteTime | None
    obtained_by: str | None


class ReconsentDueOut(Schema):
    participant_id: str
    site: str
    status: str
    consented_on: str
    consent_date: dt.date
    needed_version: str
    needed_approved_on: dt.date


class PreScreeningIn(Schema):
    """One person considered before any consent: no name, no date of birth."""

    site: str = Field(max_length=5)
    local_number: str = Field(min_length=1, max_length=20)
    logged_on: dt.date
    age_band: str = Field(max_length=10)
    ms_course: str = Field(max_length=8)
    reason_not_screened: str = Field(default="", max_length=30)


class NotScreenedIn(Schema):
    reason_not_screened: str = Field(max_length=30)


class PreScreeningOut(Schema):
    id: int
    site: str
    local_number: str
    logged_on: dt.date
    age_band: str
    ms_course: str
    outcome: str
    reason_not_screened: str
    participant_id: str | None


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


class QueryMessageOut(Schema):
    number: int
    kind: str
    author: str
    role: str
    text: str
    at: dt.datetime


class FollowUpIn(Schema):
    text: str = Field(min_length=1, max_length=4000)


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
    messages: list[QueryMessageOut]


class SignIn(Schema):
    password: str = Field(max_length=200)
    meaning: str = Field(min_length=1, max_length=1000)
    sign_anyway: bool = False
    reason: str = Field(default="", max_length=2000)


class SignatureOut(Schema):
    """A signature's manifestation (printed name, UTC and site time, meaning) and whether it still stands."""

    participant_id: str
    signed_by: str
    printed_name: str
    meaning: str
    signed_at: dt.datetime
    signed_at_utc: str
    signed_at_site: str
    site_timezone: str
    audit_seq: int
    incomplete: list[str]
    signed_anyway_reason: str
    state: str
    invalidated_by_audit_seq: int | None
    invalidating_change: str


class CasebookOut(Schema):
    participant_id: str
    state: str
    incomplete: list[str]
    signatures: list[SignatureOut]


class UnblindingAttemptOut(Schema):
    """One emergency-unblinding request, granted or refused; never the allocation."""

    participant_ref: str
    username: str
    role: str
    reason: str
    outcome: str
    refusal: str
    at: dt.datetime


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
    products: list[dict[str, Any]] = []


class LabRecordIn(Schema):
    cells_infused: float = Field(ge=0, le=1e10)
    viability_percent: float = Field(ge=0, le=100)
    reason: str = Field(default="", max_length=2000)


class ReconfirmIn(Schema):
    """The lab's reason; checked by the service after the role, so other roles get 403, not a body error."""

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
