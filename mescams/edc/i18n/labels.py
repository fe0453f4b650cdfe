"""What the pages and mails call each eCRF form, field, coded value and state, in the reader's language.

A field's name ('weight_kg') and a coded value ('recovered_with_sequelae') are the data's words; a person reads
'Weight (kg)' / 'Poids (kg)' and 'Recovered with sequelae' / 'Rétabli avec séquelles'. Each is written here once,
marked for translation; the catalogue test checks that every enterable eCRF field and every value the forms offer
has its entry, so a new field cannot reach a French page in English."""

from __future__ import annotations

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

__all__ = ["CODED_ENTRY_TITLES", "FIELD_LABELS", "FORM_TITLES",
           "STATE_LABELS", "UNITS", "VALUE_LABELS", "derived_label", "field_label",
           "state_label", "value_label", "value_labels"]

FORM_TITLES: dict[str, Promise] = {
    "screening": _("Screening"), "consent": _("Informed consent"), "demographics": _("Demographics"),
    "vital_signs": _("Vital signs and weight"), "infusion": _("Infusion"), "adverse_event": _("Adverse event"),
    "mri": _("MRI scan"), "relapse": _("Relapse"), "edss": _("EDSS (Kurtzke)"), "safety_lab": _("Safety laboratory"),
    "conmed": _("Concomitant medication"),
}
"""Each eCRF's title."""

CODED_ENTRY_TITLES: dict[str, Promise] = {
    "medical_history": _("Medical history"), "prior_therapy": _("Prior MS therapy"),
}
"""What the coder's pages call the coded entries of the screening record (coding's form names; not eCRFs)."""

UNITS = {"_kg": "kg", "_mmhg": "mmHg", "_bpm": _("beats/min"), "_c": "°C", "_ml": "mL", "_cm": "cm",
         "_mm3": "mm³", "_percent": "%", "_hours": _("hours")}
"""Unit suffixes of field names and how a label writes them."""

FIELD_LABELS: dict[str, Promise] = {
    "able_to_consent": _("Able to consent"), "action": _("Action taken"), "ambulation": _("Ambulation"),
    "assessment_date": _("Assessment date"), "awareness_date": _("Awareness date"), "birth_date": _("Birth date"),
    "bowel_bladder": _("Bowel and bladder"), "brainstem": _("Brainstem"), "causality": _("Causality"),
    "cerebellar": _("Cerebellar"), "cerebral": _("Cerebral"), "clinically_significant": _("Clinically significant"),
    "confirmed": _("Confirmed"), "consent_date": _("Consent date"), "consent_time": _("Consent time"),
    "diastolic_mmhg": _("Diastolic (mmHg)"), "drug": _("Drug"), "duration_hours": _("Duration (hours)"),
    "end_date": _("End date"), "ethnicity": _("Ethnicity"), "fever_or_infection": _("Fever or infection"),
    "form_version": _("Form version"), "heart_rate_bpm": _("Heart rate (beats/min)"), "height_cm": _("Height (cm)"),
    "indication": _("Indication"), "infusion_date": _("Infusion date"), "ms_course": _("MS course"),
    "ms_onset_date": _("MS onset date"), "obtained_by": _("Obtained by"), "onset_date": _("Onset date"),
    "out_of_window": _("Out of window"),
    "outcome": _("Outcome"), "product_code": _("Product code"), "pyramidal": _("Pyramidal"), "race": _("Race"),
    "reactions": _("Reactions"), "record": _("Record"), "recorded_edss": _("Recorded EDSS"),
    "sample_date": _("Sample date"), "scan_date": _("Scan date"), "sensory": _("Sensory"), "serious": _("Serious"),
    "serious_criteria": _("Seriousness criteria"), "severity": _("Severity"), "severity_grade": _("Severity grade"),
    "sex": _("Sex"), "start_date": _("Start date"), "start_time": _("Start time"), "stop_time": _("Stop time"),
    "systolic_mmhg": _("Systolic (mmHg)"), "temperature_c": _("Temperature (°C)"), "term": _("Term"),
    "test": _("Test"), "treated_with_steroids": _("Treated with steroids"), "unit": _("Unit"), "value": _("Value"),
    "visit_code": _("Visit"), "visual": _("Visual"), "volume_ml": _("Volume (mL)"), "weight_kg": _("Weight (kg)"),
}
"""Every enterable eCRF field's label (the catalogue test keeps it complete)."""

