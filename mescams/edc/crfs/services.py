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
from django.utils.translation import gettext

from mescams.core.blinding import Role
from mescams.core.lifecycle import LifecycleStep, ParticipantState
from mescams.edc.audit.audited import check_storable
from mescams.edc.audit.context import acting
from mescams.edc.crfs import checking, visit_window
from mescams.edc.crfs.access import may_write
from mescams.edc.crfs.base import broken_rules, run_after_form_saved
from mescams.edc.crfs.dose_basis import guarded_dose_basis, weight_at_randomisation
from mescams.edc.crfs.instances import ensure_new_instance
from mescams.edc.crfs.lab import record_lab_product
from mescams.edc.crfs.models import FORMS, AdverseEvent, Consent, Infusion, MriScan, ParticipantRecord, VitalSigns
from mescams.edc.notifications import events as notifications
from mescams.edc.randomisation.models import AllocationSlot
from mescams.edc.trial.consent import reconsent_required
from mescams.edc.trial.models import Participant
from mescams.edc.trial.services import Forbidden, NotFound, get_visible_participant, step
from mescams.errors import ConsentRequired, IllegalTransition, InputValidationError
from mescams.protocols import default_protocol

__all__ = ["editable_fields", "read_scan", "record_lab_product", "save_form", "weight_at_randomisation"]

NOT_ENTERED = {"id", "participant", "created_at", "cells_infused", "viability_percent", "cells_per_kg", "edss",
               "consistent", "derivation", "scan_id", "read_by", "read_at", "gel_count", "new_enlarging_t2_count",
               "cua_count", "gel_volume_mm3", "black_hole_volume_mm3", "evaluated_on", "eligible", "criteria",
               "ae_number", "out_of_window"}
DERIVED_BY_FORM: dict[str, dict[str, str]] = {
    "infusion": {"weight_kg": "is the dose basis, the weight at randomisation: change the vital signs it comes "
                              "from (an investigator confirms once the lab has prepared a product)"},
    "adverse_event": {"related": "is derived from causality (possible, probable or definite: related); enter "
                                 "causality"},
}
"""Fields of one form that nobody enters there, with what to do instead (the same name may be entered on another
form: weight_kg on the vital signs)."""
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
    """Fields a site user enters on ``model`` (computed, derived, lab-only and reader-only fields excluded)."""
    derived = DERIVED_BY_FORM.get(model.form, {})
    return [f.name for f in model._meta.concrete_fields if f.name not in NOT_ENTERED and f.name not in derived]


def _consent_rule(participant: Participant, record: ParticipantRecord, values: dict[str, Any]) -> None:
    """A study activity or event entered or changed here must not be dated before the informed consent."""
    names = [n for n in CONSENT_BOUND.get(record.form, ()) if n in values]
    if not names:
        return
    consent = Consent.objects.filter(participant=participant).order_by("consent_date").first()
    for name in names:
        value = getattr(record, name)
        if consent is not None and isinstance(value, dt.date) and value < consent.consent_date:
            raise InputValidationError(name, gettext("must not be before the informed consent (%(isoformat)s)") % {
                "isoformat": consent.consent_date.isoformat()})


SAFETY_FORMS = ("adverse_event", "conmed", "relapse")  # never held: safety is reported whatever the consent


def _reconsent_hold(participant: Participant, record: ParticipantRecord) -> None:
    """A new visit form dated on or after an ICF version that asks for re-consent waits for that re-consent (safety
    forms excepted; a late entry of a visit held before the new version is not held)."""
    if record.form in SAFETY_FORMS or record.form == "consent":
        return
    needed = reconsent_required(participant)
    day = getattr(record, str(record.date_field), None) if record.date_field else None
    if needed is not None and isinstance(day, dt.date) and day >= needed.approved_on:
        raise ConsentRequired(gettext("%(participant_id)s must re-consent on ICF %(version)s (approved %(isoformat)s) "
                                      "before %(form)s forms of later visits") % {
                                          "participant_id": participant.participant_id, "version": needed.version,
                                          "isoformat": needed.approved_on.isoformat(), "form": record.form})


def _infusion_rules(participant: Participant, record: Infusion, creating: bool) -> None:
    slot = AllocationSlot.objects.filter(participant=participant).first()
    if slot is None:
        raise IllegalTransition(gettext("an infusion needs a randomised participant"))
    if record.product_code != slot.product_code:
        raise InputValidationError("product_code", gettext("does not match the participant's blinded product code"))
    if creating:
        record.weight_kg = weight_at_randomisation(participant)
        first = default_protocol().design.periods[0].infusion_week
        week = default_protocol().visit(record.visit_code).week
        wanted = LifecycleStep.INFUSE if week == first else LifecycleStep.CROSS_OVER
        step(participant, wanted)


def _causality_rule(user: Any, record: AdverseEvent, values: dict[str, Any], reason: str) -> None:
    """Causality is the investigator's judgement, given with their own reason (on entry as on change)."""
    if "causality" not in values or values["causality"] == record.causality:
        return
    if Role(user.role) is not Role.INVESTIGATOR:
        raise InputValidationError("causality", gettext("is the investigator's judgement; an investigator assesses it"))
    if values["causality"] in ("", None):
        raise InputValidationError("causality", gettext("an assessed causality cannot be withdrawn; choose one"))
    if not reason.strip():
        raise InputValidationError("reason", gettext("a causality assessment needs the investigator's reason"))


