"""One product's label as HTML (to preview) and PDF (to print, WeasyPrint, as the project's other PDFs): the
protocol's bilingual wording, the product code and the participant; never the product behind the code."""

from __future__ import annotations

from django.template.loader import render_to_string
from django.utils.translation import gettext

from mescams.core.product_label import ProductLabel, build_label
from mescams.edc.randomisation.models import AllocationSlot
from mescams.errors import InputValidationError
from mescams.protocols import default_protocol

__all__ = ["label_html", "label_of", "label_pdf"]


def label_of(slot: AllocationSlot, visit_code: str) -> ProductLabel:
    """The label of ``slot``'s product for the infusion at ``visit_code`` (one lot per product and infusion)."""
    protocol = default_protocol()
    if protocol.product_labelling is None:
        raise InputValidationError("product_labelling", gettext("the protocol file declares no product label wording"))
    visit = protocol.visit(visit_code)
    identification = protocol.identification
    return build_label(
        labelling=protocol.product_labelling, protocol_code=identification.acronym, nct_id=identification.nct_id,
        sponsor=identification.sponsor, product_code=slot.product_code,
        participant_id=slot.participant.participant_id if slot.participant else "",
        infusion=f"{visit.code} ({visit.name})", lot=f"{slot.product_code}-{visit.code}", expiry=None)


def label_html(label: ProductLabel) -> str:
    return render_to_string("labels/product_label.html", {"label": label})


def label_pdf(label: ProductLabel) -> bytes:
    """The label printed on a 102 x 152 mm (4 x 6 in) label stock, English above French."""
    from weasyprint import HTML  # noqa: PLC0415 - WeasyPrint loads its fonts and libraries only when printing

    return HTML(string=label_html(label)).write_pdf()  # type: ignore[no-any-return]
