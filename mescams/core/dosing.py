"""The dose of autologous MSC to infuse, its final volume and DMSO content, and the matching placebo.

The protocol's product (``products[MSC]``) gives the dose as cells per kg of body weight at randomisation
(1 to 2 x 10^6 MSC/kg, with a target inside that range) and the vehicle: Plasma-Lyte A with 5 % human albumin
and 10 % DMSO, 5 mL DMSO in the final product, hence a final volume of 5 / 0.10 = 50 mL. The placebo
(``products[PLACEBO]``, ``matches: MSC``) is the same vehicle in the same volume, so the two look alike.

Rules, in the order they are checked:

1. ``weight_kg`` must be a plausible adult weight (the protocol's ``plausible_weight_kg``, 30-250 kg): a
   typing error (7.0 for 70) must not become a tenfold dose.
2. ``viable_cells`` must reach the protocol minimum (``min_cells_per_kg`` x weight); otherwise the product
   cannot be released and the infusion is refused, not under-dosed.
3. Cells to infuse: the target (``target_cells_per_kg`` x weight) when enough cells were expanded, otherwise
   every viable cell (between the minimum and the target); never above ``max_cells_per_kg``.
4. DMSO: its concentration in the final volume must not exceed the vehicle's ``dmso_percent`` (a requested
   smaller volume can break this), and the DMSO dose must not exceed the protocol's ``max_dmso_g_per_kg`` (1 g/kg,
   the usual ceiling for DMSO-cryopreserved cell products). DMSO mass = volume x 1.1 g/mL.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass

from mescams.core.protocol import Dose, Product, Protocol
from mescams.errors import DosingError

__all__ = [
    "DMSO_DENSITY_G_PER_ML",
    "DosePlan",
    "compute_dose",
    "matching_placebo",
]

DMSO_DENSITY_G_PER_ML = 1.1


@dataclass(frozen=True)
class DosePlan:
    """What the cell-therapy lab prepares for one participant (units in every name)."""

    product_code: str
    weight_kg: float
    viable_cells: float
    min_cells_per_kg: float
    target_cells_per_kg: float
    max_cells_per_kg: float
    cells_to_infuse: float
    dose_cells_per_kg: float
    at_target: bool
    final_volume_ml: float
    cell_concentration_per_ml: float
    dmso_volume_ml: float
    dmso_percent: float
    dmso_g: float
    dmso_g_per_kg: float
    placebo_code: str | None
    placebo_volume_ml: float | None
    placebo_dmso_g_per_kg: float | None

    def as_dict(self) -> dict[str, object]:
        return asdict(self)

    def summary_lines(self) -> list[str]:
        lines = [
            f"{self.product_code} for {self.weight_kg:g} kg: infuse {self.cells_to_infuse:.3e} cells "
            f"({self.dose_cells_per_kg:.3e}/kg; protocol {self.min_cells_per_kg:.1e}-{self.max_cells_per_kg:.1e}/kg, "
            f"target {self.target_cells_per_kg:.1e}/kg{'' if self.at_target else '; below target: all viable cells'})",
            f"final volume {self.final_volume_ml:g} mL ({self.cell_concentration_per_ml:.3e} cells/mL), "
            f"DMSO {self.dmso_volume_ml:g} mL = {self.dmso_percent:g} % = {self.dmso_g:g} g "
            f"= {self.dmso_g_per_kg:.3f} g/kg",
        ]
        if self.placebo_code is not None:
            lines.append(f"matching {self.placebo_code}: {self.placebo_volume_ml:g} mL of the same vehicle "
                         f"({self.placebo_dmso_g_per_kg:.3f} g/kg DMSO)")
        return lines


def matching_placebo(protocol: Protocol, product_code: str) -> Product | None:
    """The protocol product declared as matching ``product_code`` (the placebo), if any."""
    return next((p for p in protocol.products if p.matches == product_code), None)


def _finite(value: float, field: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise DosingError(field, f"expected a finite number, got {value!r}")
    return float(value)


def _check_dmso(dmso_volume_ml: float, final_volume_ml: float, max_percent: float, weight_kg: float,
                max_g_per_kg: float, what: str) -> tuple[float, float, float]:
    """(percent, grams, g/kg) of DMSO, or DosingError when over the concentration or per-kg limit."""
    percent = 100.0 * dmso_volume_ml / final_volume_ml
    if percent > max_percent + 1e-9:
        raise DosingError(
            "final_volume_ml",
            f"{what}: {dmso_volume_ml:g} mL DMSO in {final_volume_ml:g} mL is {percent:.1f} %, over the "
            f"{max_percent:g} % limit (needs at least {dmso_volume_ml * 100.0 / max_percent:g} mL)",
        )
    grams = dmso_volume_ml * DMSO_DENSITY_G_PER_ML
    per_kg = grams / weight_kg
    if per_kg > max_g_per_kg + 1e-12:
        raise DosingError(
            "dmso_g_per_kg",
            f"{what}: {grams:g} g DMSO for {weight_kg:g} kg is {per_kg:.3f} g/kg, over the {max_g_per_kg:g} g/kg limit",
        )
    return percent, grams, per_kg


def _dose_of(protocol: Protocol, product_code: str) -> Dose:
    """The cell-dose block of a product (or of the product a placebo matches), for its limits."""
    try:
        product = protocol.product(product_code)
        if product.dose is None and product.matches is not None:
            product = protocol.product(product.matches)
    except KeyError:
        raise DosingError("product_code", f"no product {product_code!r} in the protocol") from None
    if product.dose is None:
        raise DosingError("product_code", f"product {product_code!r} has no cell dose (is it the placebo?)")
    return product.dose


def compute_dose(
    protocol: Protocol,
    *,
    weight_kg: float,
    viable_cells: float,
    product_code: str = "MSC",
    final_volume_ml: float | None = None,
    weight_range_kg: tuple[float, float] | None = None,
    max_dmso_g_per_kg: float | None = None,
) -> DosePlan:
    """Plan the infusion for one participant, or raise :class:`DosingError` naming the field at fault.

    ``final_volume_ml`` defaults to the volume the vehicle implies (DMSO volume / DMSO fraction: 50 mL);
    ``weight_range_kg`` and ``max_dmso_g_per_kg`` default to the product's limits in the protocol file.
    """
    weight_kg = _finite(weight_kg, "weight_kg")
    viable_cells = _finite(viable_cells, "viable_cells")
    dose_limits = _dose_of(protocol, product_code)
    low, high = weight_range_kg if weight_range_kg is not None else dose_limits.plausible_weight_kg
    max_dmso = max_dmso_g_per_kg if max_dmso_g_per_kg is not None else dose_limits.max_dmso_g_per_kg
    if not low <= weight_kg <= high:
        raise DosingError("weight_kg", f"{weight_kg:g} kg is outside the plausible range {low:g}-{high:g} kg")
    if viable_cells <= 0:
        raise DosingError("viable_cells", f"expected a positive viable cell count, got {viable_cells:g}")
    try:
        product = protocol.product(product_code)
    except KeyError:
        raise DosingError("product_code", f"no product {product_code!r} in the protocol") from None
    if product.dose is None:
        raise DosingError("product_code", f"product {product_code!r} has no cell dose (is it the placebo?)")
    dose = product.dose

    min_cells = dose.min_cells_per_kg * weight_kg
    if viable_cells < min_cells:
        raise DosingError(
            "viable_cells",
            f"{viable_cells:.3e} viable cells are fewer than the minimum dose {min_cells:.3e} "
            f"({dose.min_cells_per_kg:.1e} cells/kg x {weight_kg:g} kg)",
        )
    target_cells = dose.target_cells_per_kg * weight_kg
    cells = min(viable_cells, target_cells, dose.max_cells_per_kg * weight_kg)

    volume = product.vehicle.final_volume_ml if final_volume_ml is None else _finite(final_volume_ml,
                                                                                     "final_volume_ml")
    if volume <= 0:
        raise DosingError("final_volume_ml", f"expected a positive volume, got {volume:g}")
    percent, grams, per_kg = _check_dmso(product.vehicle.dmso_volume_ml, volume, product.vehicle.dmso_percent,
                                         weight_kg, max_dmso, product_code)

    placebo = matching_placebo(protocol, product_code)
    placebo_per_kg = None
    if placebo is not None:
        _, _, placebo_per_kg = _check_dmso(placebo.vehicle.dmso_volume_ml, volume, placebo.vehicle.dmso_percent,
                                           weight_kg, max_dmso, placebo.code)

    return DosePlan(
        product_code=product_code,
        weight_kg=weight_kg,
        viable_cells=viable_cells,
        min_cells_per_kg=dose.min_cells_per_kg,
        target_cells_per_kg=dose.target_cells_per_kg,
        max_cells_per_kg=dose.max_cells_per_kg,
        cells_to_infuse=cells,
        dose_cells_per_kg=cells / weight_kg,
        at_target=cells >= target_cells,
        final_volume_ml=volume,
        cell_concentration_per_ml=cells / volume,
        dmso_volume_ml=product.vehicle.dmso_volume_ml,
        dmso_percent=percent,
        dmso_g=grams,
        dmso_g_per_kg=per_kg,
        placebo_code=None if placebo is None else placebo.code,
        placebo_volume_ml=None if placebo is None else volume,
        placebo_dmso_g_per_kg=placebo_per_kg,
    )
