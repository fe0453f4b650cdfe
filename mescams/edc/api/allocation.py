"""Routes that touch allocation: the list (statistician), the lab's worklist, MRI reads, the analysis export."""

from __future__ import annotations

import io
import tempfile
import zipfile
from pathlib import Path
from typing import Any

from django.http import HttpResponse
from django.utils.translation import gettext
from ninja import Router, Status

from mescams.core.blinding import BLINDING_POLICY, Reveal, Role
from mescams.core.dosing import compute_dose
from mescams.edc.api.exports import require_identifiable
from mescams.edc.api.participants import ERRORS
from mescams.edc.api.schemas import (
    AllocationIn,
    AllocationOut,
    LabProductOut,
    LabRecordIn,
    ReconfirmIn,
    ScanOut,
    ScanReadIn,
    VerifyOut,
)
from mescams.edc.crfs.clinical import infusion_visits, treatment_at_infusion
from mescams.edc.crfs.dose_basis import products_of, weight_at_randomisation
from mescams.edc.crfs.lab import reconfirm_preparation, record_lab_product, record_preparation
from mescams.edc.crfs.models import Infusion, MriScan
from mescams.edc.crfs.services import read_scan
from mescams.edc.export.analysis_data import write_analysis_data
from mescams.edc.randomisation import services
from mescams.edc.randomisation.models import AllocationSlot
from mescams.edc.trial.services import Forbidden
from mescams.errors import DosingError
from mescams.protocols import default_protocol

router = Router(tags=["allocation"])


def _target_cells(weight_kg: float | None) -> float | None:
    """Cells to infuse for an MSC product at the protocol's target dose (the core's dose plan), if computable."""
    protocol = default_protocol()
    dose = protocol.product("MSC").dose
    if weight_kg is None or dose is None:
        return None
    try:
        plan = compute_dose(protocol, weight_kg=weight_kg, viable_cells=dose.target_cells_per_kg * weight_kg)
    except DosingError:
        return None
    return plan.cells_to_infuse


def _list_out(stored: Any) -> dict[str, Any]:
    slots = stored.slots.select_related("participant").order_by("site_code", "number")
    return {"seed": stored.seed, "generator": stored.generator, "slots_per_site": stored.slots_per_site,
            "created_by": stored.created_by,
            "slots": [{"site_code": s.site_code, "number": s.number, "block": s.block, "block_size": s.block_size,
                       "sequence": s.sequence, "product_code": s.product_code,
                       "participant_id": s.participant.participant_id if s.participant else None} for s in slots]}


@router.post("/randomisation/list", response={201: AllocationOut, **ERRORS})
def generate(request: Any, body: AllocationIn) -> Any:
    """Generate the allocation list (unblinded statistician only), from a recorded or fresh seed."""
    BLINDING_POLICY.require(request.user.role, Reveal.ALLOCATION_LIST)
    stored = services.generate_list(actor=request.user, seed=body.seed, slots_per_site=body.slots_per_site)
    return Status(201, _list_out(stored))


@router.get("/randomisation/list", response={200: AllocationOut, **ERRORS})
def allocation_list(request: Any) -> Any:
    BLINDING_POLICY.require(request.user.role, Reveal.ALLOCATION_LIST)
    return _list_out(services.active_list())


@router.get("/randomisation/verify", response={200: VerifyOut, **ERRORS})
def verify(request: Any) -> Any:
    BLINDING_POLICY.require(request.user.role, Reveal.ALLOCATION_LIST)
    return {"verified_slots": services.verify_list()}


@router.get("/lab/products", response={200: list[LabProductOut], **ERRORS})
def lab_products(request: Any) -> Any:
    """The lab's worklist: per product code, what to prepare at each infusion visit and the target dose."""
    BLINDING_POLICY.require(request.user.role, Reveal.PRODUCT_TYPE)
    out = []
    slots = AllocationSlot.objects.filter(participant__isnull=False).select_related("participant__site")
    for slot in slots.order_by("product_code"):
        p = slot.participant
        infusions = list(Infusion.objects.filter(participant=p).order_by("visit_code"))
        weight = weight_at_randomisation(p)  # the dose basis, one definition
        by_visit = {code: treatment_at_infusion(slot.sequence, code) for code in infusion_visits()}
        out.append({
            "participant_id": p.participant_id, "product_code": slot.product_code, "site": p.site.code,
            "week0_date": p.week0_date, "weight_kg": weight, "sequence": slot.sequence,
            "products_by_visit": by_visit,
            "target_cells": _target_cells(weight),
            "infusions": [{"visit_code": i.visit_code, "infusion_date": i.infusion_date.isoformat(),
                           "cells_infused": i.cells_infused, "viability_percent": i.viability_percent,
                           "cells_per_kg": i.cells_per_kg} for i in infusions],
            "products": [{"visit_code": code, "prepared_on_kg": st.prepared_on_kg, "prepared_by": st.prepared_by,
                          "infused": st.infused, "released": st.released, "superseded": st.superseded}
                         for code, st in products_of(p, weight).items()],
        })
    return out


