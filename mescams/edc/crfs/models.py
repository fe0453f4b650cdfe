"""The eCRFs. Each validates itself (``validate`` raises InputValidationError naming field and rule) before it is
saved, and every save is audited by :class:`mescams.edc.audit.audited.AuditedModel`. A single form's unique
constraint (``crfs_one_<form>``) is the protocol's ``forms`` declaration (:mod:`mescams.edc.crfs.instances`)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext

from mescams.core.causality import CAUSALITY_SCALE, is_related
from mescams.core.eligibility.record_keys import check_stored_record
from mescams.core.safety.seriousness import SERIOUSNESS_CRITERIA, check_seriousness
from mescams.core.safety.severity import SEVERITY_SCALE
from mescams.edc.crfs.base import ParticipantRecord, in_range, not_future, rule
from mescams.edc.crfs.clinical import derive_edss, infusion_visits
from mescams.errors import EligibilityInputError, InputValidationError
from mescams.interop.terminology import CODELISTS
from mescams.protocols import default_protocol

SERIOUS_CRITERIA = tuple(c.value for c in SERIOUSNESS_CRITERIA)  # ICH E2A, the core's list
AE_SEVERITIES = tuple(s.value for s in SEVERITY_SCALE)
AE_ACTIONS = ("none", "infusion_interrupted", "infusion_stopped", "treatment_given", "other")
AE_OUTCOMES = ("recovered", "recovering", "not_recovered", "recovered_with_sequelae", "fatal", "unknown")
MS_COURSES = ("RRMS", "SPMS", "PPMS", "CIS", "other")
LAB_TESTS = {"hemoglobin": "g/L", "wbc": "10^9/L", "platelets": "10^9/L", "alt": "U/L", "ast": "U/L",
             "creatinine": "umol/L", "egfr": "mL/min/1.73m2"}
RACES = tuple(CODELISTS["RACE"].terms)
"""The answers of the race question: the CDISC RACE terms, 'NOT REPORTED' when the participant does not say."""
ETHNICITIES = tuple(CODELISTS["ETHNIC"].terms)
"""The answers of the ethnicity question: the CDISC ETHNIC terms, 'NOT REPORTED' when the participant does not say."""
FS_RANGES = {"visual": 6, "brainstem": 5, "pyramidal": 6, "cerebellar": 5, "sensory": 6, "bowel_bladder": 6,
             "cerebral": 5}


class ScreeningRecord(ParticipantRecord):
    """The screening data as the patient-record contract's JSON, and the eligibility verdict run on it."""

    form = "screening"
    record = models.JSONField()
    evaluated_on = models.DateField(null=True, blank=True)
    eligible = models.BooleanField(null=True)
    criteria = models.JSONField(default=list, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["participant"], name="crfs_one_screening")]

    def validate(self) -> None:
        """Every write path (API, pages, services) saves through here: the record must be the contract's object
        with only the record model's keys (an unknown key is refused, named) and values of the right types."""
        rule(isinstance(self.record, dict), "record", gettext("must be a JSON object (patient.schema.json)"))
        try:
            check_stored_record(self.record)
        except EligibilityInputError as exc:
            raise InputValidationError(f"record.{exc.field}", exc.rule) from None


class Consent(ParticipantRecord):
    """One signed informed consent: the ICF version, the date and time written on it (the site's wall clock, as
    signed) and the member of the site staff who took it. The first one registers the participant; a later one
    is a re-consent on a newer ICF version (one consent per participant and version)."""

    form = "consent"
    date_field = "consent_date"
    consent_date = models.DateField()
    consent_time = models.TimeField(null=True, blank=True)
    form_version = models.CharField(max_length=40)
    obtained_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+", null=True)
    able_to_consent = models.BooleanField(default=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["participant", "form_version"], name="crfs_one_consent")]

    def validate(self) -> None:
        not_future(self.consent_date, "consent_date")
        rule(self.consent_time is not None, "consent_time", gettext(
            "is required (the time written on the signed form)"))
        rule(bool(self.form_version.strip()), "form_version", gettext("is required"))
        rule(self.obtained_by_id is not None, "obtained_by", gettext("is required (who took the consent)"))
        rule(self.able_to_consent, "able_to_consent", gettext("a person unable to consent cannot be enrolled (I5)"))


