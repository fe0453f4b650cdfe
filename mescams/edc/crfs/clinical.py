"""The EDC's one doorway to the clinical core: EDSS derivation, dosing and the infusion visits.

Each adapter here is one call into the core (``mescams.core.edss``, the protocol's dose range), so the EDC never
re-implements a clinical rule.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext

from mescams.core.edss import EdssExam, score_exam
from mescams.errors import DosingError, ProtocolError
from mescams.protocols import default_protocol

FS_FIELDS = ("visual", "brainstem", "pyramidal", "cerebellar", "sensory", "bowel_bladder", "cerebral")


def infusion_visits() -> tuple[str, ...]:
    """Visit codes whose activities include an infusion (W0 and W24 in MESCAMS)."""
    return tuple(v.code for v in default_protocol().visits if "infusion" in v.activities)


def treatment_at_infusion(sequence: str, visit_code: str) -> str:
    """MSC or PLACEBO given at an infusion visit: the treatment of the period that this infusion starts."""
    protocol = default_protocol()
    week = protocol.visit(visit_code).week
    for period in protocol.design.periods:
        if period.infusion_week == week:
            return protocol.treatment_in_period(sequence, period.number)
    raise DosingError("visit_code", gettext("%(visit_code)s is not an infusion visit") % {"visit_code": visit_code})


def derive_edss(record: Any) -> tuple[float, bool | None, str]:
    """(EDSS step, consistent with the rater's value or None, explanation) from the FS and ambulation scores."""
    data = {name: getattr(record, name) for name in (*FS_FIELDS, "ambulation")}
    result = score_exam(EdssExam.from_mapping({**data, "recorded_edss": record.recorded_edss}))
    return result.score.step, result.consistent, result.score.reason


def cells_per_kg(*, cells_infused: float | None, weight_kg: float | None) -> float | None:
    """Cells per kilogram of body weight (cells / kg); None while either figure is missing."""
    if cells_infused is None or weight_kg is None:
        return None
    if weight_kg <= 0:
        raise DosingError("weight_kg", gettext("must be positive to compute cells/kg"))
    return cells_infused / weight_kg


def check_msc_dose(cells_per_kg_value: float) -> None:
    """An MSC product must fall within the protocol's dose range (cells/kg)."""
    dose = default_protocol().product("MSC").dose
    if dose is None:
        raise ProtocolError(["products.MSC.dose: the MSC product needs a dose range"])
    if not dose.min_cells_per_kg <= cells_per_kg_value <= dose.max_cells_per_kg:
        raise DosingError(
            "cells_infused",
            gettext("gives %(cells_per_kg_value)s cells/kg, outside the protocol's "
                    "%(min_cells_per_kg)s-%(max_cells_per_kg)s cells/kg") % {
                        "cells_per_kg_value": format(cells_per_kg_value, ".3g"),
                        "min_cells_per_kg": format(dose.min_cells_per_kg, ".1e"),
                        "max_cells_per_kg": format(dose.max_cells_per_kg, ".1e")},
        )
