"""Django admin for the administrator: users (role, sites, activation, password), role requests, sites (read-only).

Every change of anyone's access goes through the audited services of :mod:`mescams.edc.accounts.administration`
(the forms in :mod:`mescams.edc.web.admin_forms`); nothing here saves a user row itself. Trial data are not edited
here: they change only through the audited services.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext

from mescams.edc.accounts.models import RoleRequest, User
from mescams.edc.trial.models import Site
from mescams.edc.web.admin_forms import AccessChangeForm, AccountCreationForm, RoleDecisionForm, SetPasswordForm

admin.site.unregister(Group)  # roles, not groups, give rights here


def _bound(form_class: type, request: HttpRequest) -> type:
    """``form_class`` knowing who acts in this request (a class per request: the admin object is shared)."""
    return type(form_class.__name__, (form_class,), {"acting_user": request.user})


@admin.register(User)
class EdcUserAdmin(admin.ModelAdmin):
    list_display = ("username", "role", "is_active", "password_change_required", "last_login")
    list_filter = ("role", "is_active", "sites")
    search_fields = ("username", "first_name", "last_name", "email")
    ordering = ("username",)
    filter_horizontal = ("sites",)
    readonly_fields = ("username", "first_name", "last_name", "email", "password_link", "password_change_required",
                       "last_login", "date_joined", "is_staff", "is_superuser")
    fieldsets = (
        (None, {"fields": ("username", "first_name", "last_name", "email", "password_link")}),
        ("Trial access (audited; a reason is required)", {"fields": ("role", "sites", "is_active", "reason")}),
        ("State", {"fields": ("password_change_required", "last_login",
                              "date_joined", "is_staff", "is_superuser")}),
    )
    add_fieldsets = ((None, {"fields": ("username", "first_name", "last_name", "email", "role", "sites",
                                        "password1", "password2", "reason")}),)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # accounts are deactivated, never deleted (the audit trail refers to them)

    def get_fieldsets(self, request: HttpRequest, obj: Any = None) -> Any:
        return self.fieldsets if obj is not None else self.add_fieldsets

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return self.readonly_fields if obj is not None else ()

    def get_form(self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any) -> Any:
        kwargs["form"] = _bound(AccessChangeForm if obj is not None else AccountCreationForm, request)
        kwargs["fields"] = None  # the form's own Meta.fields (and its extra fields)
        return super().get_form(request, obj, change=change, **kwargs)

    @admin.display(description="password")
    def password_link(self, obj: User) -> str:
        url = reverse("admin:accounts_user_password", args=[obj.pk])
        return format_html('<a href="{}">Set a new password</a> (the user must change it at the next log-in)', url)

    def save_model(self, request: HttpRequest, obj: User, form: Any, change: bool) -> None:
        if change:
            for note in form.apply():
                messages.warning(request, note)
            return
        user, role_request = form.create()
        obj.pk, obj._state.adding, obj._state.db = user.pk, False, user._state.db
        if role_request is not None:
            messages.warning(request, gettext("The role %(role)s takes two people: the account stays inactive until "
                                              "another "
                                              "administrator approves request %(pk)s.") % {
                                                  "role": role_request.role, "pk": role_request.pk})

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        """Sites were set by the service, with their audit entry."""

    def get_urls(self) -> list[Any]:
        return [path("<int:user_id>/password/", self.admin_site.admin_view(self.set_password),
                     name="accounts_user_password"), *super().get_urls()]

    def set_password(self, request: HttpRequest, user_id: int) -> HttpResponse:
        user = User.objects.filter(pk=user_id).first()
        if user is None:
            raise Http404("no such user")
        if not self.has_change_permission(request, user):
            raise PermissionDenied
        form = SetPasswordForm(user, request.POST or None, acting_user=request.user)
        if request.method == "POST" and form.is_valid() and form.save():
            messages.success(request, gettext("Password set; %(username)s must change it at the next log-in.") % {
                "username": user.username})
            return HttpResponseRedirect(reverse("admin:accounts_user_change", args=[user.pk]))
        context = {**self.admin_site.each_context(request), "opts": self.opts, "original": user, "form": form,
                   "title": f"Set a password for {user.username}"}
        return render(request, "admin/accounts/user/set_password.html", context)


@admin.register(RoleRequest)
class RoleRequestAdmin(admin.ModelAdmin):
    """Requests for a two-person role: another administrator approves or refuses (with a reason)."""

    list_display = ("pk", "user", "role", "status", "requested_by_name", "requested_at", "decided_by", "decided_at")
    list_filter = ("status", "role")
    readonly_fields = ("user", "role", "activates", "requested_by_name", "requested_at", "reason", "status",
                       "decided_by", "decided_at", "decision_reason")
    fields = (*readonly_fields[:-1], "decision", "decision_reason")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # filed by changing a user's role or creating an account

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return super().has_change_permission(request, obj) and (obj is None or obj.status == RoleRequest.PENDING)

    def get_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return self.fields if self.has_change_permission(request, obj) else self.readonly_fields

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return self.readonly_fields[:-1] if self.has_change_permission(request, obj) else self.readonly_fields

    def get_form(self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any) -> Any:
        if self.has_change_permission(request, obj):  # a decided request is shown read-only
            kwargs["form"] = _bound(RoleDecisionForm, request)
            kwargs["fields"] = None
        return super().get_form(request, obj, change=change, **kwargs)

    def save_model(self, request: HttpRequest, obj: RoleRequest, form: Any, change: bool) -> None:
        decided = form.apply()
        messages.success(request, gettext("Request %(pk)s %(status)s.") % {"pk": decided.pk, "status": decided.status})

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        """Nothing else to save."""


@admin.register(Site)
class SiteAdmin(admin.ModelAdmin):
    """Sites come from the protocol (``sync_sites``); shown, never edited here."""

    list_display = ("code", "name")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
