"""Log-in (with growing delays after failed log-ins), log-out, the password page, and the home page that sends
each role to its dashboard."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import AuthenticationForm, PasswordChangeForm
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext

from mescams.core.blinding import Role
from mescams.edc.accounts.passwords import change_own_password
from mescams.edc.accounts.services import BadCredentials, LoginThrottled, check_credentials
from mescams.edc.web.access import HOME_OF
from mescams.edc.web.forms import attach_error
from mescams.errors import InputValidationError


class LockoutAuthenticationForm(AuthenticationForm):
    """Django's log-in form, checked by the EDC's ``check_credentials`` (failures slow down further attempts)."""

    def clean(self) -> dict[str, Any]:
        username, password = self.cleaned_data.get("username"), self.cleaned_data.get("password")
        if username and password:
            try:
                self.user_cache = check_credentials(username=username, password=password, request=self.request)
            except (BadCredentials, LoginThrottled) as exc:
                raise forms.ValidationError(str(exc), code="invalid_login") from None
            self.confirm_login_allowed(self.user_cache)
        return self.cleaned_data


class LoginView(auth_views.LoginView):
    form_class = LockoutAuthenticationForm
    redirect_authenticated_user = True
    next_page = "/"  # the home page sends each role to its dashboard

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        if settings.MESCAMS_DEMO:
            # Imported here: the demo (and the simulation it draws on) loads only in demo mode
            from mescams.edc.demo.loader import DEMO_USERS, demo_password

            context["demo"] = [(name, demo_password(name), role.label) for name, role, _ in DEMO_USERS]
        return context


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """Each role's dashboard (the administrator's is Django admin)."""
    return redirect(HOME_OF[Role(request.user.role)])  # type: ignore[union-attr]


@login_required
def password_change(request: HttpRequest) -> HttpResponse:
    """The holder changes their own password (the current one asked again); required after an administrator set it."""
    form = PasswordChangeForm(request.user, request.POST or None)
    target = request.POST.get("next") or request.GET.get("next") or "/"
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        target = "/"
    if request.method == "POST" and form.is_valid():
        try:
            change_own_password(user=request.user, current=form.cleaned_data["old_password"],  # type: ignore[arg-type]
                                new=form.cleaned_data["new_password1"])
        except InputValidationError as exc:
            attach_error(form, exc)
        else:
            update_session_auth_hash(request, request.user)  # type: ignore[arg-type]
            messages.success(request, gettext("Password changed."))
            return redirect(target)
    return render(request, "registration/password_change.html", {"form": form, "next": target})


def admin_login(request: HttpRequest) -> HttpResponse:
    """Where the admin sends whoever it will not serve: anonymous users go to the one log-in page (the admin's own
    would bypass the log-in delays); a logged-in user of another role gets 403 with a way back to their own pages
    instead of bouncing between ``/admin/`` and the log-in page, which sends a logged-in user straight back."""
    if request.user.is_authenticated:
        raise PermissionDenied("the administration pages are for the administrator only")
    return redirect_to_login("/admin/")
