"""The signed ICF as a PDF (WeasyPrint, as the project's other PDFs): the form's text in the language read,
the comprehension answers, the participant's signature and the coordinator's countersignature, each with its
date and time. Written in the document's language, captions included."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.template.loader import render_to_string
from django.utils import translation

from mescams.core.consent_documents import ConsentDocument

__all__ = ["signed_pdf", "signed_html"]


def signed_html(*, document: ConsentDocument, form_version: str, participant_id: str, participant_name: str,
                participant_signed_at: dt.datetime, questions: list[tuple[str, str]], answers: dict[str, Any],
                coordinator: Any, countersigned_at: dt.datetime) -> str:
    with translation.override(document.language):
        return render_to_string("econsent/signed_pdf.html", {
            "document": document, "form_version": form_version, "participant_id": participant_id,
            "participant_name": participant_name, "participant_signed_at": participant_signed_at,
            "answered": [(text, answers.get(qid)) for qid, text in questions],
            "coordinator": coordinator, "countersigned_at": countersigned_at, "language": document.language})


def signed_pdf(**values: Any) -> bytes:
    from weasyprint import HTML  # noqa: PLC0415 - WeasyPrint loads its fonts and libraries only when printing

    return HTML(string=signed_html(**values)).write_pdf()  # type: ignore[no-any-return]
