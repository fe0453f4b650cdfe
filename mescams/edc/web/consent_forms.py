"""Page forms of consent and pre-screening: the pre-screening log entry, the informed consent that registers a
participant, a re-consent on a newer ICF version. ICF versions come from the protocol file; the rules (declared
version, approval date, site staff, dates) are the services' (:mod:`mescams.edc.trial.consent`)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from mescams.core.blinding import Role
from mescams.edc.accounts.models import User
from mescams.edc.i18n.labels import value_label
from mescams.edc.trial.models import AGE_BANDS, NOT_SCREENED_REASONS, PRESCREEN_COURSES
from mescams.edc.web.forms import DateInput
from mescams.protocols import default_protocol

__all__ = ["ConsentForm", "NotScreenedForm", "PreScreeningForm", "ReconsentForm"]


class TimeInput(forms.TimeInput):
    input_type = "time"


def _icf_choices() -> list[tuple[str, str]]:
    declared = default_protocol().informed_consent
    versions = declared.versions if declared else []
    return [(v.version, f"{v.version} (approved {v.approved_on.isoformat()})") for v in reversed(versions)]


def _staff_choices(user: Any) -> list[tuple[str, str]]:
    """Coordinators and investigators of the user's sites: who may have taken a consent (the user first)."""
    staff = (User.objects.filter(is_active=True, role__in=[Role.SITE_COORDINATOR.value, Role.INVESTIGATOR.value],
                                 sites__in=user.sites.all()).exclude(pk=user.pk).distinct().order_by("username"))
    return [(user.username, f"{user.username} (me)")] + [(u.username, u.username) for u in staff]


class _ConsentFields(forms.Form):
    form_version = forms.ChoiceField(label=_("ICF version signed"))
    consent_date = forms.DateField(widget=DateInput(), label=_("Date on the signed form"))
    consent_time = forms.TimeField(widget=TimeInput(), label=_("Time on the signed form (site time)"))
    obtained_by = forms.ChoiceField(label=_("Consent taken by"))

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["form_version"].choices = _icf_choices()
        self.fields["obtained_by"].choices = _staff_choices(user)


class ConsentForm(_ConsentFields):
    """The first study act: a person's signed consent, which registers them at the site."""

    site = forms.ChoiceField(label=_("Site"))
    prescreening = forms.TypedChoiceField(required=False, coerce=int, empty_value=None,
                                          label=_("Pre-screening log entry (if logged)"))
    field_order = ["site", "prescreening", "form_version", "consent_date", "consent_time", "obtained_by"]

    def __init__(self, *args: Any, user: Any, pending: Sequence[Any] = (), **kwargs: Any) -> None:
        super().__init__(*args, user=user, **kwargs)
        self.fields["site"].choices = [(s, s) for s in user.site_codes()]
        self.fields["prescreening"].choices = [("", "— not logged —")] + [
            (e.pk, f"{e.site.code} {e.local_number} ({e.age_band}, {e.ms_course}, logged {e.logged_on})")
            for e in pending]


class ReconsentForm(_ConsentFields):
    """A participant's consent on a newer ICF version."""


class PreScreeningForm(forms.Form):
    site = forms.ChoiceField(label=_("Site"))
    local_number = forms.CharField(max_length=20, label=_("Site-local number (no name, no initials)"))
    logged_on = forms.DateField(widget=DateInput(), label=_("Date considered"))
    age_band = forms.ChoiceField(choices=[(b, value_label(b)) for b in AGE_BANDS], label=_("Age band"))
    ms_course = forms.ChoiceField(choices=[(c, value_label(c)) for c in PRESCREEN_COURSES], label=_("MS course"))
    reason_not_screened = forms.ChoiceField(required=False, label=_("Not screened because (leave empty if pending)"),
                                            choices=[("", "—"), *NOT_SCREENED_REASONS.items()])

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["site"].choices = [(s, s) for s in user.site_codes()]


class NotScreenedForm(forms.Form):
    reason_not_screened = forms.ChoiceField(choices=list(NOT_SCREENED_REASONS.items()),
                                            label=_("Not screened because"))