def _lab_product(request: Any, participant_id: str) -> Any:
    return next(x for x in lab_products(request) if x["participant_id"] == participant_id)


@router.post("/lab/participants/{participant_id}/products/{visit_code}/prepared",
             response={201: LabProductOut, **ERRORS})
def lab_prepared(request: Any, participant_id: str, visit_code: str) -> Any:
    """The lab has prepared the product of this infusion visit on today's dose basis (guarded from now on)."""
    record_preparation(user=request.user, participant_id=participant_id, visit_code=visit_code)
    return Status(201, _lab_product(request, participant_id))


@router.post("/lab/participants/{participant_id}/products/{visit_code}/reconfirm",
             response={200: LabProductOut, **ERRORS})
def lab_reconfirm(request: Any, participant_id: str, visit_code: str, body: ReconfirmIn) -> Any:
    """Re-confirm, with the lab's reason, a product prepared on a weight that is no longer the dose basis."""
    reconfirm_preparation(user=request.user, participant_id=participant_id, visit_code=visit_code,
                          reason=body.reason)
    return _lab_product(request, participant_id)


@router.put("/lab/participants/{participant_id}/infusions/{visit_code}", response={200: LabProductOut, **ERRORS})
def lab_record(request: Any, participant_id: str, visit_code: str, body: LabRecordIn) -> Any:
    """The lab's cell count and viability for an infusion (cells/kg computed from the weight)."""
    record_lab_product(user=request.user, participant_id=participant_id, visit_code=visit_code,
                       cells_infused=body.cells_infused, viability_percent=body.viability_percent, reason=body.reason)
    return _lab_product(request, participant_id)


def _scan_out(s: MriScan) -> dict[str, Any]:
    return {"scan_id": s.scan_id, "read": s.read_at is not None, "gel_count": s.gel_count,
            "new_enlarging_t2_count": s.new_enlarging_t2_count, "cua_count": s.cua_count,
            "gel_volume_mm3": s.gel_volume_mm3, "black_hole_volume_mm3": s.black_hole_volume_mm3}


@router.get("/mri/scans", response={200: list[ScanOut], **ERRORS})
def scans(request: Any, unread: bool = False) -> Any:
    """The MRI reader's scan list: scan IDs only, no participant or visit."""
    if Role(request.user.role) is not Role.MRI_READER:
        raise Forbidden(gettext("the scan list is the MRI reader's"))
    qs = MriScan.objects.order_by("pk")  # entry order: a random scan ID must not decide the order
    if unread:
        qs = qs.filter(read_at__isnull=True)
    return [_scan_out(s) for s in qs]


@router.put("/mri/scans/{scan_id}", response={200: ScanOut, **ERRORS})
def read(request: Any, scan_id: str, body: ScanReadIn) -> Any:
    values = body.dict(exclude={"reason"})
    return _scan_out(read_scan(user=request.user, scan_id=scan_id, values=values, reason=body.reason))


@router.get("/export/analysis-data", response={200: None, **ERRORS})
def export_analysis_data(request: Any, identifiable: bool = False, reason: str = "") -> Any:
    """The analysis-data folder (contracts/analysis-data.md) as a zip: only roles allowed to see allocation.

    De-identified (dates moved by each participant's offset, AE terms scrubbed) unless ``identifiable`` is asked
    by a role allowed identifiable exports, with a reason, as for the other exports (:mod:`.exports`)."""
    BLINDING_POLICY.require(request.user.role, Reveal.ANALYSIS_EXPORT)
    if identifiable:
        require_identifiable(request.user, reason)
    buffer = io.BytesIO()
    with tempfile.TemporaryDirectory() as tmp:
        write_analysis_data(Path(tmp), actor=request.user, deidentified=not identifiable, reason=reason)
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
            for path in sorted(Path(tmp).iterdir()):
                zf.write(path, arcname=f"analysis-data/{path.name}")
    response = HttpResponse(buffer.getvalue(), content_type="application/zip")
    response["Content-Disposition"] = 'attachment; filename="analysis-data.zip"'
    return response
