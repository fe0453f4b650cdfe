"""Django forms of the pages. They parse what people type (empty, wrong type) and nothing more: every clinical
rule (ranges, dates, consistency) is the EDC's, raised by its services as InputValidationError(field, rule) and
put back next to the field by :func:`attach_error`, so the page and the API refuse the same input the same way.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from mescams.core.causality import CAUSALITY_SCALE
from mescams.core.safety.seriousness import SERIOUSNESS_CRITERIA
from mescams.edc.crfs.clinical import infusion_visits
from mescams.edc.crfs.models import (
    AE_ACTIONS,
    AE_OUTCOMES,
    AE_SEVERITIES,
    ETHNICITIES,
    FORMS,
    LAB_TESTS,
    MS_COURSES,
    RACES,
)
from mescams.edc.crfs.services import editable_fields
from mescams.edc.i18n.labels import FORM_TITLES, field_label, value_label
from mescams.errors import CheckFailure, EditChecksFailed, InputValidationError
from mescams.protocols import default_protocol

EVENT_FORMS = ("adverse_event", "relapse", "conmed", "demographics")
FS_HELP = {"visual": "0-6", "brainstem": "0-5", "pyramidal": "0-6", "cerebellar": "0-5", "sensory": "0-6",
           "bowel_bladder": "0-6", "cerebral": "0-5", "ambulation": _("0-16 (Neurostatus ambulation score)")}


def label_of(name: str) -> str:
    """A field's label in the active language ('weight_kg' -> 'Weight (kg)' / 'Poids (kg)')."""
    return str(field_label(name))


def _choices(values: Any, blank: bool = True) -> list[tuple[str, Any]]:
    out: list[tuple[str, Any]] = [("", "—")] if blank else []
    return out + [(str(v), value_label(v)) for v in values]


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format="%Y-%m-%d", **kwargs)


class TimeInput(forms.TimeInput):
    input_type = "time"


def _field_for(form_name: str, model_field: Any) -> forms.Field:
    name = model_field.name
    if name == "visit_code":
        codes = [v.code for v in default_protocol().visits]
        if form_name == "infusion":
            codes = list(infusion_visits())
        return forms.ChoiceField(choices=_choices(codes), label=_("Visit"))
    special: dict[str, forms.Field] = {
        "sex": forms.ChoiceField(choices=_choices(["F", "M"])),
        "ms_course": forms.ChoiceField(choices=_choices(MS_COURSES)),
        "race": forms.ChoiceField(choices=_choices(RACES),
                                  help_text=_("As the participant reports it; Not reported if they do not say")),
        "ethnicity": forms.ChoiceField(choices=_choices(ETHNICITIES),
                                       help_text=_("As the participant reports it; Not reported if they do not say")),
        "action": forms.ChoiceField(choices=_choices(AE_ACTIONS, blank=False), initial="none"),
        "outcome": forms.ChoiceField(choices=_choices(AE_OUTCOMES, blank=False), initial="unknown"),
        "test": forms.ChoiceField(choices=_choices(LAB_TESTS)),
        "unit": forms.ChoiceField(choices=_choices(sorted(set(LAB_TESTS.values())))),
        "severity_grade": forms.TypedChoiceField(choices=_choices(range(1, 6)), coerce=int, label=_("CTCAE grade")),
        "severity": forms.ChoiceField(choices=_choices(AE_SEVERITIES), label=_("Severity (intensity)")),
        "serious_criteria": forms.MultipleChoiceField(
            choices=_choices([c.value for c in SERIOUSNESS_CRITERIA], blank=False), required=False,
            widget=forms.CheckboxSelectMultiple, label=_("Seriousness criteria (required when serious)")),
        "awareness_date": forms.DateField(required=False, label=_("Date the investigator became aware (required when "
                                                                "serious)")),
    }
    field = special.get(name) or model_field.formfield()
    if isinstance(field, forms.DateField):
        field.widget = DateInput()
    elif isinstance(field, forms.TimeField):
        field.widget = TimeInput()
    elif isinstance(field, forms.FloatField):
        field.widget = forms.NumberInput(attrs={"step": "any", "inputmode": "decimal"})
    if name not in special or not special[name].label:
        field.label = field_label(name)
    if name in FS_HELP:
        field.help_text = FS_HELP[name]
    return field


