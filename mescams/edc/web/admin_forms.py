"""The Django admin's forms for accounts: each change is tried through the audited services in a rolled-back
savepoint while the form validates (so a refusal shows on the form, naming the field), then made for real."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.db import transaction
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from mescams.edc.accounts import administration
from mescams.edc.accounts.models import RoleRequest, User
from mescams.errors import InputValidationError, MescamsError

REASON = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False,
                         help_text=_("Why (recorded in the audit trail with the change)."))


def dry_run(form: forms.BaseForm, apply: Callable[[], object]) -> None:
    """Run ``apply`` in a savepoint that is always rolled back, putting any service error on the form."""
    savepoint = transaction.savepoint()
    try:
        apply()
    except InputValidationError as exc:
        field = exc.field if exc.field in form.fields else None
        form.add_error(field, exc.rule if field else str(exc))
    except MescamsError as exc:
        form.add_error(None, str(exc))
    finally:
        transaction.savepoint_rollback(savepoint)


class ActingForm(forms.ModelForm):
    """A form that knows who is acting (set per request by the admin: ``acting_user``)."""

    acting_user: Any = None


class AccountCreationForm(ActingForm):
    password1 = forms.CharField(label=_("Password"), strip=False, widget=forms.PasswordInput)
    password2 = forms.CharField(label=_("Password again"), strip=False, widget=forms.PasswordInput)
    reason = REASON

    class Meta:
        model = User
        fields = ("username", "first_name", "last_name", "email", "role", "sites")

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("password1") != data.get("password2"):
            self.add_error("password2", gettext("the two passwords differ"))
        if not self.errors:
            dry_run(self, lambda: self.create())
        return data

    def create(self) -> tuple[User, RoleRequest | None]:
        d = self.cleaned_data
        return administration.create_account(
            by=self.acting_user, username=d["username"], password=d["password1"], role=d["role"],
            site_codes=[s.code for s in d.get("sites") or []], reason=d.get("reason", ""),
            email=d.get("email", ""), first_name=d.get("first_name", ""), last_name=d.get("last_name", ""))


class AccessChangeForm(ActingForm):
    """Role, sites and activation of an account; each change goes through its audited service."""

    reason = REASON

    class Meta:
        model = User
        fields = ("role", "sites", "is_active")

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if not self.errors:
            dry_run(self, self.apply)
        return data

    def apply(self) -> list[str]:
        """Make the changes; the notes say what awaits a second person's approval."""
        d, notes = self.cleaned_data, []
        user = User.objects.get(pk=self.instance.pk)
        by, reason = self.acting_user, d.get("reason", "")
        sites = sorted(s.code for s in d.get("sites") or [])
        if sites != user.site_codes():
            administration.set_sites(by=by, user=user, site_codes=sites, reason=reason)
        if d["role"] != user.role:
            request = administration.change_role(by=by, user=user, role=d["role"], reason=reason)
            if request is not None:
                notes.append(f"The role {request.role} takes two people: request {request.pk} filed; another "
                             "administrator must approve it.")
        if d["is_active"] != user.is_active:
            administration.set_active(by=by, user=user, active=d["is_active"], reason=reason)
        return notes


class SetPasswordForm(forms.Form):
    password1 = forms.CharField(label=_("New password"), strip=False, widget=forms.PasswordInput)
    password2 = forms.CharField(label=_("New password again"), strip=False, widget=forms.PasswordInput)
    reason = REASON

    def __init__(self, user: User, *args: Any, acting_user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user, self.acting_user = user, acting_user

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("password1") != data.get("password2"):
            self.add_error("password2", gettext("the two passwords differ"))
        return data

    def save(self) -> bool:
        """Set the password through the service; False (errors on the form) if it refused."""
        try:
            administration.set_password(by=self.acting_user, user=self.user, password=self.cleaned_data["password1"],
                                        reason=self.cleaned_data.get("reason", ""))
        except InputValidationError as exc:
            field = "password1" if exc.field == "password" else exc.field if exc.field in self.fields else None
            self.add_error(field, exc.rule if field else str(exc))
            return False
        except MescamsError as exc:
            self.add_error(None, str(exc))
            return False
        return True


class RoleDecisionForm(ActingForm):
    decision = forms.ChoiceField(choices=[("approve", _("Approve")), ("refuse", _("Refuse"))])
    decision_reason = REASON

    class Meta:
        model = RoleRequest
        fields = ()

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if not self.errors:
            dry_run(self, self.apply)
        return data

    def apply(self) -> RoleRequest:
        decide = (administration.approve_role_request if self.cleaned_data["decision"] == "approve"
                  else administration.refuse_role_request)
        return decide(by=self.acting_user, request_id=self.instance.pk,
                      reason=self.cleaned_data.get("decision_reason", ""))
