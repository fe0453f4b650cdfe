"""Forms of the portal, every label translated (participants read them in English or French)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from mescams.core.symptom_report import FUNCTIONAL_SYSTEMS
from mescams.edc.i18n.languages import LANGUAGES
from mescams.edc.i18n.messages import render

__all__ = ["ActivateForm", "CodeForm", "DiaryForm", "InviteForm", "PortalLoginForm", "SymptomForm"]

DATE = forms.DateInput(attrs={"type": "date"})


class InviteForm(forms.Form):
    email = forms.EmailField(label=_("Participant's e-mail address"))
    language = forms.ChoiceField(label=_("Language of the invitation"), choices=LANGUAGES)


class ActivateForm(forms.Form):
    password1 = forms.CharField(label=_("Choose a password"), widget=forms.PasswordInput, strip=False)
    password2 = forms.CharField(label=_("Type it again"), widget=forms.PasswordInput, strip=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("password1") and data.get("password1") != data.get("password2"):
            self.add_error("password2", _("The two passwords differ."))
        return data


class PortalLoginForm(forms.Form):
    username = forms.CharField(label=_("User name"), max_length=150)
    password = forms.CharField(label=_("Password"), widget=forms.PasswordInput, strip=False)


class CodeForm(forms.Form):
    code = forms.CharField(label=_("Code received by e-mail"), max_length=6, min_length=6,
                           widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "one-time-code"}))


class SymptomForm(forms.Form):
    onset_date = forms.DateField(label=_("When did the symptoms start?"), widget=DATE)
    systems = forms.MultipleChoiceField(label=_("What changed?"), widget=forms.CheckboxSelectMultiple)
    lasted_24_hours = forms.TypedChoiceField(label=_("Have the symptoms lasted more than 24 hours?"),
                                             choices=[("yes", _("Yes")), ("no", _("No"))],
                                             coerce=lambda v: v == "yes", widget=forms.RadioSelect)
    fever_or_infection = forms.TypedChoiceField(label=_("Do you have a fever or an infection?"),
                                                choices=[("yes", _("Yes")), ("no", _("No"))],
                                                coerce=lambda v: v == "yes", widget=forms.RadioSelect)
    description = forms.CharField(label=_("Anything else you want to tell the study team (optional)"),
                                  widget=forms.Textarea(attrs={"rows": 3}), required=False, max_length=2000)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["systems"].choices = [(code, render(t())) for code, t in FUNCTIONAL_SYSTEMS.items()]


DIARY_CHOICES = [("fever", _("Fever")), ("chills", _("Chills")), ("headache", _("Headache")),
                 ("fatigue", _("Tiredness")), ("nausea", _("Nausea or vomiting")), ("rash", _("Rash or itching")),
                 ("infusion_site", _("Pain or swelling where the infusion went in")),
                 ("breathing", _("Shortness of breath")), ("other", _("Something else (say below)"))]


class DiaryForm(forms.Form):
    day = forms.DateField(label=_("Day"), widget=DATE)
    symptoms = forms.MultipleChoiceField(label=_("Symptoms that day (none: leave all empty)"), choices=DIARY_CHOICES,
                                         widget=forms.CheckboxSelectMultiple, required=False)
    severity = forms.ChoiceField(label=_("How bad were they?"), required=False,
                                 choices=[("", "—"), ("mild", _("Mild: did not stop my usual activities")),
                                          ("moderate", _("Moderate: limited my usual activities")),
                                          ("severe", _("Severe: I could not do my usual activities"))])
    notes = forms.CharField(label=_("Notes (optional)"), widget=forms.Textarea(attrs={"rows": 2}), required=False,
                            max_length=2000)
