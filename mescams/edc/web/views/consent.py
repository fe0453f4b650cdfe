"""Consent pages (coordinator and investigator): the pre-screening log, the informed consent that registers a
person (the first step of screening), re-consent on a newer ICF version and the list of who must re-consent."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext

from mescams.edc.trial import consent as consents
from mescams.edc.trial import services as trial
from mescams.edc.trial.models import NOT_SCREENED_REASONS, PreScreening
from mescams.edc.web.access import SITE_ROLES, post_only, role_required
from mescams.edc.web.consent_forms import ConsentForm, NotScreenedForm, PreScreeningForm, ReconsentForm
from mescams.edc.web.forms import attach_error
from mescams.edc.web.services import today
from mescams.edc.web.views.site import participant_page
from mescams.errors import InputValidationError, TrialStateError


def _pending(request: HttpRequest) -> list[PreScreening]:
    return [e for e in consents.visible_prescreenings(request.user) if e.outcome == "pending"]


@role_required(*SITE_ROLES)
def prescreening(request: HttpRequest) -> HttpResponse:
    """The pre-screening log: people considered before any consent, and why those not screened were not."""
    form = PreScreeningForm(request.POST or None, user=request.user, initial={"logged_on": today()})
    if request.method == "POST" and form.is_valid():
        try:
            entry = consents.log_prescreening(user=request.user, site_code=form.cleaned_data["site"],
                                              local_number=form.cleaned_data["local_number"],
                                              logged_on=form.cleaned_data["logged_on"],
                                              age_band=form.cleaned_data["age_band"],
                                              ms_course=form.cleaned_data["ms_course"],
                                              reason_not_screened=form.cleaned_data["reason_not_screened"])
        except InputValidationError as exc:
            attach_error(form, exc)
        else:
            messages.success(request, gettext("%(code)s %(local_number)s logged.") % {
                "code": entry.site.code, "local_number": entry.local_number})
            return redirect("web:prescreening")
    entries = list(consents.visible_prescreenings(request.user))
    return render(request, "web/prescreening.html", {"form": form, "entries": entries, "reasons": NOT_SCREENED_REASONS,
                                                     "not_screened_form": NotScreenedForm()})


@role_required(*SITE_ROLES)
@post_only("web:prescreening")
def not_screened(request: HttpRequest, entry_id: int) -> HttpResponse:
    form = NotScreenedForm(request.POST)
    if not form.is_valid():
        messages.error(request, gettext("Choose why the person was not screened."))
        return redirect("web:prescreening")
    try:
        entry = consents.mark_not_screened(user=request.user, entry_id=entry_id,
                                           reason_not_screened=form.cleaned_data["reason_not_screened"])
    except (InputValidationError, TrialStateError) as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, gettext("%(code)s %(local_number)s: not screened (%(not_screened_reasons)s).") % {
            "code": entry.site.code, "local_number": entry.local_number,
            "not_screened_reasons": NOT_SCREENED_REASONS[entry.reason_not_screened]})
    return redirect("web:prescreening")


@role_required(*SITE_ROLES)
def new_consent(request: HttpRequest) -> HttpResponse:
    """Screening starts with the informed consent: recording it registers the person; the screening record and
    its live eligibility verdict come next, on the participant's screening page."""
    initial = {"consent_date": today(), "obtained_by": request.user.username,
               "prescreening": request.GET.get("prescreening", "")}
    form = ConsentForm(request.POST or None, user=request.user, pending=_pending(request), initial=initial)
    if request.method == "POST" and form.is_valid():
        c = form.cleaned_data
        try:
            p = consents.record_consent(user=request.user, site_code=c["site"], consent_date=c["consent_date"],
                                        consent_time=c["consent_time"], form_version=c["form_version"],
                                        obtained_by=c["obtained_by"], prescreening_id=c["prescreening"])
        except InputValidationError as exc:
            attach_error(form, exc)
        except TrialStateError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, gettext("Informed consent recorded: %(participant_id)s registered. Enter the "
                                              "screening "
                                              "record next.") % {"participant_id": p.participant_id})
            return redirect("web:screening", participant_id=p.participant_id)
    return render(request, "web/consent_new.html", {"form": form})


@role_required(*SITE_ROLES)
def reconsent_due(request: HttpRequest) -> HttpResponse:
    """Participants still in the study who must sign a newer ICF version."""
    return render(request, "web/reconsent_due.html", {"due": consents.reconsent_due(user=request.user),
                                                      "forms": consents.consent_forms()})


@role_required(*SITE_ROLES)
@post_only("web:participant", "participant_id")
def reconsent(request: HttpRequest, participant_id: str) -> HttpResponse:
    trial.get_visible_participant(request.user, participant_id)
    form = ReconsentForm(request.POST, user=request.user)
    if form.is_valid():
        c = form.cleaned_data
        try:
            consents.record_reconsent(user=request.user, participant_id=participant_id,
                                      consent_date=c["consent_date"], consent_time=c["consent_time"],
                                      form_version=c["form_version"], obtained_by=c["obtained_by"])
        except InputValidationError as exc:
            attach_error(form, exc)
        except TrialStateError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, gettext("Re-consent on ICF %(c)s recorded.") % {"c": c['form_version']})
            return redirect("web:participant", participant_id=participant_id)
    return participant_page(request, participant_id, reconsent_form=form)
