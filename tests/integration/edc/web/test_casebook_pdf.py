"""The casebook PDF: PDF/A-3b (WeasyPrint's variant: XMP identification, embedded fonts), every form of the
participant, the queries' threads, the audit summary with each change's reason, the signatures; blinded content
only (no sequence, no product type, no cell counts); for the investigator (own sites) and the data manager only."""

from __future__ import annotations

import re
import zlib

import pytest
from django.test import Client

from mescams.edc.crfs.services import save_form
from mescams.edc.queries.services import answer_query, open_query, sign_casebook
from mescams.edc.randomisation.models import AllocationSlot
from mescams.edc.trial.models import Participant
from mescams.edc.web.casebook_pdf import casebook_html
from tests.factories.edc import PASSWORD, infuse, randomised
from tests.integration.edc.test_validation_rules import GOOD

pytest.importorskip("weasyprint")


def _inflated(pdf: bytes) -> bytes:
    """The PDF with its compressed streams inflated (the XMP metadata is one of them)."""
    parts = [pdf]
    for stream in re.findall(rb"stream\r?\n(.*?)endstream", pdf, flags=re.S):
        try:
            parts.append(zlib.decompress(stream))
        except zlib.error:
            continue
    return b"".join(parts)


def _as(users, name: str) -> Client:
    client = Client()
    client.force_login(users[name])
    return client


def _casebook(users) -> str:
    pid = randomised(users["coord"])
    infuse(users["coord"], pid)
    record = save_form(user=users["coord"], participant_id=pid, form="vital_signs", values=GOOD["vital_signs"])
    save_form(user=users["coord"], participant_id=pid, form="vital_signs", record_pk=record.pk,
              values={**GOOD["vital_signs"], "weight_kg": 71.5}, reason="transcription error on the worksheet")
    save_form(user=users["coord"], participant_id=pid, form="adverse_event", values=GOOD["adverse_event"])
    query = open_query(user=users["dm"], participant_id=pid, form="vital_signs", record_id=str(record.pk),
                       field="weight_kg", text="Weight differs from the source?")
    answer_query(user=users["coord"], query_id=query.pk, answer="Corrected to 71.5 kg.")
    sign_casebook(user=users["inv"], participant_id=pid, password=PASSWORD, meaning="I approve this casebook.",
                  sign_anyway=True, reason="interim archive")
    return pid


def test_the_casebook_holds_every_form_queries_audit_and_signatures_blinded(users, allocation) -> None:
    pid = _casebook(users)
    html = casebook_html(users["dm"], Participant.objects.get(participant_id=pid))
    for text in ("Vital signs and weight", "Weight (kg)", "71.5", "Adverse event", "Headache", "Infusion",
                 "Weight differs from the source?", "Corrected to 71.5 kg.", "transcription error on the worksheet",
                 "I approve this casebook.", "Age 18 to 50 years old"):
        assert text in html, text
    slot = AllocationSlot.objects.get(participant__participant_id=pid)
    assert slot.product_code in html
    for hidden in (slot.sequence, "MSC-PLACEBO", "PLACEBO-MSC", "Cells infused", "Viability", "placebo"):
        assert hidden.lower() not in html.lower(), hidden
    assert not re.search(r"participant_id \d", html)


def test_the_pdf_is_pdf_a_and_only_for_the_investigator_and_the_data_manager(users, allocation) -> None:
    pid = _casebook(users)
    for name in ("inv", "dm"):
        response = _as(users, name).get(f"/casebook/{pid}/pdf/")
        assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
        assert response["Content-Disposition"] == f'attachment; filename="casebook-{pid}.pdf"'
        pdf = response.content
        assert pdf.startswith(b"%PDF-")
        assert re.search(rb"pdfaid:part[^0-9]{0,4}3", _inflated(pdf))
        assert re.search(rb"pdfaid:conformance[^A-Z]{0,4}B", _inflated(pdf))
        assert b"/OutputIntents" in _inflated(pdf) and b"/FontFile" in _inflated(pdf)  # sRGB intent; fonts embedded
        assert len(re.findall(rb"/Type\s*/Page\b", _inflated(pdf))) >= 2
    for name in ("coord", "rater", "monitor", "lab", "statistician", "mri"):
        assert _as(users, name).get(f"/casebook/{pid}/pdf/").status_code == 403, name


def test_the_casebook_is_printed_in_the_readers_language(users, allocation) -> None:
    from django.utils import translation

    pid = _casebook(users)
    with translation.override("fr-ca"):
        html = casebook_html(users["dm"], Participant.objects.get(participant_id=pid))
    for text in ('<html lang="fr-ca">', f"Dossier du participant {pid}", "Signes vitaux et poids", "Poids (kg)",
                 "Événement indésirable", "Demandes de clarification", f"dossier {pid} · imprimé le", "répondue"):
        assert text in html, text
    for english in ("Vital signs and weight", "Weight (kg)", "Casebook of participant", " printed "):
        assert english not in html, english
