"""Portal pages: the participant's (log-in with the e-mailed code, visit dates, symptom report, AE diary) and the
site's (invitation, symptom reports to act on). Every page answers 404 while the protocol keeps the portal off."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth import login
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from mescams.core.blinding import Role
from mescams.core.symptom_report import SymptomReport
from mescams.edc.accounts.services import BadCredentials
from mescams.edc.i18n.messages import describe_rule
from mescams.edc.i18n.messages import render as render_message
from mescams.edc.portal import access, reports
from mescams.edc.portal.forms import ActivateForm, CodeForm, DiaryForm, InviteForm, PortalLoginForm, SymptomForm
from mescams.edc.portal.middleware import SECOND_FACTOR_KEY
from mescams.edc.portal.models import PortalAccount
from mescams.edc.security.roles import NotFound
from mescams.edc.security.throttle import LoginThrottled
from mescams.edc.trial.visibility import get_visible_participant
from mescams.edc.web.access import SITE_ROLES, role_required
from mescams.edc.web.forms import attach_error
from mescams.errors import InputValidationError

PENDING_KEY = "portal_pending_account"


def portal_open(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """404 while the protocol keeps the portal off; a portal account without its participant is not found either."""
    @functools.wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not access.portal_settings().enabled:
            raise Http404("the participant portal is off")
        try:
            return view(request, *args, **kwargs)
        except NotFound as exc:
            raise Http404(str(exc)) from None
    return wrapped


# -- the participant's way in -------------------------------------------------------------------------------------

@portal_open
def activate(request: HttpRequest, token: str) -> HttpResponse:
    form = ActivateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            access.activate(token=token, password=form.cleaned_data["password1"])
        except InputValidationError as exc:
            form.add_error("password1", exc.rule)
        except NotFound as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("Your password is set. Log in to continue."))
            return redirect("portal:login")
    return render(request, "portal/activate.html", {"form": form})


@portal_open
def portal_login(request: HttpRequest) -> HttpResponse:
    form = PortalLoginForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            account = access.send_login_code(username=form.cleaned_data["username"],
                                             password=form.cleaned_data["password"], request=request)
        except (BadCredentials, NotFound):
            form.add_error(None, _("Wrong user name or password."))
        except LoginThrottled:
            form.add_error(None, _("Too many tries. Wait a few minutes, then try again."))
        else:
            request.session[PENDING_KEY] = account.pk
            return redirect("portal:verify")
    return render(request, "portal/login.html", {"form": form})


@portal_open
def verify(request: HttpRequest) -> HttpResponse:
    account_id = request.session.get(PENDING_KEY)
    if account_id is None:
        return redirect("portal:login")
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            person = access.verify_login_code(account_id=account_id, code=form.cleaned_data["code"])
        except InputValidationError as exc:
            attach_error(form, exc)
        else:
            login(request, person, backend="django.contrib.auth.backends.ModelBackend")
            request.session[SECOND_FACTOR_KEY] = True
            request.session.pop(PENDING_KEY, None)
            return redirect("portal:home")
    return render(request, "portal/verify.html", {"form": form, "minutes": access.CODE_MINUTES})


# -- the participant's pages --------------------------------------------------------------------------------------

@role_required(Role.PARTICIPANT)
@portal_open
def home(request: HttpRequest) -> HttpResponse:
    participant = reports.my_participant(request.user)
    return render(request, "portal/home.html", {
        "participant": participant, "visits": reports.my_visits(request.user),
        "diaries": reports.diary_windows(request.user),
        "reports": participant.symptom_reports.all()[:10]})


@role_required(Role.PARTICIPANT)
@portal_open
def symptoms(request: HttpRequest) -> HttpResponse:
    form = SymptomForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            _record, assessment = reports.report_symptoms(user=request.user, report=SymptomReport(
                onset_date=data["onset_date"], systems=frozenset(data["systems"]),
                lasted_24_hours=data["lasted_24_hours"], fever_or_infection=data["fever_or_infection"],
                description=data["description"]))
        except InputValidationError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, describe_rule(exc))
        else:
            for message in assessment.messages:
                messages.success(request, render_message(message))
            return redirect("portal:home")
    return render(request, "portal/symptoms.html", {"form": form})


@role_required(Role.PARTICIPANT)
@portal_open
def diary(request: HttpRequest, visit_code: str) -> HttpResponse:
    window = next((w for w in reports.diary_windows(request.user) if w.visit_code == visit_code), None)
    if window is None:
        raise Http404("no diary for this infusion")
    form = DiaryForm(request.POST or None, initial={"day": min(window.last_day, reports._today())})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            reports.record_diary_day(user=request.user, visit_code=visit_code, day=data["day"],
                                     symptoms=data["symptoms"], severity=data["severity"], notes=data["notes"])
        except InputValidationError as exc:
            attach_error(form, exc)
        else:
            messages.success(request, _("Saved. Thank you."))
            return redirect("portal:diary", visit_code=visit_code)
    return render(request, "portal/diary.html", {"form": form, "window": window})


# -- the site's pages ---------------------------------------------------------------------------------------------

@role_required(*SITE_ROLES)
@portal_open
def invite(request: HttpRequest, participant_id: str) -> HttpResponse:
    participant = get_visible_participant(request.user, participant_id)
    account = PortalAccount.objects.filter(participant=participant).first()
    form = InviteForm(request.POST or None, initial={"language": request.LANGUAGE_CODE})
    if request.method == "POST" and form.is_valid():
        try:
            access.invite(user=request.user, participant_id=participant_id, email=form.cleaned_data["email"],
                          language=form.cleaned_data["language"], base_url=request.build_absolute_uri("/"))
        except InputValidationError as exc:
            attach_error(form, exc)
        else:
            messages.success(request, _("Invitation sent."))
            return redirect("portal:invite", participant_id=participant_id)
    return render(request, "portal/invite.html", {"form": form, "participant": participant, "account": account})


@role_required(*SITE_ROLES)
@portal_open
def site_reports(request: HttpRequest) -> HttpResponse:
    return render(request, "portal/site_reports.html", {"reports": reports.site_reports(request.user)})


@role_required(*SITE_ROLES)
@portal_open
@require_POST
def acknowledge(request: HttpRequest, report_id: int) -> HttpResponse:
    reports.acknowledge(user=request.user, report_id=report_id)
    return redirect("portal:site_reports")
