"""Entering and changing eCRFs: access, validation, audit, visit windows, edit checks and lifecycle steps.

One function, :func:`save_form`, serves every form the sites enter, so the API, the pages and the demo loader
share the same rules. The lab's cell counts (:func:`record_lab_product`) and the MRI reader's read
(:func:`read_scan`) have their own services because other roles enter them.
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Collection
from typing import Any

from django.db import transaction
from django.db.models import Max

from mescams.core.blinding import BLINDING_POLICY, Reveal, Role
from mescams.core.lifecycle import LifecycleStep, ParticipantState
from mescams.edc.audit.audited import check_storable
from mescams.edc.audit.context import acting
from mescams.edc.crfs import checking, visit_window
from mescams.edc.crfs.access import may_write
from mescams.edc.crfs.base import broken_rules
from mescams.edc.crfs.clinical import cells_per_kg, check_msc_dose, treatment_at_infusion
from mescams.edc.crfs.instances import ensure_new_instance
from mescams.edc.crfs.models import FORMS, Consent, Infusion, MriScan, ParticipantRecord, VitalSigns
from mescams.edc.trial.models import Participant
from mescams.edc.trial.services import Forbidden, NotFound, get_visible_participant, step
from mescams.errors import DosingError, IllegalTransition, InputValidationError
from mescams.protocols import default_protocol

__all__ = ["editable_fields", "read_scan", "record_lab_product", "save_form", "weight_at_randomisation"]

NOT_ENTERED = {"id", "participant", "created_at", "cells_infused", "viability_percent", "cells_per_kg", "edss",
               "consistent", "derivation", "scan_id", "read_by", "read_at", "gel_count", "new_enlarging_t2_count",
               "cua_count", "gel_volume_mm3", "black_hole_volume_mm3", "evaluated_on", "eligible", "criteria",
               "ae_number", "out_of_window"}
MRI_READ_FIELDS = ("gel_count", "new_enlarging_t2_count", "cua_count", "gel_volume_mm3", "black_hole_volume_mm3")
CONSENT_BOUND: dict[str, tuple[str, ...]] = {
    "vital_signs": ("assessment_date",),
    "infusion": ("infusion_date",),
    "mri": ("scan_date",),
    "edss": ("assessment_date",),
    "safety_lab": ("sample_date",),
    "adverse_event": ("onset_date",),
    "relapse": ("onset_date",),
}
"""Dates of study activities and events, which cannot precede the participant's informed consent (ICH E6: consent
comes before any study-specific procedure, the screening visit's included)."""


def editable_fields(model: type[ParticipantRecord]) -> list[str]:
    """Fields a site user enters on ``model`` (computed, lab-only and reader-only fields excluded)."""
    return [f.name for f in model._meta.concrete_fields if f.name not in NOT_ENTERED]


def _consent_rule(participant: Participant, record: ParticipantRecord, values: dict[str, Any]) -> None:
    """A study activity or event entered or changed here must not be dated before the informed consent."""
    names = [n for n in CONSENT_BOUND.get(record.form, ()) if n in values]
    if not names:
        return
    consent = Consent.objects.filter(participant=participant).order_by("consent_date").first()
    for name in names:
        value = getattr(record, name)
        if consent is not None and isinstance(value, dt.date) and value < consent.consent_date:
            raise InputValidationError(name, f"must not be before the informed consent "
                                             f"({consent.consent_date.isoformat()})")


def weight_at_randomisation(participant: Participant) -> float | None:
    """The dose basis of both infusions: body weight at randomisation (the record: "1 to 2 x 10^6 MSC/Kg
    participant's body weight at randomization"), i.e. the last weight on or before week 0; None if none."""
    qs = VitalSigns.objects.filter(participant=participant).order_by("-assessment_date", "-pk")
    if participant.week0_date:
        qs = qs.filter(assessment_date__lte=participant.week0_date)
    found = qs.first()
    return found.weight_kg if found else None


def _infusion_rules(participant: Participant, record: Infusion, creating: bool) -> None:
    from mescams.edc.randomisation.models import AllocationSlot

    slot = AllocationSlot.objects.filter(participant=participant).first()
    if slot is None:
        raise IllegalTransition("an infusion needs a randomised participant")
    if record.product_code != slot.product_code:
        raise InputValidationError("product_code", "does not match the participant's blinded product code")
    if record.weight_kg is None:
        record.weight_kg = weight_at_randomisation(participant)
    if creating:
        first = default_protocol().design.periods[0].infusion_week
        week = default_protocol().visit(record.visit_code).week
        wanted = LifecycleStep.INFUSE if week == first else LifecycleStep.CROSS_OVER
        step(participant, wanted)


