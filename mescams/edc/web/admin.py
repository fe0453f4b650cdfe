"""Django admin for the administrator: users (role, sites) and sites. Trial data are not edited here:
they change only through the audited services."""

from __future__ import annotations

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from mescams.edc.accounts.models import User
from mescams.edc.trial.models import Site


@admin.register(User)
class EdcUserAdmin(UserAdmin):
    list_display = ("username", "role", "is_active", "last_login")
    list_filter = ("role", "is_active", "sites")
    fieldsets = (*UserAdmin.fieldsets, ("Trial access", {"fields": ("role", "sites")}))
    add_fieldsets = (*UserAdmin.add_fieldsets, ("Trial access", {"fields": ("role", "sites")}))
    filter_horizontal = ("sites", "groups", "user_permissions")


@admin.register(Site)
class SiteAdmin(admin.ModelAdmin):
    list_display = ("code", "name")
