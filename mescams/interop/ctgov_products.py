"""Products (investigational and placebo) of a draft protocol, read from a ClinicalTrials.gov record's texts.

The registry gives interventions as free text; we recognise a dose range in cells per kg ('1 to 2 x 10^6/kg',
'1 to 2 x 1000000 MSC/Kg'), the route, and a cell product's vehicle (base solution, albumin %, DMSO % and mL).
A placebo arm becomes a product that 'matches' the investigational one. What is not recognised is reported.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from mescams.interop.ctgov_report import ImportReport

__all__ = ["products_from_record"]

ROUTES = ("intravenous", "intrathecal", "oral", "subcutaneous", "intramuscular")


def _dose(text: str) -> tuple[float, float] | None:
    m = re.search(r"(\d+(?:\.\d+)?)\s*(?:to|-)\s*(\d+(?:\.\d+)?)\s*x\s*(10\^?6|106|1000000|10\^?7|107)", text)
    if not m:
        return None
    scale = 1e7 if m.group(3).endswith("7") else 1e6
    return float(m.group(1)) * scale, float(m.group(2)) * scale


def _vehicle(text: str) -> dict[str, Any] | None:
    base = re.search(r"in ([A-Z][\w\- ]+?(?:\([^)]*\))?) suspension media", text)
    albumin = re.search(r"(\d+(?:\.\d+)?)\s*% Human Albumin", text, re.I)
    dmso = re.search(r"(\d+(?:\.\d+)?)\s*%\s*(?:dimethylsulfoxide|DMSO)", text, re.I)
    volume = re.search(r"(\d+(?:\.\d+)?)\s*mL DMSO", text, re.I)
    if not (base and albumin and dmso and volume):
        return None
    return {
        "base": base.group(1).strip(),
        "human_albumin_percent": float(albumin.group(1)),
        "dmso_percent": float(dmso.group(1)),
        "dmso_volume_ml": float(volume.group(1)),
    }


def products_from_record(ps: dict[str, Any], treatments: dict[str, str], rep: ImportReport) -> list[dict[str, Any]]:
    interventions = ps.get("armsInterventionsModule", {}).get("interventions", [])
    arms = ps.get("armsInterventionsModule", {}).get("armGroups", [])
    text = (
        " ".join(i.get("description", "") for i in interventions)
        + " "
        + " ".join(a.get("description", "") for a in arms)
    )
    kind = interventions[0].get("type", "OTHER").replace("_", " ").title() if interventions else "Other"
    route = next((r for r in ROUTES if re.search(rf"{r[:-1]}", text, re.I)), None)
    if route is None:
        rep.missing.append(("products[].route", "no route of administration recognised"))
    vehicle = _vehicle(text)
    if vehicle is None:
        rep.missing.append(
            (
                "products[].vehicle",
                "no cell-product vehicle (base, albumin %, DMSO % and mL) recognised; the protocol model requires one",
            )
        )
    dose = _dose(text)
    investigational = [c for c in treatments if c != "PLACEBO"]
    products: list[dict[str, Any]] = []
    for code, label in treatments.items():
        product: dict[str, Any] = {
            "code": code,
            "name": label,
            "intervention_type": kind,
            "route": route or "unknown",
            "description": next((i.get("description", "") for i in interventions if code != "PLACEBO"), label) or label,
        }
        if code == "PLACEBO" and investigational:
            product["matches"] = investigational[0]
        elif dose is not None:
            product["dose"] = {
                "min_cells_per_kg": dose[0],
                "max_cells_per_kg": dose[1],
                "target_cells_per_kg": (dose[0] + dose[1]) / 2,
                "weight_basis": "body weight at randomisation",
            }
            rep.guessed.append(
                (
                    f"products[{code}].dose",
                    f"{dose[0]:.1e}-{dose[1]:.1e} cells/kg from the text; target set to the middle of the range",
                )
            )
        else:
            rep.missing.append((f"products[{code}].dose", "no dose range in cells/kg recognised"))
        if vehicle is not None:
            product["vehicle"] = dict(vehicle)
        products.append(product)
    return products