def save_form(*, user: Any, participant_id: str, form: str, values: dict[str, Any], record_pk: int | None = None,
              reason: str = "", confirm_checks: Collection[str] = ()) -> ParticipantRecord:
    """Create (``record_pk`` None) or change one eCRF; changes need ``reason``. Returns the saved record.

    Every field rule and edit check runs on the submit, and all failures are refused together
    (:class:`~mescams.errors.EditChecksFailed`). A soft check named in ``confirm_checks`` is accepted with
    ``reason`` (typed by the person, audited); query checks and a date outside the visit window save the data
    and open a query (the latter also a protocol deviation, and the record marked ``out_of_window``). The
    queries opened are on ``record.opened_queries``.
    """
    if form not in FORMS or not may_write(user.role, form):
        raise Forbidden(f"the role {user.role} may not enter the form {form}")
    model = FORMS[form]
    allowed = set(editable_fields(model))
    unknown = sorted(set(values) - allowed)
    if unknown:
        raise InputValidationError(unknown[0], f"is not a field of the {form} form")
    if record_pk is not None and not 0 < record_pk < 2**63:
        raise NotFound(f"{form} record {record_pk} not found")
    with transaction.atomic(), acting(user, reason=reason):
        participant = get_visible_participant(user, participant_id, for_update=True)
        if participant.status in (ParticipantState.SCREEN_FAILED, ParticipantState.WITHDRAWN) and record_pk is None \
                and form not in ("adverse_event", "conmed"):
            raise IllegalTransition(f"participant {participant_id} is {participant.status}; no new {form} forms")
        if record_pk is None:
            record = model(participant=participant)
            if isinstance(record, MriScan):
                record.scan_id = "S" + secrets.token_hex(5).upper()
            if form == "adverse_event":  # numbered per participant; the participant row lock serialises this
                last = model.objects.filter(participant=participant).aggregate(n=Max("ae_number"))["n"]
                record.ae_number = (last or 0) + 1  # type: ignore[attr-defined]
        else:
            record = model.objects.filter(participant=participant, pk=record_pk).first()
            if record is None:
                raise NotFound(f"{form} record {record_pk} not found")
        for name, value in values.items():
            setattr(record, name, value)
        check_storable(record)
        ensure_new_instance(record)  # a second single form: 409 naming the first, before any check or step
        field_errors = broken_rules(record.validate)  # every field rule, so the answer names each wrong field
        if not field_errors:
            try:
                _consent_rule(participant, record, values)
            except InputValidationError as exc:
                field_errors.append(exc)
        judgement = checking.judge(record, participant, field_errors=field_errors, confirm=confirm_checks,
                                   reason=reason)
        judgement.raise_if_refused()
        if isinstance(record, Infusion):
            _infusion_rules(participant, record, creating=record_pk is None)
        window = visit_window.planned_window(participant, record)
        record.out_of_window = window is not None and not window.contains(getattr(record, str(record.date_field)))
        record.save()
        visit_window.record_deviation(participant, record)
        record.opened_queries = checking.record_outcome(record, judgement, user)  # type: ignore[attr-defined]
    return record


def record_lab_product(*, user: Any, participant_id: str, visit_code: str, cells_infused: float,
                       viability_percent: float, reason: str = "") -> Infusion:
    """The lab's figures for an infusion: cells infused and viability; cells/kg is computed (cells / kg)."""
    BLINDING_POLICY.require(user.role, Reveal.CELL_COUNTS)
    if Role(user.role) is not Role.CELL_LAB:
        raise Forbidden("only the cell-processing lab records cell counts")
    from mescams.edc.randomisation.models import AllocationSlot

    with transaction.atomic(), acting(user, reason=reason or "lab product record"):
        participant = get_visible_participant(user, participant_id, for_update=True)
        record = Infusion.objects.filter(participant=participant, visit_code=visit_code).first()
        if record is None:
            raise NotFound(f"no infusion recorded at {visit_code} for {participant_id}")
        slot = AllocationSlot.objects.get(participant=participant)
        treatment = treatment_at_infusion(slot.sequence, visit_code)
        record.cells_infused, record.viability_percent = cells_infused, viability_percent
        record.cells_per_kg = cells_per_kg(cells_infused=cells_infused, weight_kg=record.weight_kg)
        if treatment == "MSC" and record.cells_per_kg is not None:
            check_msc_dose(record.cells_per_kg)
        if treatment != "MSC" and cells_infused != 0:
            raise DosingError("cells_infused", "a placebo product contains no cells (0)")
        record.save()
    return record


def read_scan(*, user: Any, scan_id: str, values: dict[str, Any], reason: str = "") -> MriScan:
    """The MRI reader's read of one scan, found by scan ID alone."""
    if Role(user.role) is not Role.MRI_READER:
        raise Forbidden("only the MRI reader reads scans")
    unknown = sorted(set(values) - set(MRI_READ_FIELDS))
    if unknown:
        raise InputValidationError(unknown[0], "is not a field of the MRI read")
    with transaction.atomic():
        scan = MriScan.objects.select_for_update().filter(scan_id=scan_id).first()
        if scan is None:
            raise NotFound(f"scan {scan_id} not found")
        first_read = scan.read_at is None
        for name, value in values.items():
            setattr(scan, name, value)
        check_storable(scan)
        scan.read_by = user.username
        scan.read_at = scan.read_at or dt.datetime.now(dt.UTC)
        with acting(user, reason=reason or ("first read" if first_read else "")):
            scan.save()
    return scan
