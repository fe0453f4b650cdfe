"""The dose basis of both infusions, and what guards it once the lab has prepared a product.

The protocol doses on body weight at randomisation ("1 to 2 x 10^6 MSC/Kg participant's body weight at
randomization"): here that is one value, :func:`weight_at_randomisation`, the last vital-signs weight dated on or
before week 0 (the randomisation date). Everything that doses (the lab's worklist and release record, the API, the
infusion record) reads it from here.

Once a product is prepared (a :class:`ProductPreparation`) or infused (an Infusion record), a change that moves
this value (a changed weight or date of the record it comes from, a new weight dated on or before randomisation)
is refused unless an investigator confirms it with their reason (:func:`guarded_dose_basis`). A confirmed change
leaves the product prepared on the old value flagged (:func:`products_of`) until the lab re-confirms it. The
randomisation date, the other input, is set once by randomisation, before any product can exist.

Blinding: MSC and placebo products are prepared, infused and guarded alike, so neither a refusal nor a flag says
which was given.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext

from mescams.core.blinding import Role
from mescams.edc.crfs.models import Infusion, ProductPreparation, VitalSigns
from mescams.edc.trial.models import Participant
from mescams.errors import DoseBasisChanged, InputValidationError

__all__ = ["ProductStatus", "guarded_dose_basis", "products_of", "weight_at_randomisation"]


def weight_at_randomisation(participant: Participant) -> float | None:
    """The dose basis: the weight (kg) of the last vital signs dated on or before week 0 (latest entered first on the
    same date); before randomisation, the latest weight; None if no weight is recorded."""
    qs = VitalSigns.objects.filter(participant=participant).order_by("-assessment_date", "-pk")
    if participant.week0_date:
        qs = qs.filter(assessment_date__lte=participant.week0_date)
    found = qs.first()
    return found.weight_kg if found else None


@dataclass(frozen=True)
class ProductStatus:
    """One infusion visit's product as the lab sees it: on what weight it was prepared, and whether that weight is
    still the dose basis (``superseded`` when not, until the lab re-confirms)."""

    visit_code: str
    prepared_on_kg: float | None
    prepared_by: str
    released: bool
    infused: bool
    basis_kg: float | None

    @property
    def superseded(self) -> bool:
        return self.prepared_on_kg is not None and self.basis_kg is not None and self.prepared_on_kg != self.basis_kg

    @property
    def done(self) -> bool:
        """Prepared or infused: from here on the dose basis is guarded."""
        return self.prepared_on_kg is not None or self.infused


def products_of(participant: Participant, basis_kg: float | None = None) -> dict[str, ProductStatus]:
    """Each infusion visit with a preparation or an infusion, by visit code. ``prepared_on_kg`` is the weight the
    product was prepared or recorded on (the preparation's, the infusion's; one that is no longer the basis first)."""
    basis = weight_at_randomisation(participant) if basis_kg is None else basis_kg
    preparations = {p.visit_code: p for p in ProductPreparation.objects.filter(participant=participant)}
    infusions = {i.visit_code: i for i in Infusion.objects.filter(participant=participant)}
    out = {}
    for code in sorted(set(preparations) | set(infusions)):
        prep, inf = preparations.get(code), infusions.get(code)
        weights = [w for w in (prep.weight_kg if prep else None, inf.weight_kg if inf else None) if w is not None]
        prepared_on = next((w for w in weights if w != basis), weights[0] if weights else None)  # a stale one first
        out[code] = ProductStatus(code, prepared_on, prep.prepared_by if prep else "",
                                  released=inf is not None and inf.cells_infused is not None,
                                  infused=inf is not None, basis_kg=basis)
    return out


def _describe(products: dict[str, ProductStatus]) -> str:
    parts = [f"{code} {'released' if p.released else 'infused' if p.infused else 'prepared'}"
             f"{f' on {p.prepared_on_kg:g} kg' if p.prepared_on_kg is not None else ''}"
             for code, p in products.items() if p.done]
    return ", ".join(parts)


@contextmanager
def guarded_dose_basis(*, user: Any, participant: Participant, field: str, confirmed: bool,
                       reason: str) -> Iterator[None]:
    """Run the block (a save inside the caller's transaction); if it moved the weight at randomisation while a
    product is prepared or infused, raise :class:`DoseBasisChanged` naming ``field`` (so the transaction rolls
    back), unless an investigator ``confirmed`` it with a ``reason`` of their own."""
    before = weight_at_randomisation(participant)
    yield
    after = weight_at_randomisation(participant)
    if before == after:
        return
    products = {c: p for c, p in products_of(participant, after).items() if p.done}
    if not products:
        return
    change = f"{before:g} kg to {after:g} kg" if before is not None and after is not None else f"{before} to {after}"
    if not confirmed:
        raise DoseBasisChanged(field, gettext(
            "would change the dose basis (weight at randomisation) from %(change)s, but the "
                                              "lab has already prepared the product (%(describe)s): an investigator "
                                              "must "
                                              "confirm this change, with a reason") % {
                                                  "change": change, "describe": _describe(products)})
    if Role(user.role) is not Role.INVESTIGATOR:
        raise DoseBasisChanged("confirm_dose_change", gettext(
            "only an investigator may confirm a change of the dose basis (weight at "
                                                              "randomisation, %(change)s)") % {"change": change})
    if not reason.strip():
        raise InputValidationError("reason", gettext("confirming a change of the dose basis (%(change)s) needs your "
                                                     "reason") % {"change": change})
