"""Electronic consent through the pages: the participant reads the form in French and answers the questions,
signs, the coordinator countersigns with their password; the consent is recorded and the signed PDF archived.
A new ICF version that asks for re-consent holds the next visit's forms until the participant has re-consented."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import yaml

from mescams.edc.audit.models import AuditEntry
from mescams.edc.crfs.models import Consent
from mescams.edc.econsent.models import ElectronicConsent, UploadedConsentDocument
from mescams.edc.econsent.signing import ParticipantSignature, countersign
from mescams.errors import ConsentRequired, InputValidationError
from mescams.protocols import DEFAULT_PROTOCOL_PATH, default_protocol
from tests.factories.edc import PASSWORD, consented

RIGHT = {"voluntary": "true", "blinded": "false", "two_infusions": "true"}


def _read_and_sign(client, answers: dict[str, str] = RIGHT) -> None:  # type: ignore[no-untyped-def]
    assert client.post("/site/econsent/read/", answers).status_code == 302
    assert client.post("/site/econsent/sign/", {"step": "participant", "full_name": "Marie-Ève Tremblay",
                                                "agree": "on"}).status_code == 302


def test_a_french_electronic_consent_registers_the_person_and_archives_the_signed_form(client_for) -> None:  # type: ignore[no-untyped-def]
    coord = client_for("coord")
    start = coord.get("/site/econsent/")
    assert 'value="fr-ca"' in start.text
    assert coord.post("/site/econsent/", {"site": "OTT", "form_version": default_protocol().informed_consent.current
                                          .version, "language": "fr-ca"}).status_code == 302
    page = coord.get("/site/econsent/read/")
    assert '<html lang="fr-ca">' in page.text
    assert "Nous vous invitons à participer à MESCAMS" in page.text and "Questions sur le formulaire" in page.text
    wrong = coord.post("/site/econsent/read/", {**RIGHT, "blinded": "true", "two_infusions": ""})
    assert wrong.status_code == 200
    assert "Question 2 : veuillez revoir ce point du formulaire avec la coordonnatrice" in wrong.text
    assert "La question 3 n’a pas encore de réponse." in wrong.text
    _read_and_sign(coord)
    countersign_page = coord.get("/site/econsent/sign/")
    assert "Contre-signature" in countersign_page.text
    refused = coord.post("/site/econsent/sign/", {"step": "countersign", "password": "not the password"})
    assert refused.status_code == 200 and not Consent.objects.exists()
    done = coord.post("/site/econsent/sign/", {"step": "countersign", "password": PASSWORD})
    assert done.status_code == 302
    record = ElectronicConsent.objects.get()
    consent = record.consent
    assert (consent.participant.participant_id, consent.obtained_by.username) == ("OTT-001", "coord")
    assert (record.language, record.comprehension_attempts) == ("fr-ca", 2)
    assert record.translation_certificate.startswith("TR-2015-0412")
    assert bytes(record.pdf).startswith(b"%PDF") and hashlib.sha256(bytes(record.pdf)).hexdigest() == record.pdf_sha256
    assert AuditEntry.objects.filter(table="econsent_electronicconsent", field="pdf_sha256",
                                     new=f'"{record.pdf_sha256}"').exists()
    assert not AuditEntry.objects.filter(table="econsent_electronicconsent", field="pdf").exists()
    # the signed form: to the site's staff only
    assert coord.get(f"/site/econsent/{record.pk}/signed.pdf").content == bytes(record.pdf)
    assert client_for("coord_wpg").get(f"/site/econsent/{record.pk}/signed.pdf").status_code == 404
    assert client_for("rater").get(f"/site/econsent/{record.pk}/signed.pdf").status_code == 403


def test_a_participant_who_got_a_question_wrong_cannot_be_signed_through_the_service(users) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(InputValidationError, match="Question 2"):
        countersign(user=users["coord"], password=PASSWORD, form_version=default_protocol().informed_consent.current
                    .version, language="en", answers={"voluntary": True, "blinded": True, "two_infusions": True},
                    attempts=1, signature=ParticipantSignature("A Person", dt.datetime.now(dt.UTC)), site_code="OTT")
    assert not Consent.objects.exists()


NEW_ICF = "v4.0 2016-03-01"


@pytest.fixture()
def amended(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[[bool], None]]:
    """An amended protocol whose new ICF version asks for re-consent; with or without its French document."""
    def amend(with_french: bool) -> None:
        document = yaml.safe_load(DEFAULT_PROTOCOL_PATH.read_text(encoding="utf-8"))
        current = document["informed_consent"]["versions"][-1]
        documents = [{**d, "approved_on": dt.date(2016, 3, 1)} for d in current["documents"]
                     if with_french or d["language"] == "en"]
        questions = [q if with_french else {**q, "text": {"en": q["text"]["en"]}} for q in current["questions"]]
        document["informed_consent"]["versions"].append(
            {"version": NEW_ICF, "approved_on": dt.date(2016, 3, 1), "reconsent": True, "summary": "new risk",
             "documents": documents, "questions": questions})
        path = tmp_path / "amended.yaml"
        path.write_text(yaml.safe_dump(document, sort_keys=False, allow_unicode=True), encoding="utf-8")
        monkeypatch.setenv("MESCAMS_PROTOCOL", str(path))
        default_protocol.cache_clear()

    yield amend
    monkeypatch.delenv("MESCAMS_PROTOCOL", raising=False)
    default_protocol.cache_clear()


def test_a_new_version_holds_the_next_visit_forms_until_the_electronic_reconsent(users, client_for, amended) -> None:  # type: ignore[no-untyped-def]
    from mescams.edc.crfs.services import save_form
    from mescams.edc.trial.consent import reconsent_due

    coord = users["coord"]
    pid = consented(coord)
    amended(True)
    assert [d.participant.participant_id for d in reconsent_due(user=coord)] == [pid]
    after = dt.date(2016, 3, 2)
    with pytest.raises(ConsentRequired, match=f"{pid} must re-consent on ICF {NEW_ICF}"):
        save_form(user=coord, participant_id=pid, form="vital_signs",
                  values={"visit_code": "SCR", "assessment_date": after, "weight_kg": 70.0})
    # a visit held before the new version was approved is not held, and safety never is
    from mescams.edc.crfs.models import VitalSigns
    from mescams.edc.crfs.services import _reconsent_hold
    from mescams.edc.trial.models import Participant

    participant = Participant.objects.get(participant_id=pid)
    _reconsent_hold(participant, VitalSigns(visit_code="SCR", assessment_date=dt.date(2016, 2, 1)))
    save_form(user=coord, participant_id=pid, form="adverse_event",
              values={"term": "Headache", "onset_date": after, "severity_grade": 1, "serious": False,
                      "serious_criteria": [], "action": "none", "outcome": "recovered"})
    client = client_for("coord")
    start = client.get(f"/site/econsent/?participant={pid}")
    assert NEW_ICF in start.text
    client.post("/site/econsent/", {"participant": pid, "form_version": NEW_ICF, "language": "fr-ca"})
    _read_and_sign(client)
    client.post("/site/econsent/sign/", {"step": "countersign", "password": PASSWORD})
    assert ElectronicConsent.objects.get().consent.form_version == NEW_ICF
    assert reconsent_due(user=coord) == []
    save_form(user=coord, participant_id=pid, form="vital_signs",
              values={"visit_code": "SCR", "assessment_date": after, "weight_kg": 70.0})


def test_the_data_manager_uploads_a_translation_with_its_certificate(users, client_for, amended) -> None:  # type: ignore[no-untyped-def]
    amended(False)
    dm = client_for("dm")
    body = {"form_version": NEW_ICF, "language": "fr-ca", "approved_on": "2016-03-10", "title": "Consentement",
            "text": "Premier paragraphe.\n\nDeuxième paragraphe.", "question_voluntary": "Je peux cesser.",
            "question_blinded": "On me le dira.", "question_two_infusions": "Deux perfusions."}
    refused = dm.post("/dm/consent-documents/", body)
    assert refused.status_code == 200 and "needs its translation_certificate" in refused.text
    certificate = {"certificate_translator": "A. Traductrice", "certificate_on": "2016-03-05",
                   "certificate_reference": "TR-9"}
    missing_question = dm.post("/dm/consent-documents/", {**body, **certificate, "question_blinded": ""})
    assert "question(s) blinded" in missing_question.text
    ok = dm.post("/dm/consent-documents/", {**body, **certificate})
    assert ok.status_code == 302, ok.text
    row = UploadedConsentDocument.objects.get()
    assert (row.language, row.certificate_reference, row.uploaded_by.username) == ("fr-ca", "TR-9", "dm")
    assert "TR-9 (A. Traductrice, 2016-03-05)" in dm.get("/dm/consent-documents/").text
    declared = dm.post("/dm/consent-documents/", {**body, **certificate, "language": "en"})
    assert "cannot be replaced by an upload" in declared.text
    assert client_for("coord").get("/dm/consent-documents/").status_code == 403
