"""Electronic consent pages. The coordinator starts (form, language; a new person's site, or the participant who
must re-consent); the participant reads the form and answers the questions in their language, then signs; the
coordinator countersigns with their password. The steps live in the session until the countersignature, which
records everything at once. The data manager uploads approved documents."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.translation import gettext as _

from mescams.core.blinding import Role
from mescams.edc.econsent.documents import documents_of, question_texts, upload_document, version_of
from mescams.edc.econsent.forms import (
    ComprehensionForm,
    CountersignForm,
    ParticipantSignatureForm,
    StartForm,
    UploadForm,
)
from mescams.edc.econsent.models import ElectronicConsent, UploadedConsentDocument
from mescams.edc.econsent.signing import ParticipantSignature, check_answers, countersign, document_for
from mescams.edc.i18n.messages import describe
from mescams.edc.i18n.messages import render as render_message
from mescams.edc.trial import consent as consents
from mescams.edc.trial.visibility import get_visible_participant, visible_participants
from mescams.edc.web.access import SITE_ROLES, role_required
from mescams.edc.web.forms import attach_error
from mescams.errors import InputValidationError, MescamsError

SESSION_KEY = "econsent"


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _state(request: HttpRequest) -> dict[str, Any]:
    state = request.session.get(SESSION_KEY)
    if not state:
        raise Http404("no electronic consent in progress")
    return dict(state)


def _save(request: HttpRequest, state: dict[str, Any]) -> None:
    request.session[SESSION_KEY] = state


def _in_reader_language(request: HttpRequest, language: str) -> None:
    """The participant's pages speak the participant's language, whatever the coordinator's."""
    translation.activate(language)
    request.LANGUAGE_CODE = language


@role_required(*SITE_ROLES)
def start(request: HttpRequest) -> HttpResponse:
    participant_id = request.GET.get("participant") or request.POST.get("participant") or ""
    forms_declared = consents.consent_forms()
    if participant_id:
        participant = get_visible_participant(request.user, participant_id)
        needed = consents.reconsent_required(participant)
        versions = [needed.version] if needed else [forms_declared.current.version]
    else:
        participant, versions = None, [forms_declared.current.version]
    today = _now().date()
    languages = [code for code, d in documents_of(versions[0]).items() if d.approved_on <= today]
    pending = [(e.pk, f"{e.site.code} {e.local_number} ({e.logged_on.isoformat()})")
               for e in consents.visible_prescreenings(request.user) if e.outcome == "pending"]
    form = StartForm(request.POST or None, sites=request.user.site_codes(), versions=versions, languages=languages,
                     pending=pending, new_person=participant is None,
                     initial={"language": translation.get_language()})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        _save(request, {"participant_id": participant_id or None, "site": data.get("site"),
                        "prescreening": data.get("prescreening"), "form_version": data["form_version"],
                        "language": data["language"], "attempts": 0, "answers": None, "signature": None})
        return redirect("econsent:read")
    return render(request, "econsent/start.html", {"form": form, "participant": participant,
                                                   "no_document": not languages})


@role_required(*SITE_ROLES)
def read(request: HttpRequest) -> HttpResponse:
    state = _state(request)
    _in_reader_language(request, state["language"])
    document = document_for(state["form_version"], state["language"], _now().date())
    questions = question_texts(state["form_version"], state["language"])
    form = ComprehensionForm(request.POST or None, questions=questions)
    problems: list[str] = []
    if request.method == "POST" and form.is_valid():
        state["attempts"] += 1
        answers = form.answers()
        problems = [render_message(m) for m in check_answers(state["form_version"], answers)]
        if not problems:
            state["answers"] = {k: v for k, v in answers.items() if v is not None}
            _save(request, state)
            return redirect("econsent:sign")
        _save(request, state)
    return render(request, "econsent/read.html", {"document": document, "form": form, "problems": problems,
                                                  "state": state})