VALUE_LABELS: dict[str, Promise] = {
    # MS course; the pre-screening log's age bands
    "other": _("other"), "under 18": _("under 18"), "over 50": _("over 50"),
    # action taken with the study treatment
    "none": _("none"), "infusion_interrupted": _("infusion interrupted"), "infusion_stopped": _("infusion stopped"),
    "treatment_given": _("treatment given"),
    # AE outcome
    "recovered": _("recovered"), "recovering": _("recovering"), "not_recovered": _("not recovered"),
    "recovered_with_sequelae": _("recovered with sequelae"), "fatal": _("fatal"), "unknown": _("unknown"),
    # AE intensity
    "mild": _("mild"), "moderate": _("moderate"), "severe": _("severe"),
    # safety laboratory tests
    "hemoglobin": _("hemoglobin"), "wbc": _("white blood cells"), "platelets": _("platelets"), "alt": _("ALT"),
    "ast": _("AST"), "creatinine": _("creatinine"), "egfr": _("eGFR"),
    # seriousness criteria (ICH E2A)
    "death": _("Results in death"), "life_threatening": _("Life-threatening"),
    "hospitalisation": _("Requires or prolongs hospitalisation"),
    "disability": _("Persistent or significant disability or incapacity"),
    "congenital_anomaly": _("Congenital anomaly or birth defect"),
    "important_medical_event": _("Other medically important event"),
    # causality (mescams.core.causality), weakest first
    "not_related": _("not related"), "unlikely": _("unlikely"), "possible": _("possible"), "probable": _("probable"),
    "definite": _("definite"),
    # expectedness against the Reference Safety Information
    "expected": _("expected"), "unexpected": _("unexpected"), "not_assessable": _("not assessable"),
    # CDISC race and ethnicity, as the participant reports them
    "WHITE": _("White"), "ASIAN": _("Asian"), "BLACK OR AFRICAN AMERICAN": _("Black or African American"),
    "AMERICAN INDIAN OR ALASKA NATIVE": _("American Indian or Alaska Native"),
    "NATIVE HAWAIIAN OR OTHER PACIFIC ISLANDER": _("Native Hawaiian or Other Pacific Islander"),
    "NOT REPORTED": _("Not reported"), "UNKNOWN": _("Unknown"), "HISPANIC OR LATINO": _("Hispanic or Latino"),
    "NOT HISPANIC OR LATINO": _("Not Hispanic or Latino"),
}
"""Coded values the eCRF forms offer, as a person reads them (codes such as RRMS or F stay as they are)."""


STATE_LABELS: dict[str, Promise] = {  # the context: a state, not the same English word elsewhere
    # a participant's lifecycle (mescams.core.lifecycle.ParticipantState)
    "consented": pgettext_lazy("state", "consented"), "screened": pgettext_lazy("state", "screened"),
    "eligible": pgettext_lazy("state", "eligible"), "screen_failed": pgettext_lazy("state", "screen failed"),
    "randomised": pgettext_lazy("state", "randomised"), "infused": pgettext_lazy("state", "infused"),
    "crossed_over": pgettext_lazy("state", "crossed over"), "completed": pgettext_lazy("state", "completed"),
    "withdrawn": pgettext_lazy("state", "withdrawn"),
    # a visit (mescams.edc.crfs.visit_status)
    "done": pgettext_lazy("state", "done"), "partial": pgettext_lazy("state", "partial"),
    "due": pgettext_lazy("state", "due"), "overdue": pgettext_lazy("state", "overdue"),
    "upcoming": pgettext_lazy("state", "upcoming"), "not_expected": pgettext_lazy("state", "not expected"),
    # a query
    "open": pgettext_lazy("state", "open"), "answered": pgettext_lazy("state", "answered"),
    "closed": pgettext_lazy("state", "closed"),
    # a coded term (mescams.edc.coding.models.STATUSES)
    "coded": pgettext_lazy("state", "coded"), "uncoded": pgettext_lazy("state", "uncoded"),
    "ambiguous": pgettext_lazy("state", "ambiguous"), "queried": pgettext_lazy("state", "queried"),
    "review": pgettext_lazy("state", "to review"),
}
"""Participant, visit and query states as the lists, filters and grids name them (the test keeps it complete);
the context keeps a state apart from the same English word elsewhere (the 'due' of a safety report)."""


def state_label(state: object) -> str:
    """A state in the active language (an unknown one as written, underscores as spaces)."""
    return str(STATE_LABELS.get(str(state)) or str(state).replace("_", " "))


def derived_label(name: str) -> str:
    """'weight_kg' -> 'Weight (kg)': a field name made readable, for a name without an entry (never an eCRF's)."""
    for suffix, unit in UNITS.items():
        if name.endswith(suffix):
            return f"{name[: -len(suffix)].replace('_', ' ').capitalize()} ({unit})"
    return name.replace("_", " ").capitalize()


def field_label(name: str) -> str | Promise:
    """The field's label, translated when the page renders it."""
    return FIELD_LABELS.get(name) or derived_label(name)


def value_label(value: object) -> str | Promise:
    """A coded value's label, or the value itself (a code such as RRMS) with underscores as spaces."""
    return VALUE_LABELS.get(str(value)) or str(value).replace("_", " ")


def value_labels(values: object) -> str:
    """Several coded values (a list, as the seriousness criteria are stored), each labelled, comma-separated."""
    items = values if isinstance(values, list | tuple) else [values] if values else []
    return ", ".join(str(value_label(v)) for v in items)