def _dose_field(record: ParticipantRecord, values: dict[str, Any], creating: bool) -> str:
    """The field a refused change of the dose basis is named by."""
    if not creating and "weight_kg" in values:
        return "weight_kg"
    return "assessment_date"


def save_form(*, user: Any, participant_id: str, form: str, values: dict[str, Any], record_pk: int | None = None,
              reason: str = "", confirm_checks: Collection[str] = (),
              confirm_dose_change: bool = False) -> ParticipantRecord:
    """Create (``record_pk`` None) or change one eCRF; changes need ``reason``. Returns the saved record.

    Every field rule and edit check runs on the submit, and all failures are refused together
    (:class:`~mescams.errors.EditChecksFailed`). A soft check named in ``confirm_checks`` is accepted with
    ``reason`` (typed by the person, audited); query checks and a date outside the visit window save the data
    and open a query (the latter also a protocol deviation, and the record marked ``out_of_window``). The
    queries opened are on ``record.opened_queries``. A save that moves the dose basis after the lab prepared a
    product needs ``confirm_dose_change`` from an investigator, with ``reason`` (see
    :mod:`mescams.edc.crfs.dose_basis`).
    """
    if form not in FORMS or not may_write(user.role, form):
        raise Forbidden(gettext("the role %(role)s may not enter the form %(form)s") % {
            "role": user.role, "form": form})
    model = FORMS[form]
    derived = DERIVED_BY_FORM.get(form, {})
    clash = sorted(set(values) & set(derived))
    if clash:
        raise InputValidationError(clash[0], derived[clash[0]])
    allowed = set(editable_fields(model))
    unknown = sorted(set(values) - allowed)
    if unknown:
        raise InputValidationError(unknown[0], gettext("is not a field of the %(form)s form") % {"form": form})
    if record_pk is not None and not 0 < record_pk < 2**63:
        raise NotFound(gettext("%(form)s record %(record_pk)s not found") % {"form": form, "record_pk": record_pk})
    with transaction.atomic(), acting(user, reason=reason):
        participant = get_visible_participant(user, participant_id, for_update=True)
        if participant.status in (ParticipantState.SCREEN_FAILED, ParticipantState.WITHDRAWN) and record_pk is None \
                and form not in ("adverse_event", "conmed"):
            raise IllegalTransition(gettext("participant %(participant_id)s is %(status)s; no new %(form)s forms") % {
                "participant_id": participant_id, "status": participant.status, "form": form})
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
                raise NotFound(gettext("%(form)s record %(record_pk)s not found") % {
                    "form": form, "record_pk": record_pk})
        was_serious = isinstance(record, AdverseEvent) and record_pk is not None and bool(record.serious)
        if isinstance(record, AdverseEvent):
            _causality_rule(user, record, values, reason)
        for name, value in values.items():
            setattr(record, name, value)
        check_storable(record)
        ensure_new_instance(record)  # a second single form: 409 naming the first, before any check or step
        if record_pk is None:
            _reconsent_hold(participant, record)
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
        if isinstance(record, VitalSigns):
            with guarded_dose_basis(user=user, participant=participant, confirmed=confirm_dose_change,
                                    reason=reason, field=_dose_field(record, values, record_pk is None)):
                record.save()
        else:
            record.save()
        run_after_form_saved(record)  # e.g. medical coding: an AE term or a medication is coded as it is saved
        visit_window.record_deviation(participant, record)
        record.opened_queries = checking.record_outcome(record, judgement, user)  # type: ignore[attr-defined]
        if isinstance(record, AdverseEvent) and record.serious and not was_serious:
            notifications.serious_ae_entered(participant, record)  # mailed once this commits
    return record


def read_scan(*, user: Any, scan_id: str, values: dict[str, Any], reason: str = "") -> MriScan:
    """The MRI reader's read of one scan, found by scan ID alone. The first read needs no reason; a re-read that
    changes a figure needs the reader's own."""
    if Role(user.role) is not Role.MRI_READER:
        raise Forbidden(gettext("only the MRI reader reads scans"))
    unknown = sorted(set(values) - set(MRI_READ_FIELDS))
    if unknown:
        raise InputValidationError(unknown[0], gettext("is not a field of the MRI read"))
    with transaction.atomic():
        scan = MriScan.objects.select_for_update().filter(scan_id=scan_id).first()
        if scan is None:
            raise NotFound(gettext("scan %(scan_id)s not found") % {"scan_id": scan_id})
        first_read = scan.read_at is None
        changed = [n for n, v in values.items() if getattr(scan, n) != v]
        if not first_read and changed and not reason.strip():
            raise InputValidationError("reason", gettext("changing a read (%(changed)s) needs your reason") % {
                "changed": ', '.join(changed)})
        for name, value in values.items():
            setattr(scan, name, value)
        check_storable(scan)
        scan.read_by = user.username
        scan.read_at = scan.read_at or dt.datetime.now(dt.UTC)
        with acting(user, reason=reason or ("first read" if first_read else "")):
            scan.save()
    return scan