@role_required(*SITE_ROLES)
def sign(request: HttpRequest) -> HttpResponse:
    state = _state(request)
    if state.get("answers") is None:
        return redirect("econsent:read")
    _in_reader_language(request, state["language"])
    document = document_for(state["form_version"], state["language"], _now().date())
    signature_form = ParticipantSignatureForm(request.POST if request.POST.get("step") == "participant" else None)
    countersign_form = CountersignForm(request.POST if request.POST.get("step") == "countersign" else None)
    if request.POST.get("step") == "participant" and signature_form.is_valid():
        state["signature"] = {"full_name": signature_form.cleaned_data["full_name"], "signed_at": _now().isoformat()}
        _save(request, state)
        return redirect("econsent:sign")
    if request.POST.get("step") == "countersign" and state.get("signature") and countersign_form.is_valid():
        signature = ParticipantSignature(state["signature"]["full_name"],
                                         dt.datetime.fromisoformat(state["signature"]["signed_at"]))
        try:
            record = countersign(user=request.user, password=countersign_form.cleaned_data["password"],
                                 request=request, form_version=state["form_version"], language=state["language"],
                                 answers=state["answers"], attempts=state["attempts"], signature=signature,
                                 site_code=None if state["participant_id"] else state["site"],
                                 participant_id=state["participant_id"], prescreening_id=state["prescreening"])
        except InputValidationError as exc:
            attach_error(countersign_form, exc)
        except MescamsError as exc:
            countersign_form.add_error(None, describe(exc))
        else:
            del request.session[SESSION_KEY]
            messages.success(request, _("Consent of %(participant)s recorded; the signed form is archived.")
                             % {"participant": record.participant.participant_id})
            return redirect("econsent:done", pk=record.pk)
    return render(request, "econsent/sign.html", {"document": document, "state": state,
                                                  "signature_form": signature_form,
                                                  "countersign_form": countersign_form})


def _visible_record(request: HttpRequest, pk: int) -> ElectronicConsent:
    record = (ElectronicConsent.objects.select_related("participant", "countersigned_by")
              .filter(pk=pk, participant__in=visible_participants(request.user)).first())
    if record is None:
        raise Http404("no such electronic consent")
    return record


@role_required(*SITE_ROLES)
def done(request: HttpRequest, pk: int) -> HttpResponse:
    return render(request, "econsent/done.html", {"record": _visible_record(request, pk)})


@role_required(*SITE_ROLES)
def signed_form(request: HttpRequest, pk: int) -> HttpResponse:
    record = _visible_record(request, pk)
    response = HttpResponse(bytes(record.pdf), content_type="application/pdf")
    response["Content-Disposition"] = (f'attachment; filename="consent-{record.participant.participant_id}-'
                                       f'{record.pk}.pdf"')
    return response


@role_required(Role.DATA_MANAGER)
def documents(request: HttpRequest) -> HttpResponse:
    """The ICF documents per version and language, and the upload of a newly approved one."""
    forms_declared = consents.consent_forms()
    version_label = request.POST.get("form_version") or forms_declared.current.version
    version = version_of(version_label) if version_label in forms_declared.labels else forms_declared.current
    form = UploadForm(request.POST or None, request.FILES or None, versions=forms_declared.labels,
                      question_ids=[q.id for q in version.questions])
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        upload = data.get("certificate_pdf")
        try:
            upload_document(user=request.user, form_version=data["form_version"], language=data["language"],
                            approved_on=data["approved_on"], title=data["title"], text=data["text"],
                            question_texts={q.id: data.get(f"question_{q.id}", "") for q in version.questions},
                            certificate_translator=data["certificate_translator"],
                            certificate_on=data["certificate_on"],
                            certificate_reference=data["certificate_reference"],
                            certificate_pdf=upload.read() if upload else b"")
        except InputValidationError as exc:
            attach_error(form, exc)
        else:
            messages.success(request, _("Document uploaded."))
            return redirect("econsent:documents")
    rows = [(v.version, v.approved_on, code, d, code in {x.language for x in v.documents})
            for v in forms_declared.versions for code, d in documents_of(v.version).items()]
    return render(request, "econsent/documents.html", {"form": form, "rows": rows,
                                                       "uploads": UploadedConsentDocument.objects.count()})
