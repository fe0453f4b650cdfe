"""Sign an ICF electronically: the participant's signature, then the coordinator's countersignature (their
password asked again), which records the consent (registering a new participant, or a re-consent) and archives
the signed PDF, all in one transaction: either everything is recorded or nothing is."""

from __future__ import annotations

import datetime as dt
import hashlib
import zoneinfo
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils.translation import gettext

from mescams.core.blinding import Role
from mescams.core.consent_documents import ConsentDocument, wrong_answers
from mescams.core.messages import DomainMessage
from mescams.edc.accounts.services import reauthenticate
from mescams.edc.audit.context import acting
from mescams.edc.crfs.models import Consent
from mescams.edc.econsent.documents import documents_of, question_texts, version_of
from mescams.edc.econsent.models import ElectronicConsent
from mescams.edc.econsent.pdf import signed_pdf
from mescams.edc.security.roles import require_role
from mescams.edc.trial.consent import record_consent, record_reconsent
from mescams.edc.trial.models import Participant, Site
from mescams.edc.trial.visibility import get_visible_participant
from mescams.errors import InputValidationError
from mescams.protocols import default_protocol

__all__ = ["ParticipantSignature", "check_answers", "countersign", "document_for"]

SITE_ROLES = (Role.SITE_COORDINATOR, Role.INVESTIGATOR)


@dataclass(frozen=True)
class ParticipantSignature:
    """The participant's signature as given on the screen: the name typed and when they signed."""

    full_name: str
    signed_at: dt.datetime


def document_for(form_version: str, language: str, on: dt.date) -> ConsentDocument:
    """The approved document of ``form_version`` in ``language``, usable on ``on``."""
    document = documents_of(form_version).get(language)
    if document is None:
        raise InputValidationError("language",
                                   gettext("ICF %(form_version)s has no approved document in %(language)s") % {
            "form_version": form_version, "language": language})
    if document.approved_on > on:
        raise InputValidationError("language", gettext("the %(language)s document of ICF %(form_version)s is "
                                                       "approved from %(isoformat)s") % {
                                                           "language": language, "form_version": form_version,
                                                           "isoformat": document.approved_on.isoformat()})
    return document


def check_answers(form_version: str, answers: dict[str, bool | None]) -> list[DomainMessage]:
    """What the participant should go over again with the coordinator (empty: every answer is right)."""
    return wrong_answers(version_of(form_version).questions, answers)


def _site_now(site: Site) -> dt.datetime:
    """Now on the site's wall clock (the time a paper form would carry)."""
    zone = next((s.timezone for s in default_protocol().identification.sites if s.code == site.code), None)
    return dt.datetime.now(zoneinfo.ZoneInfo(zone) if zone else dt.UTC)


def countersign(*, user: Any, password: str, request: Any = None, form_version: str, language: str,
                answers: dict[str, bool | None], attempts: int, signature: ParticipantSignature,
                site_code: str | None = None, participant_id: str | None = None,
                prescreening_id: int | None = None) -> ElectronicConsent:
    """The coordinator's countersignature: records the consent and archives the signed PDF.

    Exactly one of ``site_code`` (a new person: the consent registers them) and ``participant_id`` (a re-consent).
    """
    require_role(user, *SITE_ROLES)
    if (site_code is None) == (participant_id is None):
        raise InputValidationError("participant_id", gettext("name either the site (new person) or the participant"))
    name = " ".join(signature.full_name.split())
    if len(name) < 2:
        raise InputValidationError("full_name", gettext("the participant signs with their full name"))
    problems = check_answers(form_version, answers)
    if problems:
        raise InputValidationError("answers", "; ".join(m.english() for m in problems))
    reauthenticate(user, password, request)
    with transaction.atomic():
        if participant_id is not None:
            site = get_visible_participant(user, participant_id).site
        else:
            site = Site.objects.get(code=site_code)
        now = _site_now(site)
        document = document_for(form_version, language, now.date())
        if participant_id is not None:
            consent = record_reconsent(user=user, participant_id=participant_id, consent_date=now.date(),
                                       consent_time=now.time().replace(microsecond=0), form_version=form_version,
                                       reason=f"electronic re-consent on ICF {form_version} ({language})")
            participant: Participant = consent.participant
        else:
            participant = record_consent(user=user, site_code=str(site_code), consent_date=now.date(),
                                         consent_time=now.time().replace(microsecond=0), form_version=form_version,
                                         prescreening_id=prescreening_id)
            consent = Consent.objects.get(participant=participant, form_version=form_version)
        questions = question_texts(form_version, language)
        pdf = signed_pdf(document=document, form_version=form_version, participant_id=participant.participant_id,
                         participant_name=name, participant_signed_at=signature.signed_at, questions=questions,
                         answers=answers, coordinator=user, countersigned_at=now)
        certificate = document.translation_certificate
        record = ElectronicConsent(
            consent=consent, participant=participant, form_version=form_version, language=language,
            document_approved_on=document.approved_on,
            translation_certificate=(f"{certificate.reference} ({certificate.translator}, "
                                     f"{certificate.certified_on.isoformat()})" if certificate else ""),
            answers={k: v for k, v in answers.items() if v is not None}, comprehension_attempts=attempts,
            participant_signed_at=signature.signed_at, countersigned_by=user, countersigned_at=now,
            pdf=pdf, pdf_sha256=hashlib.sha256(pdf).hexdigest())
        with acting(user, reason=f"electronic consent on ICF {form_version} ({language})"):
            record.save()
    return record
