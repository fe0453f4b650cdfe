"""The cell-processing lab (unblinded): preparation worklist by product code with the computed dose and
volumes (``mescams.core.dosing``), products marked prepared and, when the dose basis changed since, flagged until
the lab re-confirms them with a reason; the release record of each infusion, and product accountability."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext

from mescams.core.blinding import BLINDING_POLICY, Reveal, Role
from mescams.core.dosing import DosePlan, compute_dose
from mescams.edc.crfs.clinical import infusion_visits, treatment_at_infusion
from mescams.edc.crfs.dose_basis import ProductStatus, products_of, weight_at_randomisation
from mescams.edc.crfs.lab import reconfirm_preparation, record_lab_product, record_preparation
from mescams.edc.crfs.models import Infusion
from mescams.edc.randomisation.models import AllocationSlot
from mescams.edc.web.access import post_only, role_required
from mescams.edc.web.forms import LabReleaseForm, ReconfirmForm, attach_error
from mescams.errors import DosingError, InputValidationError, MescamsError, ProtocolError, TrialStateError
from mescams.protocols import default_protocol


def plan_for(weight: float | None, viable_cells: float | None = None) -> tuple[DosePlan | None, str]:
    """The MSC dose plan for ``weight`` (by default as if the target number of cells were available)."""
    if weight is None:
        return None, "no weight recorded yet"
    dose = default_protocol().product("MSC").dose
    if dose is None:
        raise ProtocolError(["products.MSC.dose: the MSC product needs a dose range"])
    viable = viable_cells if viable_cells is not None else dose.target_cells_per_kg * weight
    try:
        return compute_dose(default_protocol(), weight_kg=weight, viable_cells=viable), ""
    except DosingError as exc:
        return None, str(exc)


def _items(slot: AllocationSlot, weight: float | None = None) -> list[dict[str, Any]]:
    p = slot.participant
    infusions = {i.visit_code: i for i in Infusion.objects.filter(participant=p)}
    products: dict[str, ProductStatus] = products_of(p, weight)
    protocol = default_protocol()
    out = []
    for code in infusion_visits():
        week = protocol.visit(code).week or 0
        inf, product = infusions.get(code), products.get(code)
        out.append({"visit": code, "treatment": treatment_at_infusion(slot.sequence, code),
                    "planned": p.week0_date + dt.timedelta(weeks=week) if p.week0_date else None,
                    "infusion": inf, "released": inf is not None and inf.cells_infused is not None,
                    "product": product, "superseded": product is not None and product.superseded})
    return out


def _slots() -> Any:
    return (AllocationSlot.objects.filter(participant__isnull=False).select_related("participant__site")
            .order_by("product_code"))


@role_required(Role.CELL_LAB)
def worklist(request: HttpRequest) -> HttpResponse:
    BLINDING_POLICY.require(request.user.role, Reveal.PRODUCT_TYPE)
    rows = []
    for slot in _slots():
        weight = weight_at_randomisation(slot.participant)
        plan, problem = plan_for(weight)
        rows.append({"slot": slot, "p": slot.participant, "weight": weight, "plan": plan, "problem": problem,
                     "items": _items(slot, weight)})
    pending = [r for r in rows if any(i["superseded"] for i in r["items"])
               or (any(not i["released"] for i in r["items"]) and r["p"].status != "withdrawn")]
    return render(request, "web/lab_worklist.html", {"rows": pending, "total": len(rows)})


def _slot_of(participant_id: str, visit_code: str) -> AllocationSlot:
    slot = _slots().filter(participant__participant_id=participant_id).first()
    if slot is None or visit_code not in infusion_visits():
        raise Http404("no such product")
    return slot


@role_required(Role.CELL_LAB)
def release(request: HttpRequest, participant_id: str, visit_code: str) -> HttpResponse:
    """The release record of one product: viable cells counted, cells in the product, viability."""
    BLINDING_POLICY.require(request.user.role, Reveal.CELL_COUNTS)
    slot = _slot_of(participant_id, visit_code)
    infusion = Infusion.objects.filter(participant=slot.participant, visit_code=visit_code).first()
    initial = {"cells_infused": infusion.cells_infused, "viability_percent": infusion.viability_percent} \
        if infusion else {}
    form = LabReleaseForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        c = form.cleaned_data
        try:
            record_lab_product(user=request.user, participant_id=participant_id, visit_code=visit_code,
                               cells_infused=c["cells_infused"], viability_percent=c["viability_percent"],
                               reason=c["reason"])
        except InputValidationError as exc:
            attach_error(form, exc)
        except TrialStateError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, gettext("Release record of %(product_code)s at %(visit_code)s saved.") % {
                "product_code": slot.product_code, "visit_code": visit_code})
            return redirect("web:lab_worklist")
    return _release_page(request, slot, visit_code, form)


def _release_page(request: HttpRequest, slot: AllocationSlot, visit_code: str, form: LabReleaseForm,
                  reconfirm: ReconfirmForm | None = None) -> HttpResponse:
    weight = weight_at_randomisation(slot.participant)
    plan, problem = plan_for(weight)
    infusion = Infusion.objects.filter(participant=slot.participant, visit_code=visit_code).first()
    return render(request, "web/lab_release.html", {
        "slot": slot, "p": slot.participant, "visit_code": visit_code, "infusion": infusion, "form": form,
        "treatment": treatment_at_infusion(slot.sequence, visit_code), "weight": weight, "plan": plan,
        "problem": problem, "product": products_of(slot.participant, weight).get(visit_code),
        "reconfirm_form": reconfirm or ReconfirmForm()})


@role_required(Role.CELL_LAB)
@post_only("web:lab_release", "participant_id", "visit_code")
def prepare(request: HttpRequest, participant_id: str, visit_code: str) -> HttpResponse:
    """The lab marks a product prepared, on today's dose basis (which is guarded from then on)."""
    slot = _slot_of(participant_id, visit_code)
    try:
        prep = record_preparation(user=request.user, participant_id=participant_id, visit_code=visit_code)
    except MescamsError as exc:
        messages.error(request, gettext("%(product_code)s at %(visit_code)s: %(exc)s") % {
            "product_code": slot.product_code, "visit_code": visit_code, "exc": exc})
    else:
        messages.success(request, gettext("%(product_code)s at %(visit_code)s prepared on %(weight_kg)s kg.") % {
            "product_code": slot.product_code, "visit_code": visit_code, "weight_kg": format(prep.weight_kg, 'g')})
    return redirect("web:lab_worklist")


