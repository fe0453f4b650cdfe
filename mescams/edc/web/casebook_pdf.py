"""A participant's casebook as one PDF/A-3b document for archiving: every eCRF record form by form, the eligibility
verdict with each criterion's protocol text, the queries with their threads, an audit summary (entries per form,
every change after entry with who, when, old, new and the reason) and the casebook signatures with their status.

Blinded content only: the product code, never the product type or sequence, and the lab's cell counts only for a
role the blinding policy lets see them (neither the investigator nor the data manager). The HTML is rendered from a
Django template and printed by WeasyPrint (``pdf_variant="pdf/a-3b"``: fonts embedded, XMP metadata, an sRGB output
intent), the archival form the ICH E6 essential documents call for."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.template.loader import render_to_string

from mescams.edc.crfs.models import FORMS, Consent, ScreeningRecord
from mescams.edc.i18n.labels import FORM_TITLES
from mescams.edc.queries.casebook import casebook_state, manifestation
from mescams.edc.queries.models import Signature
from mescams.edc.queries.services import visible_queries
from mescams.edc.randomisation.models import AllocationSlot
from mescams.edc.trial.eligibility import EligibilityOutcome
from mescams.edc.trial.models import Participant
from mescams.edc.web import audit_search
from mescams.edc.web.record_values import record_rows

PDF_VARIANT = "pdf/a-3b"


def casebook_context(user: Any, participant: Participant) -> dict[str, Any]:
    """Everything the casebook shows, as the user may see it."""
    sections = []
    for form, model in FORMS.items():
        if form == "screening":
            continue
        records = list(model.objects.filter(participant=participant).order_by("pk"))
        if records:
            sections.append({"form": form, "title": FORM_TITLES.get(form, form),
                             "records": [{"pk": r.pk, "rows": record_rows(form, r, user.role)} for r in records]})
    screening = ScreeningRecord.objects.filter(participant=participant).first()
    entries = audit_search.search(role=user.role, visible=Participant.objects.filter(pk=participant.pk),
                                  filters=audit_search.AuditFilters(participant_id=participant.participant_id))
    described = audit_search.described(entries.order_by("seq"))
    by_what: dict[str, int] = {}
    for row in described:
        by_what[row["what"]] = by_what.get(row["what"], 0) + 1
    changes = [row for row in described if row["entry"].action != "create"]
    return {
        "p": participant, "generated_at": dt.datetime.now(dt.UTC), "generated_by": user.username,
        "product_code": AllocationSlot.objects.filter(participant=participant).values_list("product_code",
                                                                                            flat=True).first(),
        "consents": Consent.objects.filter(participant=participant).order_by("consent_date", "pk"),
        "screening": screening,
        "screening_outcome": EligibilityOutcome(screening.eligible, screening.criteria) if screening else None,
        "sections": sections,
        "queries": visible_queries(user).filter(participant=participant).order_by("opened_at", "pk")
        .prefetch_related("messages"),
        "audit_total": len(described), "audit_by_what": sorted(by_what.items()), "changes": changes,
        "signatures": [manifestation(s) for s in Signature.objects.filter(participant=participant)
                       .order_by("signed_at", "pk")],
        "casebook_state": casebook_state(participant),
    }


def casebook_html(user: Any, participant: Participant) -> str:
    html: str = render_to_string("web/casebook_pdf.html", casebook_context(user, participant))
    return html


def casebook_pdf(user: Any, participant: Participant) -> bytes:
    """The casebook printed to PDF/A-3b."""
    # WeasyPrint loads Pango and friends when imported: only when a casebook is printed, not at every start-up
    from weasyprint import HTML

    html = casebook_html(user, participant)
    pdf: bytes = HTML(string=html).write_pdf(pdf_variant=PDF_VARIANT) or b""
    return pdf
