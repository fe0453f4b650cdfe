"""Investigator pages: adverse-event review with causality, casebook e-signature, emergency unblinding."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from mescams.core.blinding import Role
from mescams.edc.accounts.services import BadCredentials, LoginThrottled
from mescams.edc.crfs.models import AdverseEvent
from mescams.edc.queries.services import sign_casebook
from mescams.edc.trial import services as trial
from mescams.edc.web.access import role_required
from mescams.edc.web.forms import CausalityForm, SignForm, UnblindForm, attach_error
from mescams.edc.web.services import save_dated_form
from mescams.edc.web.views.site import _participant_context
from mescams.errors import InputValidationError, TrialStateError


@role_required(Role.INVESTIGATOR)
def ae_review(request: HttpRequest) -> HttpResponse:
    """Every adverse event at the investigator's sites, serious ones first, with a causality form each."""
    participants = trial.visible_participants(request.user)
    events = (AdverseEvent.objects.filter(participant__in=participants).select_related("participant")
              .order_by("-serious", "participant__participant_id", "ae_number"))
    return render(request, "web/ae_review.html", {"events": events, "form": CausalityForm()})


@role_required(Role.INVESTIGATOR)
@require_POST
def ae_causality(request: HttpRequest, participant_id: str, record_pk: int) -> HttpResponse:
    p = trial.get_visible_participant(request.user, participant_id)
    ae = AdverseEvent.objects.filter(participant=p, pk=record_pk).first()
    if ae is None:
        raise Http404("no such adverse event")
    form = CausalityForm(request.POST)
    if form.is_valid():
        try:
            save_dated_form(user=request.user, participant=p, form="adverse_event",
                            values={"related": form.cleaned_data["related"]}, record_pk=ae.pk,
                            reason=f"causality: {form.cleaned_data['reason']}")
        except (InputValidationError, TrialStateError) as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, f"Causality of AE {ae.ae_number} of {participant_id} recorded (audited).")
    else:
        messages.error(request, "Choose related or not related, and give a reason.")
    return redirect("web:ae_review")


@role_required(Role.INVESTIGATOR)
@require_POST
def sign(request: HttpRequest, participant_id: str) -> HttpResponse:
    """Casebook e-signature: the password again (re-authentication) and the meaning of the signature."""
    p = trial.get_visible_participant(request.user, participant_id)
    form = SignForm(request.POST)
    if form.is_valid():
        try:
            sign_casebook(user=request.user, participant_id=participant_id, password=form.cleaned_data["password"],
                          meaning=form.cleaned_data["meaning"])
        except (BadCredentials, LoginThrottled) as exc:
            form.add_error("password", str(exc))
        except InputValidationError as exc:
            attach_error(form, exc)
        else:
            messages.success(request, "Casebook signed.")
            return redirect("web:participant", participant_id=participant_id)
    return render(request, "web/participant.html", _participant_context(request, p, sign_form=form))


@role_required(Role.INVESTIGATOR)
@require_POST
def unblind(request: HttpRequest, participant_id: str) -> HttpResponse:
    """Emergency unblinding: the sequence is shown in this answer only, to this investigator only; recorded."""
    p = trial.get_visible_participant(request.user, participant_id)
    form = UnblindForm(request.POST)
    if form.is_valid():
        try:
            sequence = trial.emergency_unblind(user=request.user, participant_id=participant_id,
                                               reason=form.cleaned_data["reason"])
        except InputValidationError as exc:
            attach_error(form, exc)
        else:
            response = render(request, "web/unblinded.html", {"p": p, "sequence": sequence})
            response["Cache-Control"] = "no-store"
            return response
    return render(request, "web/participant.html", _participant_context(request, p, unblind_form=form))
