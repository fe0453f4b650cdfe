"""The screening page's form: the patient-record contract's fields (patient.schema.json) as inputs.

Repeated items (relapses, MRI scans, EDSS assessments, therapies) are small formsets with a few blank rows; an
empty row is ignored. A field left empty is *unknown* to the eligibility engine, never "no". :func:`to_record`
builds the contract's JSON, which the EDC's engine evaluates (live, on every change, through htmx) and
``trial.services.screen`` stores. The form belongs to a consented participant: I5's consent date and ability to
consent come from the recorded consent, never from this form.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.forms import formset_factory
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from mescams.edc.web.forms import DateInput
from mescams.edc.web.services import today
from mescams.protocols import default_protocol

CONDITIONS = ["hiv", "hepatitis_b_chronic", "hepatitis_c", "infection_active", "infection_chronic", "malignancy",
              "basal_cell_carcinoma", "carcinoma_in_situ", "myelodysplasia", "hematologic_disease", "renal_failure",
              "limited_life_expectancy"]
FLAGS = [("pregnant", "Pregnant"),
         ("childbearing_potential", "Of childbearing potential"),
         ("willing_to_use_contraception", "Willing to use contraception"),
         ("can_undergo_mri", "Can undergo MRI"), ("in_other_trial", "In another clinical trial"),
         ("able_to_adhere", "Able to adhere to the protocol (investigator's judgement)")]


def _drugs() -> list[str]:
    classes = default_protocol().drug_classes
    names: set[str] = set()
    for key in ("approved_ms_therapies", "immunosuppressive", "never_allowed", "injectable_or_oral_dmt",
                "corticosteroids"):
        names.update(classes.get(key, []))
    return sorted(names)


def _tri(label: str) -> forms.NullBooleanField:
    return forms.NullBooleanField(label=label, required=False, widget=forms.NullBooleanSelect)


class RelapseRow(forms.Form):
    onset_date = forms.DateField(widget=DateInput(), required=False, label=_("Relapse onset"))
    clinically_documented = _tri("Clinically documented")


class MriRow(forms.Form):
    date = forms.DateField(widget=DateInput(), required=False, label=_("MRI date"))
    gel_count = forms.IntegerField(required=False, min_value=0, label=_("GEL count"))


class EdssRow(forms.Form):
    date = forms.DateField(widget=DateInput(), required=False, label=_("EDSS date"))
    score = forms.FloatField(required=False, min_value=0, max_value=10, label=_("EDSS score (0-10)"),
                             widget=forms.NumberInput(attrs={"step": "0.5"}))


class TherapyRow(forms.Form):
    drug = forms.ChoiceField(required=False, label=_("Drug"))
    start_date = forms.DateField(widget=DateInput(), required=False, label=_("Start"))
    end_date = forms.DateField(widget=DateInput(), required=False, label=_("End (empty: ongoing)"))
    accelerated_elimination = forms.ChoiceField(
        required=False, label=_("Accelerated elimination"),
        choices=[("", "—"), ("cholestyramine", _("cholestyramine")),
                 ("activated_charcoal", _("activated charcoal"))])

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["drug"].choices = [("", "—")] + [(d, d.replace("_", " ")) for d in _drugs()]


ROWS: dict[str, tuple[type[forms.Form], str]] = {
    "relapses": (RelapseRow, "onset_date"), "mri": (MriRow, "date"), "edss": (EdssRow, "date"),
    "therapies": (TherapyRow, "drug")}
ROW_TITLES = {"relapses": _("Relapses"), "mri": _("MRI scans"),
              "edss": _("EDSS assessments"),
              "therapies": _("MS and immunosuppressive therapies")}
"""Each repeated item: its row form and the field that must be filled for the row to count."""


class ScreeningForm(forms.Form):
    screening_date = forms.DateField(widget=DateInput(), label=_("Screening date"))
    on = forms.DateField(widget=DateInput(), label=_("Planned randomisation date (criteria are judged on it)"))
    sex = forms.ChoiceField(required=False, choices=[("", _("unknown")), ("F", "F"), ("M", "M")],
                            label=_("Sex"))
    birth_date = forms.DateField(widget=DateInput(), required=False, label=_("Date of birth"))
    course = forms.ChoiceField(required=False, label=_("MS course"),
                               choices=[("", _("unknown")), *[(c, c) for c in ("RRMS", "SPMS", "PPMS", "CIS")],
                                        ("other", _("other"))])
    onset_date = forms.DateField(widget=DateInput(), required=False, label=_("MS onset (first symptom)"))
    diagnosis_date = forms.DateField(widget=DateInput(), required=False, label=_("MS diagnosis"))
    csf_oligoclonal_bands = _tri("CSF oligoclonal bands")
    conditions = forms.MultipleChoiceField(required=False, widget=forms.CheckboxSelectMultiple,
                                           choices=[(c, c.replace("_", " ")) for c in CONDITIONS],
                                           label=_("Medical history (conditions present)"))
    no_conditions = forms.BooleanField(required=False, label=_("Medical history taken: none of these"))
    allergies = forms.CharField(required=False, label=_("Allergies (comma-separated substances; 'none' if none)"))
    egfr = forms.FloatField(required=False, label=_("eGFR (mL/min/1.73m2)"))
    egfr_date = forms.DateField(widget=DateInput(), required=False, label=_("eGFR date"))
    wbc = forms.FloatField(required=False, label=_("White blood cells (10^9/L)"))
    wbc_date = forms.DateField(widget=DateInput(), required=False, label=_("WBC date"))
    wbc_significant = forms.BooleanField(required=False, label=_("WBC clinically significant"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for code in CONDITIONS:
            readable = code.replace("_", " ").capitalize()
            self.fields[f"{code}_start_date"] = forms.DateField(
                widget=DateInput(), required=False, label=_("%(condition)s: start date") % {"condition": readable})
            self.fields[f"{code}_remission_date"] = forms.DateField(
                widget=DateInput(), required=False, label=_("%(condition)s: remission date") % {"condition": readable})
            self.fields[f"{code}_active"] = _tri(_("%(condition)s: active now") % {"condition": readable})
        for name, label in FLAGS:
            self.fields[name] = _tri(label)

    def clean(self) -> dict[str, Any]:
        """Condition dates: none in the future, remission not before start. A condition with a date or an
        active answer is present even when its box is not ticked."""
        cleaned = super().clean() or {}
        latest = today()
        present = set(cleaned.get("conditions") or [])
        for code in CONDITIONS:
            start, remission = cleaned.get(f"{code}_start_date"), cleaned.get(f"{code}_remission_date")
            for name, value in ((f"{code}_start_date", start), (f"{code}_remission_date", remission)):
                if value is not None and value > latest:
                    self.add_error(name, gettext("%(value)s is in the future (today is %(latest)s)") % {
                        "value": value, "latest": latest})
            if start is not None and remission is not None and remission < start:
                self.add_error(f"{code}_remission_date", gettext("%(remission)s is before the start date %(start)s") % {
                    "remission": remission, "start": start})
            if start or remission or cleaned.get(f"{code}_active") is not None:
                present.add(code)
        cleaned["conditions"] = [code for code in CONDITIONS if code in present]
        return cleaned

    @property
    def condition_rows(self) -> list[tuple[Any, list[Any]]]:
        """Per condition: its checkbox and its start date, remission date and active answer (bound fields)."""
        boxes = list(self["conditions"])
        return [(box, [self[f"{code}_start_date"], self[f"{code}_remission_date"], self[f"{code}_active"]])
                for box, code in zip(boxes, CONDITIONS, strict=True)]

    @property
    def flag_fields(self) -> list[Any]:
        """The yes / no / unknown answers of the other criteria, as bound fields for the template."""
        return [self[name] for name, _flag in FLAGS]


MAX_ROWS = 40
"""Rows a repeated item may have on the page (blank rows are ignored)."""


def build_forms(data: Any = None) -> tuple[ScreeningForm, dict[str, Any]]:
    """The main form and one formset per repeated item, bound to ``data`` when given."""
    main = ScreeningForm(data, initial={"screening_date": today()})
    sets = {name: formset_factory(row, extra=3, max_num=MAX_ROWS, validate_max=True)(data, prefix=name)
            for name, (row, _key) in ROWS.items()}
    return main, sets


def blank_row(item: str, index: int) -> forms.Form | None:
    """One more empty row of a repeated item, numbered ``index`` as the formset expects; None past the limit or
    for an unknown item. Its first input takes the focus when htmx adds it to the page."""
    if item not in ROWS or not 0 <= index < MAX_ROWS:
        return None
    row = ROWS[item][0](prefix=f"{item}-{index}", use_required_attribute=False)
    next(iter(row.fields.values())).widget.attrs["autofocus"] = True
    return row


def row_count(data: Any, item: str) -> int:
    """The rows of ``item`` the page has now (its formset's TOTAL_FORMS); -1 when missing or not a number."""
    try:
        return int(data.get(f"{item}-TOTAL_FORMS", ""))
    except ValueError:
        return -1


def with_added_row(data: Any, item: str) -> Any | None:
    """A copy of the posted ``data`` with one more row of ``item`` (its TOTAL_FORMS plus one): the page without
    JavaScript adds a row by re-rendering the whole form from it. None past the limit or for an unknown item."""
    index = row_count(data, item)
    if item not in ROWS or not 0 <= index < MAX_ROWS:
        return None
    grown = data.copy()
    grown[f"{item}-TOTAL_FORMS"] = str(index + 1)
    return grown


def all_valid(main: ScreeningForm, sets: dict[str, Any]) -> bool:
    return all([main.is_valid(), *[s.is_valid() for s in sets.values()]])


def _iso(value: dt.date | None) -> str | None:
    return value.isoformat() if value else None


def _condition(c: dict[str, Any], code: str) -> dict[str, Any]:
    """One medical-history item; an unanswered date or active flag stays null (unknown to the engine)."""
    return {"code": code, "start_date": _iso(c.get(f"{code}_start_date")),
            "remission_date": _iso(c.get(f"{code}_remission_date")), "active": c.get(f"{code}_active")}


def to_record(main: ScreeningForm, sets: dict[str, Any]) -> dict[str, Any]:
    """The screening record (patient.schema.json) from valid forms; absent answers stay absent (unknown)."""
    c = main.cleaned_data
    record: dict[str, Any] = {"sex": c["sex"] or None, "birth_date": _iso(c["birth_date"]),
                              "ms": {"course": c["course"] or None, "onset_date": _iso(c["onset_date"]),
                                     "diagnosis_date": _iso(c["diagnosis_date"]),
                                     "csf_oligoclonal_bands": c["csf_oligoclonal_bands"]}}
    for name, (_row, key) in ROWS.items():
        rows = [{k: _iso(v) if isinstance(v, dt.date) else v for k, v in f.cleaned_data.items() if v not in ("", None)}
                for f in sets[name].forms if f.cleaned_data.get(key)]
        record[name] = rows
    if c["conditions"] or c["no_conditions"]:
        record["conditions"] = [_condition(c, code) for code in c["conditions"]]
    allergies = [a.strip().lower() for a in c["allergies"].split(",") if a.strip()]
    if allergies:
        record["allergies"] = [a for a in allergies if a != "none"]
    labs = []
    if c["egfr"] is not None and c["egfr_date"]:
        labs.append({"date": _iso(c["egfr_date"]), "test": "egfr", "value": c["egfr"], "unit": "mL/min/1.73m2"})
    if c["wbc"] is not None and c["wbc_date"]:
        labs.append({"date": _iso(c["wbc_date"]), "test": "wbc", "value": c["wbc"], "unit": "10^9/L",
                     "clinically_significant": c["wbc_significant"]})
    record["labs"] = labs
    for name, _flag in FLAGS:
        if c.get(name) is not None:
            record[name] = c[name]
    return record