class Demographics(ParticipantRecord):
    """Sex, birth date, race and ethnicity as the participant reports them (SDTM DM), and the MS course.

    Race and ethnicity are required answers on every entry and change ('NOT REPORTED' when the participant does
    not say); a record entered before they were asked holds '' until its next change asks for them."""

    form = "demographics"
    sex = models.CharField(max_length=1)
    birth_date = models.DateField()
    race = models.CharField(max_length=60, blank=True, default="")
    ethnicity = models.CharField(max_length=40, blank=True, default="")
    ms_course = models.CharField(max_length=8)
    ms_onset_date = models.DateField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["participant"], name="crfs_one_demographics")]

    def validate(self) -> None:
        rule(self.sex in ("F", "M"), "sex", gettext("must be F or M"))
        not_future(self.birth_date, "birth_date")
        rule(self.race in RACES, "race", gettext("must be one of %(races)s (NOT REPORTED if not given)") % {
            "races": ', '.join(RACES)})
        rule(self.ethnicity in ETHNICITIES, "ethnicity",
             gettext("must be one of %(ethnicities)s (NOT REPORTED if not given)") % {
                 "ethnicities": ', '.join(ETHNICITIES)})
        rule(self.ms_course in MS_COURSES, "ms_course", gettext("must be one of %(ms_courses)s") % {
            "ms_courses": ', '.join(MS_COURSES)})
        not_future(self.ms_onset_date, "ms_onset_date", required=False)
        if self.ms_onset_date and self.birth_date:
            rule(self.ms_onset_date >= self.birth_date, "ms_onset_date", gettext("must not be before birth_date"))


class VitalSigns(ParticipantRecord):
    form = "vital_signs"
    date_field = "assessment_date"
    assessment_date = models.DateField()
    weight_kg = models.FloatField()
    height_cm = models.FloatField(null=True, blank=True)
    systolic_mmhg = models.IntegerField(null=True, blank=True)
    diastolic_mmhg = models.IntegerField(null=True, blank=True)
    heart_rate_bpm = models.IntegerField(null=True, blank=True)
    temperature_c = models.FloatField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["participant", "visit_code"], name="crfs_one_vital_signs")]

    def validate(self) -> None:
        self.validate_visit()
        not_future(self.assessment_date, "assessment_date")
        rule(self.weight_kg is not None, "weight_kg", gettext("is required"))
        # the possible and plausible ranges are edit checks (vital_signs_possible, vital_signs_plausible)
        if self.systolic_mmhg is not None and self.diastolic_mmhg is not None:
            rule(self.diastolic_mmhg < self.systolic_mmhg, "diastolic_mmhg", gettext("must be below systolic_mmhg"))


class Infusion(ParticipantRecord):
    """The infusion: the site records the clinical part; the lab records cells and viability (unblinded only)."""

    form = "infusion"
    date_field = "infusion_date"
    infusion_date = models.DateField()
    product_code = models.CharField(max_length=16)
    volume_ml = models.FloatField()
    start_time = models.TimeField()
    stop_time = models.TimeField()
    reactions = models.TextField(blank=True, default="")
    weight_kg = models.FloatField(null=True, blank=True)
    cells_infused = models.FloatField(null=True, blank=True)
    viability_percent = models.FloatField(null=True, blank=True)
    cells_per_kg = models.FloatField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["participant", "visit_code"], name="crfs_one_infusion")]

    def validate(self) -> None:
        self.validate_visit(infusion_visits())
        not_future(self.infusion_date, "infusion_date")
        in_range(self.volume_ml, "volume_ml", 1, 500)
        rule(self.stop_time > self.start_time, "stop_time", gettext("must be after start_time"))
        in_range(self.weight_kg, "weight_kg", 25, 300, required=False)
        in_range(self.cells_infused, "cells_infused", 0, 1e10, required=False)
        in_range(self.viability_percent, "viability_percent", 0, 100, required=False)


