"""The lab's label of one product for one infusion: HTML preview or PDF to print (cell-processing lab only)."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.views.decorators.http import require_GET

from mescams.core.blinding import BLINDING_POLICY, Reveal, Role
from mescams.edc.crfs.clinical import infusion_visits
from mescams.edc.labels.printing import label_html, label_of, label_pdf
from mescams.edc.randomisation.models import AllocationSlot
from mescams.edc.web.access import role_required

__all__ = ["product_label"]


@role_required(Role.CELL_LAB)
@require_GET
def product_label(request: HttpRequest, product_code: str, visit_code: str, fmt: str) -> HttpResponse:
    """``fmt`` ``html`` or ``pdf``; only a product code assigned to a participant has a label."""
    BLINDING_POLICY.require(request.user.role, Reveal.PRODUCT_TYPE)  # the lab's pages as a whole: unblinded
    slot = (AllocationSlot.objects.select_related("participant").filter(product_code=product_code,
                                                                        participant__isnull=False).first())
    if slot is None or visit_code not in infusion_visits():
        raise Http404("no such product")
    label = label_of(slot, visit_code)
    if fmt == "pdf":
        response = HttpResponse(label_pdf(label), content_type="application/pdf")
        response["Content-Disposition"] = f'inline; filename="label-{product_code}-{visit_code}.pdf"'
        return response
    return HttpResponse(label_html(label))