REVIEWED_ELSEWHERE = ("ae_number", "causality")
"""Fields not on the generic form: the AE number is given, causality is assessed on the AE review page."""
NOT_VALUES = ("reason", "confirm_dose_change")
"""Fields of a page's form that go to the service beside the values, not among them."""


def crf_form_class(form_name: str, *, editing: bool = False, confirm_dose: bool = False) -> type[forms.Form]:
    """A form with the eCRF's enterable fields (from the EDC's ``editable_fields``) and, when editing, a reason.

    ``confirm_dose`` (the investigator on the vital signs) adds the confirmation of a change of the dose basis once
    the lab has prepared a product, and on a new record the reason that confirmation needs."""
    model = FORMS[form_name]
    fields: dict[str, forms.Field] = {}
    for name in editable_fields(model):
        if name in REVIEWED_ELSEWHERE or (name == "visit_code" and form_name in EVENT_FORMS):
            continue
        fields[name] = _field_for(form_name, model._meta.get_field(name))
    if confirm_dose:
        fields["confirm_dose_change"] = forms.BooleanField(
            required=False, label=_("I confirm this change of the dose basis (weight at randomisation)"),
            help_text=_("Only needed once the lab has prepared a product: it will re-confirm the product on the new "
                      "weight"))
    if editing or confirm_dose:
        fields["reason"] = forms.CharField(
            label=_("Reason for change"), max_length=2000, required=editing,
            help_text=_("Required: recorded in the audit trail") if editing else _("Required when you confirm a "
                                                                                   "change of the dose basis"))
    return type(f"{model.__name__}Form", (forms.Form,), fields)


def crf_values(form: forms.Form) -> dict[str, Any]:
    values = {k: v for k, v in form.cleaned_data.items() if k not in NOT_VALUES}
    for name in ("reactions", "indication"):
        if name in values and values[name] is None:
            values[name] = ""
    return values


FIELD_ALIASES = {"randomisation_date": "on", "viable_cells": "viable_cells"}
"""Service field names that a page's form calls otherwise."""


def attach_error(form: forms.Form, exc: InputValidationError) -> None:
    """Put a service's InputValidationError next to the field it names (or on top of the form); every failure of
    an :class:`~mescams.errors.EditChecksFailed`, so the page shows them all at once."""
    failures = [(f.field, f.message) for f in exc.failures] if isinstance(exc, EditChecksFailed) else [
        (exc.field, exc.rule)]
    for name, text in failures:
        name = FIELD_ALIASES.get(name, name)
        field = name if name in form.fields else None
        form.add_error(field, text if field else ": ".join((label_of(name), str(text))))


def soft_failures(exc: InputValidationError) -> list[CheckFailure]:
    """The failures a person may confirm with a reason (soft edit checks), one per check and field."""
    return [f for f in getattr(exc, "failures", ()) if f.confirmable]


# -- participant steps --------------------------------------------------------------------------------------
class _OwnIds(forms.Form):
    """A form sharing the participant page with others: its element ids start with ``id_prefix``, so that each
    label names its own field (two ``id_reason`` on one page sent the casebook's "Reason" label to the
    withdrawal's text box)."""

    id_prefix = "id"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", f"{self.id_prefix}_%s")
        super().__init__(*args, **kwargs)


class OnDateForm(forms.Form):
    on = forms.DateField(widget=DateInput(), label=_("Planned randomisation date (eligibility is judged on it)"))


class RandomiseForm(forms.Form):
    on = forms.DateField(widget=DateInput(), label=_("Randomisation date (week 0, first infusion)"))


class WithdrawForm(_OwnIds):
    id_prefix = "withdraw"
    on = forms.DateField(widget=DateInput(), label=_("Date of withdrawal"))
    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), label=_("Reason"))


class SignForm(_OwnIds):
    id_prefix = "sign"
    meaning = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), label=_("Meaning of this signature"),
                              initial="Approval of casebook contents: I have reviewed this casebook and attest "
                                      "that it is accurate.")
    password = forms.CharField(widget=forms.PasswordInput, label=_("Your password (re-authentication)"))
    sign_anyway = forms.BooleanField(required=False, label=_("Sign anyway, although the casebook is incomplete"))
    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False,
                             label=_("Reason for signing an incomplete casebook"))


class UnblindForm(_OwnIds):
    id_prefix = "unblind"
    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}),
                             label=_("Medical reason for emergency unblinding"))