class AdverseEvent(ParticipantRecord):
    """An adverse event. ``causality`` is the investigator's judgement ("" until assessed: no default);
    ``related`` is derived from it (possible and above), for the consumers that read a yes/no.

    ``severity`` (mild, moderate, severe) is recorded beside the CTCAE grade; "" means not recorded (events entered
    before it existed got it from their grade, migration ``0007_ae_seriousness``; a missing or differing severity is
    queried by the edit check ``ae_severity_vs_grade``). ``awareness_date`` is the day the sponsor-investigator
    first knew of the event: a serious event needs it, because Health Canada's reporting clock counts from it."""

    form = "adverse_event"
    date_field = None
    ae_number = models.PositiveIntegerField()
    term = models.CharField(max_length=200)
    onset_date = models.DateField()
    end_date = models.DateField(null=True, blank=True)
    severity_grade = models.PositiveSmallIntegerField()
    severity = models.CharField(max_length=10, blank=True, default="")
    serious = models.BooleanField(default=False)
    serious_criteria = models.JSONField(default=list, blank=True)
    causality = models.CharField(max_length=16, blank=True, default="")
    related = models.BooleanField(default=False)
    action = models.CharField(max_length=30, default="none")
    outcome = models.CharField(max_length=30, default="unknown")
    awareness_date = models.DateField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["participant", "ae_number"], name="one_ae_number")]

    def validate(self) -> None:
        rule(bool(self.term.strip()), "term", gettext("is required"))
        not_future(self.onset_date, "onset_date")
        not_future(self.end_date, "end_date", required=False)
        rule(self.severity_grade in (1, 2, 3, 4, 5), "severity_grade", gettext("must be a CTCAE grade 1 to 5"))
        rule(self.severity == "" or self.severity in AE_SEVERITIES, "severity",
             gettext("must be one of %(ae_severities)s") % {"ae_severities": ', '.join(AE_SEVERITIES)})
        rule(self.causality == "" or self.causality in CAUSALITY_SCALE, "causality",
             gettext("must be one of %(causality_scale)s") % {"causality_scale": ', '.join(CAUSALITY_SCALE)})
        self.related = is_related(self.causality)
        criteria = self.serious_criteria if isinstance(self.serious_criteria, list) else [self.serious_criteria]
        try:
            check_seriousness(bool(self.serious), [str(c) for c in criteria])
        except InputValidationError as exc:
            rule(False, exc.field, exc.rule)
        rule(self.action in AE_ACTIONS, "action", gettext("must be one of %(ae_actions)s") % {
            "ae_actions": ', '.join(AE_ACTIONS)})
        rule(self.outcome in AE_OUTCOMES, "outcome", gettext("must be one of %(ae_outcomes)s") % {
            "ae_outcomes": ', '.join(AE_OUTCOMES)})
        rule((self.severity_grade == 5) == (self.outcome == "fatal"), "outcome",
             gettext("grade 5 (death) and outcome 'fatal' go together"))
        if self.severity_grade == 5:
            rule("death" in criteria, "serious_criteria", gettext("a grade 5 event is serious with criterion 'death'"))
        rule("death" not in criteria or self.outcome == "fatal", "outcome",
             gettext("an event serious by 'death' has the outcome 'fatal'"))
        self._awareness_rules()

    def _awareness_rules(self) -> None:
        not_future(self.awareness_date, "awareness_date", required=False)
        rule(not self.serious or self.awareness_date is not None, "awareness_date",
             gettext("a serious event needs the date the sponsor-investigator became aware of it (the reporting clock "
             "of Health Canada C.05.014 counts from it)"))
        if self.awareness_date is not None and self.onset_date is not None:
            rule(self.awareness_date >= self.onset_date, "awareness_date",
                 gettext("must not be before the onset (%(isoformat)s)") % {"isoformat": self.onset_date.isoformat()})


class MriScan(ParticipantRecord):
    """A scan done, read by the MRI reader by ``scan_id`` alone (no participant or visit shown to them)."""

    form = "mri"
    date_field = "scan_date"
    scan_id = models.CharField(max_length=16, unique=True)
    scan_date = models.DateField()
    gel_count = models.IntegerField(null=True, blank=True)
    new_enlarging_t2_count = models.IntegerField(null=True, blank=True)
    cua_count = models.IntegerField(null=True, blank=True)
    gel_volume_mm3 = models.FloatField(null=True, blank=True)
    black_hole_volume_mm3 = models.FloatField(null=True, blank=True)
    read_by = models.CharField(max_length=150, blank=True, default="")
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["participant", "visit_code"], name="crfs_one_mri")]

    def validate(self) -> None:
        self.validate_visit()
        not_future(self.scan_date, "scan_date")
        for name in ("gel_count", "new_enlarging_t2_count", "cua_count"):
            in_range(getattr(self, name), name, 0, 1000, required=self.read_at is not None)
        for name in ("gel_volume_mm3", "black_hole_volume_mm3"):
            in_range(getattr(self, name), name, 0, 1e6, required=self.read_at is not None)
        if None not in (self.gel_count, self.new_enlarging_t2_count, self.cua_count):
            low = max(self.gel_count, self.new_enlarging_t2_count)  # type: ignore[type-var]
            high = self.gel_count + self.new_enlarging_t2_count  # type: ignore[operator]
            rule(low <= self.cua_count <= high, "cua_count",  # type: ignore[operator]
                 gettext("combined unique active lesions must lie between max(GEL, new T2) = %(low)s and "
                         "their sum = %(high)s") % {"low": low, "high": high})
        if self.gel_count == 0 and self.gel_volume_mm3 is not None:
            rule(self.gel_volume_mm3 == 0, "gel_volume_mm3", gettext("must be 0 when gel_count is 0"))


