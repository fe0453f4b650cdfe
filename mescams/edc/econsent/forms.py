"""Forms of the electronic consent pages; every label is translated (the participant reads them)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from mescams.edc.i18n.languages import LANGUAGES, language_name

__all__ = ["ComprehensionForm", "CountersignForm", "ParticipantSignatureForm", "StartForm", "UploadForm"]

TRUE_FALSE = [("true", _("True")), ("false", _("False"))]


class StartForm(forms.Form):
    """Which form, in which language; for a new person also the site and the pre-screening entry."""

    site = forms.ChoiceField(label=_("Site"), required=False)
    prescreening = forms.TypedChoiceField(label=_("Pre-screening log entry (if logged)"), required=False, coerce=int,
                                          empty_value=None)
    form_version = forms.ChoiceField(label=_("ICF version"))
    language = forms.ChoiceField(label=_("Language the participant reads"))

    def __init__(self, *args: Any, sites: list[str], versions: list[str], languages: list[str],
                 pending: list[tuple[int, str]], new_person: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["form_version"].choices = [(v, v) for v in versions]
        self.fields["language"].choices = [(code, language_name(code)) for code in languages]
        if new_person:
            self.fields["site"].required = True
            self.fields["site"].choices = [(s, s) for s in sites]
            self.fields["prescreening"].choices = [("", _("— not logged —")), *pending]
        else:
            del self.fields["site"], self.fields["prescreening"]


def numbered(number: int, text: str) -> str:
    """A question's label: its number and its text, already in the reader's language (from the approved form)."""
    return f"{number}. {text}"


class ComprehensionForm(forms.Form):
    """One true-or-false field per question, in the reader's language."""

    def __init__(self, *args: Any, questions: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for number, (qid, text) in enumerate(questions, start=1):
            self.fields[qid] = forms.ChoiceField(label=numbered(number, text), choices=TRUE_FALSE,
                                                 widget=forms.RadioSelect, required=False)

    def answers(self) -> dict[str, bool | None]:
        return {name: {"true": True, "false": False}.get(self.cleaned_data.get(name) or "") for name in self.fields}


class ParticipantSignatureForm(forms.Form):
    full_name = forms.CharField(label=_("Your full name (your signature)"), max_length=200)
    agree = forms.BooleanField(label=_("I have read this form, my questions have been answered, and I agree to "
                                       "take part in this study."))


class CountersignForm(forms.Form):
    password = forms.CharField(label=_("Your password (countersignature of the person obtaining consent)"),
                               widget=forms.PasswordInput, strip=False)


class UploadForm(forms.Form):
    """An ICF document approved by the ethics board, uploaded by the data manager."""

    form_version = forms.ChoiceField(label=_("ICF version"))
    language = forms.ChoiceField(label=_("Language"), choices=LANGUAGES)
    approved_on = forms.DateField(label=_("Ethics board approval date"),
                                  widget=forms.DateInput(attrs={"type": "date"}))
    title = forms.CharField(label=_("Title"), max_length=200)
    text = forms.CharField(label=_("Text of the form (paragraphs separated by a blank line)"), widget=forms.Textarea)
    certificate_translator = forms.CharField(label=_("Certified translator"), required=False, max_length=200)
    certificate_on = forms.DateField(label=_("Translation certified on"), required=False,
                                     widget=forms.DateInput(attrs={"type": "date"}))
    certificate_reference = forms.CharField(label=_("Certificate reference"), required=False, max_length=200)
    certificate_pdf = forms.FileField(label=_("Translation certificate (PDF)"), required=False)

    def __init__(self, *args: Any, versions: list[str], question_ids: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["form_version"].choices = [(v, v) for v in versions]
        for qid in question_ids:
            self.fields[f"question_{qid}"] = forms.CharField(
                label=_("Comprehension question “%(id)s” in this language") % {"id": qid}, required=False)