class CausalityForm(forms.Form):
    """The investigator's causality: a required choice with nothing pre-selected, and their own reason."""

    causality = forms.ChoiceField(choices=[(c.value, c.value.replace("_", " ")) for c in CAUSALITY_SCALE],
                                  widget=forms.RadioSelect, label=_("Relation to the infusion"))
    reason = forms.CharField(max_length=2000, label=_("Your reason for this assessment"))


class AnswerForm(forms.Form):
    answer = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), label=_("Answer"))


class QueryForm(forms.Form):
    participant_id = forms.CharField(max_length=16, label=_("Participant"))
    form = forms.ChoiceField(choices=_choices(FORMS), label=_("Form"))
    field = forms.CharField(max_length=60, required=False, label=_("Field"))
    text = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), label=_("Question"))


class UnlockForm(forms.Form):
    reason = forms.CharField(max_length=2000, label=_("Reason for unlocking (audited)"))


class ScanReadForm(forms.Form):
    gel_count = forms.IntegerField(label=_("Gadolinium-enhancing lesions (count)"))
    new_enlarging_t2_count = forms.IntegerField(label=_("New or enlarging T2 lesions (count)"))
    cua_count = forms.IntegerField(label=_("Combined unique active lesions (count)"))
    gel_volume_mm3 = forms.FloatField(label=_("GEL volume (mm³)"),
                                      widget=forms.NumberInput(attrs={"step": "any"}))
    black_hole_volume_mm3 = forms.FloatField(label=_("Black-hole volume (mm³)"),
                                             widget=forms.NumberInput(attrs={"step": "any"}))
    reason = forms.CharField(max_length=2000, required=False, label=_("Reason for change (when re-reading)"))


class LabReleaseForm(forms.Form):
    viable_cells = forms.FloatField(required=False, label=_("Viable cells counted at release (MSC only)"),
                                    widget=forms.NumberInput(attrs={"step": "any"}))
    cells_infused = forms.FloatField(label=_("Cells in the released product (0 for placebo)"),
                                     widget=forms.NumberInput(attrs={"step": "any"}))
    viability_percent = forms.FloatField(label=_("Viability (%)"), widget=forms.NumberInput(attrs={"step": "any"}))
    reason = forms.CharField(max_length=2000, required=False,
                             label=_("Your reason (required to change saved figures or to release on a "
                                     "changed weight)"))


class ReconfirmForm(forms.Form):
    reason = forms.CharField(max_length=2000, label=_("Your reason for re-confirming this product on the new weight"))


@lru_cache(maxsize=32)
def _labels_of(form_name: str) -> dict[str, Any]:
    """The field labels of one eCRF (built once: a form class costs milliseconds, and a page names many fields)."""
    if form_name not in FORM_TITLES or form_name in ("screening", "consent"):
        return {}
    try:
        fields = crf_form_class(form_name).base_fields
    except (KeyError, LookupError):
        return {}
    # the labels stay lazy: the cache is shared by every language, each page renders them in its own
    return {name: field.label for name, field in fields.items() if field.label}


def field_label_in(form_name: str, field: str) -> str:
    """The label a field carries on its eCRF ('Weight (kg)' on vital signs), for pages that name a field outside
    its form (queries, the audit trail); falls back to the readable name."""
    return str(_labels_of(form_name).get(field) or label_of(field))


class AuditSearchForm(forms.Form):
    """The audit trail's search: every field optional; the form/record list is given by the view (the tables the
    role may read, by name), never built from the trail's rows."""

    participant = forms.CharField(required=False, max_length=16, label=_("Participant ID"))
    table = forms.ChoiceField(required=False, label=_("Form or record"))
    field = forms.CharField(required=False, max_length=80, label=_("Field"),
                            help_text=_("as on the form, e.g. Weight (kg)"))
    user = forms.CharField(required=False, max_length=150, label=_("User"))
    date_from = forms.DateField(required=False, widget=DateInput(), label=_("From (UTC date)"))
    date_to = forms.DateField(required=False, widget=DateInput(), label=_("To (UTC date)"))

    def __init__(self, *args: Any, tables: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["table"].choices = [("", _("any")), *tables]  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and end < start:
            self.add_error("date_to", _("the end date is before the start date"))
        for name in ("participant", "field", "user"):
            data[name] = (data.get(name) or "").strip()
        return data
