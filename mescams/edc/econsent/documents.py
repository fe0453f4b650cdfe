"""The ICF documents available for electronic consent: those the protocol file declares and those the data
manager uploaded (never replacing a declared one), each validated by the core's rules."""

from __future__ import annotations

import datetime as dt
import hashlib
from typing import Any

from django.db import transaction
from django.utils.translation import gettext
from pydantic import ValidationError

from mescams.core.blinding import Role
from mescams.core.consent_documents import ConsentDocument, TranslationCertificate
from mescams.core.consent_forms import ConsentFormVersion
from mescams.edc.audit.context import acting
from mescams.edc.econsent.models import UploadedConsentDocument
from mescams.edc.i18n.languages import LANGUAGE_CODES
from mescams.edc.security.roles import require_role
from mescams.edc.trial.consent import consent_forms
from mescams.errors import InputValidationError

__all__ = ["documents_of", "question_texts", "upload_document", "version_of"]

MAX_CERTIFICATE_BYTES = 10 * 1024 * 1024


def version_of(label: str) -> ConsentFormVersion:
    forms = consent_forms()
    try:
        return forms.version(label)
    except KeyError:
        raise InputValidationError("form_version", gettext("%(label)s is not an ICF version of the protocol "
                                                           "(declared: %(labels)s)") % {
                                                               "label": repr(label),
                                                               "labels": ', '.join(forms.labels)}) from None


def _as_document(row: UploadedConsentDocument) -> ConsentDocument:
    certificate = (TranslationCertificate(translator=row.certificate_translator, certified_on=row.certificate_on,
                                          reference=row.certificate_reference)
                   if row.certificate_on is not None else None)
    return ConsentDocument(language=row.language, approved_on=row.approved_on, title=row.title,
                           paragraphs=[p.strip() for p in row.text.split("\n\n") if p.strip()],
                           translation_certificate=certificate)


def documents_of(label: str) -> dict[str, ConsentDocument]:
    """Every language's document of ICF ``label``: declared first, then uploaded."""
    declared = {d.language: d for d in version_of(label).documents}
    uploaded = {row.language: _as_document(row) for row in UploadedConsentDocument.objects.filter(form_version=label)
                if row.language not in declared}
    return {**declared, **uploaded}


def question_texts(label: str, language: str) -> list[tuple[str, str]]:
    """The version's comprehension questions in ``language``: (id, text), in the form's order."""
    version = version_of(label)
    uploaded = UploadedConsentDocument.objects.filter(form_version=label, language=language).first()
    extra = uploaded.question_texts if uploaded else {}
    return [(q.id, q.text.get(language) or extra.get(q.id, "")) for q in version.questions]


def upload_document(*, user: Any, form_version: str, language: str, approved_on: dt.date, title: str, text: str,
                    question_texts: dict[str, str], certificate_translator: str = "",
                    certificate_on: dt.date | None = None, certificate_reference: str = "",
                    certificate_pdf: bytes = b"") -> UploadedConsentDocument:
    """Record an ethics-approved ICF document (data manager); a translation needs its certificate."""
    require_role(user, Role.DATA_MANAGER)
    version = version_of(form_version)
    if language not in LANGUAGE_CODES:
        raise InputValidationError("language", gettext("must be one of %(sorted)s") % {
            "sorted": ', '.join(sorted(LANGUAGE_CODES))})
    if version.document(language) is not None:
        raise InputValidationError("language", gettext("the protocol file declares the %(language)s document of ICF "
                                                       "%(form_version)s; "
                                                       "it cannot be replaced by an upload") % {
                                                           "language": language, "form_version": form_version})
    missing = [q.id for q in version.questions if not q.text.get(language) and not question_texts.get(q.id, "").strip()]
    if missing:
        raise InputValidationError("question_texts", gettext(
            "give the text in %(language)s of question(s) %(missing)s") % {
                "language": language, "missing": ', '.join(missing)})
    if len(certificate_pdf) > MAX_CERTIFICATE_BYTES:
        raise InputValidationError("certificate_pdf", gettext("must be at most 10 MB"))
    if certificate_pdf and not certificate_pdf.startswith(b"%PDF"):
        raise InputValidationError("certificate_pdf", gettext("must be a PDF file"))
    row = UploadedConsentDocument(
        form_version=version.version, language=language, approved_on=approved_on, title=title.strip(), text=text,
        question_texts={k: v.strip() for k, v in question_texts.items() if v.strip()},
        certificate_translator=certificate_translator.strip(), certificate_on=certificate_on,
        certificate_reference=certificate_reference.strip(), certificate_pdf=certificate_pdf,
        certificate_sha256=hashlib.sha256(certificate_pdf).hexdigest() if certificate_pdf else "",
        uploaded_by=user, uploaded_at=dt.datetime.now(dt.UTC))
    try:
        document = _as_document(row)
        questions = [{**q.model_dump(), "text": {language: row.question_texts.get(q.id, ""), **q.text}}
                     for q in version.questions]
        ConsentFormVersion.model_validate({**version.model_dump(), "documents": [*version.documents, document],
                                           "questions": questions})
    except ValidationError as exc:
        first = exc.errors()[0]
        raise InputValidationError(".".join(str(p) for p in first["loc"]) or "document", first["msg"]) from None
    with transaction.atomic(), acting(user, reason=f"ICF {version.version} {language} document uploaded"):
        if UploadedConsentDocument.objects.filter(form_version=version.version, language=language).exists():
            raise InputValidationError("language", gettext("the %(language)s document of ICF %(version)s is already "
                                                           "uploaded") % {
                                                               "language": language, "version": version.version})
        row.save()
    return row
