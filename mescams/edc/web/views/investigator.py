"""Investigator pages: adverse-event review with causality, casebook e-signature, emergency unblinding."""

from __future__ import annotations

import functools
from collections.abc import Callable

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext, gettext_lazy

from mescams.core.blinding import Role
from mescams.core.causality import CAUSALITY_SCALE
from mescams.edc.accounts.passwords import PasswordChangeRequired
from mescams.edc.accounts.services import BadCredentials, LoginThrottled
from mescams.edc.crfs.models import AdverseEvent
from mescams.edc.i18n.labels import value_label
from mescams.edc.queries.services import sign_casebook
from mescams.edc.trial import services as trial
from mescams.edc.web.access import post_only, role_required
from mescams.edc.web.forms import CausalityForm, SignForm, UnblindForm, attach_error
from mescams.edc.web.listing import Sort, page_of, search_text
from mescams.edc.web.services import save_dated_form
from mescams.edc.web.views.site import _participant_context
from mescams.errors import InputValidationError, TrialStateError

AE_SORT = Sort({"serious": (gettext_lazy("Serious first"), ("-serious", "participant__participant_id", "ae_number")),
                "onset": (gettext_lazy("Onset, latest first"), ("-onset_date", "participant__participant_id",
                                                                "ae_number")),
                "participant": (gettext_lazy("Participant"), ("participant__participant_id", "ae_number"))},
               default="serious")


@role_required(Role.INVESTIGATOR)
def ae_review(request: HttpRequest) -> HttpResponse:
    """The adverse events at the investigator's sites, 20 a page, serious ones first unless sorted otherwise:
    searched by participant or term, filtered to serious ones or to those awaiting a causality judgement; each
    with its causality form (nothing pre-selected)."""
    participants = trial.visible_participants(request.user)
    events = AdverseEvent.objects.filter(participant__in=participants).select_related("participant")
    q, serious, assessed = search_text(request), request.GET.get("serious", ""), request.GET.get("assessed", "")
    if q:
        events = events.filter(Q(participant__participant_id__icontains=q) | Q(term__icontains=q))
    if serious in ("yes", "no"):
        events = events.filter(serious=serious == "yes")
    if assessed == "no":
        events = events.filter(Q(causality="") | Q(causality__isnull=True))
    elif assessed == "yes":
        events = events.exclude(causality="").exclude(causality__isnull=True)
    listing = page_of(request, events.order_by(*AE_SORT.ordering(request)), per_page=20)
    choices = [(c.value, value_label(c.value)) for c in CAUSALITY_SCALE]
    return render(request, "web/ae_review.html", {
        "events": listing.rows, "listing": listing, "choices": choices, "q": q, "serious": serious,
        "assessed": assessed, "sort": AE_SORT, "chosen_sort": AE_SORT.chosen(request)})


@role_required(Role.INVESTIGATOR)
@post_only("web:ae_review")
def ae_causality(request: HttpRequest, participant_id: str, record_pk: int) -> HttpResponse:
    p = trial.get_visible_participant(request.user, participant_id)
    ae = AdverseEvent.objects.filter(participant=p, pk=record_pk).first()
    if ae is None:
        raise Http404("no such adverse event")
    form = CausalityForm(request.POST)
    if form.is_valid():
        try:
            save_dated_form(user=request.user, participant=p, form="adverse_event",
                            values={"causality": form.cleaned_data["causality"]}, record_pk=ae.pk,
                            reason=form.cleaned_data["reason"])
        except (InputValidationError, TrialStateError) as exc:
            messages.error(request, gettext("AE %(ae_number)s of %(participant_id)s: %(exc)s") % {
                "ae_number": ae.ae_number, "participant_id": participant_id, "exc": exc})
        else:
            messages.success(request, gettext(
                "Causality of AE %(ae_number)s of %(participant_id)s recorded (audited).") % {
                    "ae_number": ae.ae_number, "participant_id": participant_id})
    else:
        missing = " and ".join(name for name in ("causality", "reason") if name in form.errors)
        messages.error(request, gettext("AE %(ae_number)s of %(participant_id)s: nothing saved; %(missing)s required "
                                        "(choose the causality and type your reason).") % {
                                            "ae_number": ae.ae_number, "participant_id": participant_id,
                                            "missing": missing})
    return redirect("web:ae_review")


@role_required(Role.INVESTIGATOR)
@post_only("web:participant", "participant_id")
def sign(request: HttpRequest, participant_id: str) -> HttpResponse:
    """Casebook e-signature: the password again (re-authentication) and the meaning of the signature; an
    incomplete casebook needs "sign anyway" and a reason. A replayed post signs nothing more."""
    p = trial.get_visible_participant(request.user, participant_id)
    form = SignForm(request.POST)
    if form.is_valid():
        try:
            signature = sign_casebook(user=request.user, participant_id=participant_id,
                                      password=form.cleaned_data["password"], meaning=form.cleaned_data["meaning"],
                                      sign_anyway=form.cleaned_data["sign_anyway"],
                                      reason=form.cleaned_data["reason"])
        except (BadCredentials, LoginThrottled, PasswordChangeRequired) as exc:
            form.add_error("password", str(exc))
        except InputValidationError as exc:
            attach_error(form, exc)
        else:
            messages.success(request, gettext("Casebook already signed with this meaning; nothing changed since.")
                             if signature.replayed else gettext("Casebook signed."))
            return redirect("web:participant", participant_id=participant_id)
    return render(request, "web/participant.html", _participant_context(request, p, sign_form=form))


def _refusals_recorded(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """A request for emergency unblinding from another role is refused (403) like any page of another role, and
    recorded as a refused attempt all the same (every attempt is audited)."""

    @functools.wraps(view)
    def wrapped(request: HttpRequest, participant_id: str) -> HttpResponse:
        try:
            return view(request, participant_id)
        except PermissionDenied as exc:
            if request.user.is_authenticated and request.method == "POST" \
                    and Role(request.user.role) is not Role.INVESTIGATOR:  # type: ignore[union-attr]
                trial.record_refused_unblinding(user=request.user, participant_id=participant_id,
                                                reason=request.POST.get("reason", ""), refusal=str(exc))
            raise

    return wrapped


@_refusals_recorded
@role_required(Role.INVESTIGATOR)
@post_only("web:participant", "participant_id")
def unblind(request: HttpRequest, participant_id: str) -> HttpResponse:
    """Emergency unblinding: the sequence is shown in this answer only, to this investigator only; recorded.
    Data locks do not stop it (a lock holds data, not a participant's safety)."""
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
    else:  # refused before the service saw it: recorded all the same
        trial.record_refused_unblinding(user=request.user, participant_id=participant_id,
                                        reason=request.POST.get("reason", ""),
                                        refusal="; ".join(f"{k}: {' '.join(v)}" for k, v in form.errors.items()))
    return render(request, "web/participant.html", _participant_context(request, p, unblind_form=form))
