"""The cell-processing lab's services: a product prepared, re-confirmed on a changed dose basis, released.

Only the lab (unblinded) calls them. Each change of a saved value needs the lab's own reason; only the first entry
of a record (a preparation, the first release figures) carries a descriptive one.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils.translation import gettext

from mescams.core.blinding import BLINDING_POLICY, Reveal, Role
from mescams.edc.audit.context import acting
from mescams.edc.crfs.clinical import cells_per_kg, check_msc_dose, infusion_visits, treatment_at_infusion
from mescams.edc.crfs.dose_basis import products_of, weight_at_randomisation
from mescams.edc.crfs.models import Infusion, ProductPreparation
from mescams.edc.randomisation.models import AllocationSlot
from mescams.edc.trial.models import Participant
from mescams.edc.trial.services import Forbidden, NotFound, get_visible_participant
from mescams.errors import DoseBasisChanged, DosingError, IllegalTransition, InputValidationError

__all__ = ["reconfirm_preparation", "record_lab_product", "record_preparation"]

RELEASE_FIELDS = ("cells_infused", "viability_percent")


def _lab_only(user: Any) -> None:
    BLINDING_POLICY.require(user.role, Reveal.CELL_COUNTS)
    if Role(user.role) is not Role.CELL_LAB:
        raise Forbidden(gettext("only the cell-processing lab records products"))


def _randomised(user: Any, participant_id: str, visit_code: str) -> tuple[Participant, Any]:
    if visit_code not in infusion_visits():
        raise InputValidationError("visit_code", gettext("must be one of %(infusion_visits)s") % {
            "infusion_visits": ', '.join(infusion_visits())})
    participant = get_visible_participant(user, participant_id, for_update=True)
    slot = AllocationSlot.objects.filter(participant=participant).first()
    if slot is None:
        raise IllegalTransition(gettext("participant %(participant_id)s is not randomised: no product to prepare") % {
            "participant_id": participant_id})
    return participant, slot


def _basis(participant: Participant) -> float:
    basis = weight_at_randomisation(participant)
    if basis is None:
        raise InputValidationError("weight_kg", gettext("no weight at randomisation is recorded: the dose cannot be "
                                                        "based"))
    return basis


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def record_preparation(*, user: Any, participant_id: str, visit_code: str) -> ProductPreparation:
    """The lab has prepared the product of ``visit_code`` on today's dose basis; from now on that basis is
    guarded (a change needs an investigator's confirmation)."""
    _lab_only(user)
    with transaction.atomic(), acting(user, reason="product prepared"):
        participant, _ = _randomised(user, participant_id, visit_code)
        if ProductPreparation.objects.filter(participant=participant, visit_code=visit_code).exists():
            raise IllegalTransition(gettext("the %(visit_code)s product of %(participant_id)s is already recorded as "
                                            "prepared") % {"visit_code": visit_code, "participant_id": participant_id})
        prep = ProductPreparation(participant=participant, visit_code=visit_code, weight_kg=_basis(participant),
                                  prepared_by=user.username, prepared_at=_now())
        prep.save()
    return prep


def _reconfirm(user: Any, participant: Participant, visit_code: str, basis: float, treatment: str) -> None:
    """Bring the preparation and the infusion record to ``basis`` (inside the caller's audit context), recomputing
    a released product's cells/kg and checking it against the protocol's range."""
    prep = ProductPreparation.objects.filter(participant=participant, visit_code=visit_code).first()
    if prep is None:
        prep = ProductPreparation(participant=participant, visit_code=visit_code, weight_kg=basis,
                                  prepared_by=user.username, prepared_at=_now())
    elif prep.weight_kg != basis:
        prep.weight_kg, prep.confirmed_by, prep.confirmed_at = basis, user.username, _now()
    prep.save()
    infusion = Infusion.objects.filter(participant=participant, visit_code=visit_code).first()
    if infusion is not None and infusion.weight_kg != basis:
        infusion.weight_kg = basis
        infusion.cells_per_kg = cells_per_kg(cells_infused=infusion.cells_infused, weight_kg=basis)
        if treatment == "MSC" and infusion.cells_per_kg is not None:
            check_msc_dose(infusion.cells_per_kg)
        infusion.save()


def reconfirm_preparation(*, user: Any, participant_id: str, visit_code: str, reason: str) -> ProductPreparation:
    """The lab re-confirms a product prepared on a superseded weight, on the current dose basis, with its reason.
    A released product's cells/kg is recomputed; outside the protocol's range it is refused (correct the release
    figures instead, with a reason: that re-confirms too)."""
    _lab_only(user)
    if not reason.strip():
        raise InputValidationError("reason", gettext(
            "re-confirming a product on a changed dose basis needs your reason"))
    with transaction.atomic(), acting(user, reason=reason):
        participant, slot = _randomised(user, participant_id, visit_code)
        status = products_of(participant).get(visit_code)
        if status is None or not status.superseded:
            raise IllegalTransition(gettext("the %(visit_code)s product of %(participant_id)s is not prepared on a "
                                            "superseded weight: nothing to re-confirm") % {
                                                "visit_code": visit_code, "participant_id": participant_id})
        try:
            _reconfirm(user, participant, visit_code, _basis(participant),
                       treatment_at_infusion(slot.sequence, visit_code))
        except DosingError as exc:
            raise DosingError(exc.field, gettext(
                "%(rule)s on the new dose basis: record corrected release figures, with your "
                                                 "reason") % {"rule": exc.rule}) from None
    return ProductPreparation.objects.get(participant=participant, visit_code=visit_code)


def record_lab_product(*, user: Any, participant_id: str, visit_code: str, cells_infused: float,
                       viability_percent: float, reason: str = "") -> Infusion:
    """The lab's release figures of an infusion: cells infused and viability; cells/kg is computed on the weight
    at randomisation. The first entry needs no reason; a change of the figures does, and so does a release of a
    product prepared on a superseded weight (the reason re-confirms it on the current weight)."""
    _lab_only(user)
    with transaction.atomic():
        participant, slot = _randomised(user, participant_id, visit_code)
        record = Infusion.objects.filter(participant=participant, visit_code=visit_code).first()
        if record is None:
            raise NotFound(gettext("no infusion recorded at %(visit_code)s for %(participant_id)s") % {
                "visit_code": visit_code, "participant_id": participant_id})
        first = record.cells_infused is None and record.viability_percent is None
        changed = [name for name, new in zip(RELEASE_FIELDS, (cells_infused, viability_percent), strict=True)
                   if not first and getattr(record, name) != new]
        basis = _basis(participant)
        status = products_of(participant, basis).get(visit_code)
        if not reason.strip():
            if changed:
                raise InputValidationError("reason", gettext("changing the release figures (%(changed)s) needs your "
                                                             "reason for the change") % {"changed": ', '.join(changed)})
            if status is not None and status.superseded:
                raise DoseBasisChanged("reason", gettext(
                    "this product was prepared on %(prepared_on_kg)s kg; the dose basis is now "
                                                         "%(basis)s kg: give your reason to re-confirm it") % {
                                                             "prepared_on_kg": format(status.prepared_on_kg,
                                                                                      'g'), "basis": format(basis,
                                                                                                            'g')})
        treatment = treatment_at_infusion(slot.sequence, visit_code)
        with acting(user, reason=reason.strip() or "release figures entered"):
            _reconfirm(user, participant, visit_code, basis, "")
            record.refresh_from_db()
            record.cells_infused, record.viability_percent = cells_infused, viability_percent
            record.cells_per_kg = cells_per_kg(cells_infused=cells_infused, weight_kg=record.weight_kg)
            if treatment == "MSC" and record.cells_per_kg is not None:
                check_msc_dose(record.cells_per_kg)
            if treatment != "MSC" and cells_infused != 0:
                raise DosingError("cells_infused", gettext("a placebo product contains no cells (0)"))
            record.save()
    return record