@role_required(Role.CELL_LAB)
@post_only("web:lab_release", "participant_id", "visit_code")
def reconfirm(request: HttpRequest, participant_id: str, visit_code: str) -> HttpResponse:
    """The lab re-confirms, with its reason, a product prepared on a weight that is no longer the dose basis."""
    slot = _slot_of(participant_id, visit_code)
    form = ReconfirmForm(request.POST)
    if form.is_valid():
        try:
            reconfirm_preparation(user=request.user, participant_id=participant_id, visit_code=visit_code,
                                  reason=form.cleaned_data["reason"])
        except InputValidationError as exc:
            attach_error(form, exc)
        except TrialStateError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, gettext("%(product_code)s at %(visit_code)s re-confirmed on the new weight.") % {
                "product_code": slot.product_code, "visit_code": visit_code})
            return redirect("web:lab_worklist")
    return _release_page(request, slot, visit_code, LabReleaseForm(), form)


@role_required(Role.CELL_LAB)
@post_only("web:lab_release", "participant_id", "visit_code")
def dose_preview(request: HttpRequest, participant_id: str, visit_code: str) -> HttpResponse:
    """htmx: the dose plan for the viable cells the lab has just counted."""
    slot = _slot_of(participant_id, visit_code)
    form = LabReleaseForm(request.POST)
    form.is_valid()
    viable = form.cleaned_data.get("viable_cells")
    if viable:
        plan, problem = plan_for(weight_at_randomisation(slot.participant), viable)
    else:
        plan, problem = None, "enter the viable cell count"
    return render(request, "web/_dose_plan.html", {"plan": plan, "problem": problem})


@role_required(Role.CELL_LAB)
def accountability(request: HttpRequest) -> HttpResponse:
    """Every product code: what was prepared for each infusion visit, infused when, volume and release figures."""
    rows = [{"slot": s, "p": s.participant, "items": _items(s)} for s in _slots()]
    return render(request, "web/lab_accountability.html", {"rows": rows})