class Relapse(ParticipantRecord):
    form = "relapse"
    date_field = None
    onset_date = models.DateField()
    duration_hours = models.PositiveIntegerField()
    fever_or_infection = models.BooleanField(default=False)
    confirmed = models.BooleanField(default=False)
    treated_with_steroids = models.BooleanField(default=False)

    def validate(self) -> None:
        definition = default_protocol().relapse_definition
        not_future(self.onset_date, "onset_date")
        if self.confirmed:
            rule(self.duration_hours >= definition.min_duration_hours, "confirmed",
                 gettext("a confirmed relapse lasts at least %(min_duration_hours)s hours") % {
                     "min_duration_hours": definition.min_duration_hours})
            rule(not (definition.exclude_fever_or_infection and self.fever_or_infection), "confirmed",
                 gettext("symptoms with fever or infection do not make a confirmed relapse"))


class EdssAssessment(ParticipantRecord):
    """FS scores and ambulation by the blinded rater; the step and the consistency flag come from the core."""

    form = "edss"
    date_field = "assessment_date"
    assessment_date = models.DateField()
    visual = models.PositiveSmallIntegerField()
    brainstem = models.PositiveSmallIntegerField()
    pyramidal = models.PositiveSmallIntegerField()
    cerebellar = models.PositiveSmallIntegerField()
    sensory = models.PositiveSmallIntegerField()
    bowel_bladder = models.PositiveSmallIntegerField()
    cerebral = models.PositiveSmallIntegerField()
    ambulation = models.PositiveSmallIntegerField()
    recorded_edss = models.FloatField(null=True, blank=True)
    edss = models.FloatField(null=True, blank=True)
    consistent = models.BooleanField(null=True)
    derivation = models.TextField(blank=True, default="")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["participant", "visit_code"], name="crfs_one_edss")]

    def validate(self) -> None:
        self.validate_visit()
        not_future(self.assessment_date, "assessment_date")
        for name, high in FS_RANGES.items():
            in_range(getattr(self, name), name, 0, high)
        in_range(self.ambulation, "ambulation", 0, 16)
        if self.recorded_edss is not None:
            in_range(self.recorded_edss, "recorded_edss", 0, 10)
            rule(self.recorded_edss * 2 == int(self.recorded_edss * 2), "recorded_edss", gettext("must be a 0.5 step"))
        self.edss, self.consistent, self.derivation = derive_edss(self)


class SafetyLab(ParticipantRecord):
    form = "safety_lab"
    date_field = "sample_date"
    sample_date = models.DateField()
    test = models.CharField(max_length=20)
    value = models.FloatField()
    unit = models.CharField(max_length=20)
    clinically_significant = models.BooleanField(default=False)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["participant", "visit_code", "test"],
                                               name="crfs_one_safety_lab")]

    def validate(self) -> None:
        self.validate_visit()
        not_future(self.sample_date, "sample_date")
        rule(self.test in LAB_TESTS, "test", gettext("must be one of %(lab_tests)s") % {
            "lab_tests": ', '.join(LAB_TESTS)})
        rule(self.unit == LAB_TESTS.get(self.test), "unit", gettext("must be %(get)s for %(test)s") % {
            "get": LAB_TESTS.get(self.test), "test": self.test})
        in_range(self.value, "value", 0, 1e6)


class ConcomitantMedication(ParticipantRecord):
    form = "conmed"
    date_field = None
    drug = models.CharField(max_length=120)
    indication = models.CharField(max_length=200, blank=True, default="")
    start_date = models.DateField()
    end_date = models.DateField(null=True, blank=True)

    def validate(self) -> None:
        rule(bool(self.drug.strip()), "drug", gettext("is required"))
        not_future(self.start_date, "start_date")
        not_future(self.end_date, "end_date", required=False)
        if self.end_date:
            rule(self.end_date >= self.start_date, "end_date", gettext("must not be before start_date"))


class ProductPreparation(ParticipantRecord):
    """The lab's record that it prepared (or released) the product of one infusion visit, and the dose basis (weight
    at randomisation, kg) it was prepared on. When the dose basis changes afterwards the product is flagged until the
    lab re-confirms it (``confirmed_*``). Lab-only: it holds no treatment, so it reveals nothing either way."""

    form = "product_preparation"
    weight_kg = models.FloatField()
    prepared_by = models.CharField(max_length=150)
    prepared_at = models.DateTimeField()
    confirmed_by = models.CharField(max_length=150, blank=True, default="")
    confirmed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["participant", "visit_code"], name="one_preparation_per_visit")]

    def validate(self) -> None:
        self.validate_visit(infusion_visits())
        in_range(self.weight_kg, "weight_kg", 25, 300)


FORMS: dict[str, type[ParticipantRecord]] = {
    m.form: m
    for m in (ScreeningRecord, Consent, Demographics, VitalSigns, Infusion, AdverseEvent, MriScan, Relapse,
              EdssAssessment, SafetyLab, ConcomitantMedication)
}
