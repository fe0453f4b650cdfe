"""The trial protocol as a typed, self-validating model.

The protocol file (``mescams/protocols/mescams.yaml``) is parsed into :class:`Protocol`; every cross-field rule
(sequences are permutations of the treatments, visit weeks increase, criteria IDs are complete, ...) is checked
when the object is built, so a bad amendment fails at start-up rather than in the middle of a trial. Errors are
raised as :class:`mescams.errors.ProtocolError` naming the path of each bad field, e.g.
``design.sequences[1].treatments: ...``.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from typing import Annotated, Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from mescams.core.consent_forms import InformedConsent
from mescams.core.product_label import ProductLabelling
from mescams.core.safety.reference_safety import ReferenceSafetyInformation
from mescams.core.submission import SubmissionFacts
from mescams.core.symptom_report import ParticipantPortal
from mescams.errors import ProtocolError

__all__ = [
    "Criterion",
    "Eligibility",
    "FormSpec",
    "InformedConsent",
    "Outcome",
    "Period",
    "Product",
    "Protocol",
    "Sequence",
    "Site",
    "Visit",
    "parse_protocol",
    "parse_protocol_yaml",
]

MASKING_ROLES = ("participant", "care_provider", "investigator", "outcomes_assessor")
MASKING_NAMES = {0: "None (Open Label)", 1: "Single", 2: "Double", 3: "Triple", 4: "Quadruple"}


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Site(_Model):
    code: str = Field(pattern=r"^[A-Z]{2,5}$")
    name: str
    city: str
    region: str
    country: str
    postal_code: str
    timezone: str | None = None
    """IANA time zone of the site (``America/Toronto``): signatures and site-facing times are shown in it too."""

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str | None) -> str | None:
        if value is not None:
            try:
                zoneinfo.ZoneInfo(value)
            except (zoneinfo.ZoneInfoNotFoundError, ValueError):
                raise ValueError(f"unknown IANA time zone {value!r} (e.g. America/Toronto)") from None
        return value


class Person(_Model):
    name: str
    affiliation: str


class KeyDates(_Model):
    first_posted: dt.date
    last_update_posted: dt.date
    last_verified: str = Field(pattern=r"^\d{4}-\d{2}$")
    study_start: str = Field(pattern=r"^\d{4}-\d{2}$")
    primary_completion: str = Field(pattern=r"^\d{4}-\d{2}$")
    study_completion: str = Field(pattern=r"^\d{4}-\d{2}$")


class Identification(_Model):
    nct_id: str = Field(pattern=r"^NCT\d{8}$")
    other_ids: list[str]
    acronym: str
    brief_title: str
    official_title: str
    sponsor: str
    responsible_party: str
    principal_investigator: Person
    conditions: list[str] = Field(min_length=1)
    keywords: list[str]
    phase: Literal["EARLY_PHASE1", "PHASE1", "PHASE2", "PHASE3", "PHASE4", "NA"]
    recruitment_status: str
    dates: KeyDates
    ipd_sharing: Literal["Yes", "No", "Undecided"]
    actual_enrolment: int | None = Field(default=None, ge=0)
    sites: list[Site] = Field(min_length=1)

    @model_validator(mode="after")
    def _unique_site_codes(self) -> Identification:
        codes = [s.code for s in self.sites]
        if len(set(codes)) != len(codes):
            raise ValueError(f"site codes must be unique, got {codes}")
        return self


class Population(_Model):
    min_age_years: int = Field(ge=0)
    max_age_years: int = Field(ge=0)
    sexes: Literal["All", "Female", "Male"]
    healthy_volunteers: bool

    @model_validator(mode="after")
    def _ordered(self) -> Population:
        if self.min_age_years > self.max_age_years:
            raise ValueError("min_age_years must not exceed max_age_years")
        return self


class Sequence(_Model):
    code: str
    label: str
    treatments: list[str] = Field(min_length=1)


class Period(_Model):
    number: int = Field(ge=1)
    name: str
    start_week: int = Field(ge=0)
    end_week: int = Field(ge=0)
    infusion_week: int = Field(ge=0)
    assessment_weeks: list[int] = Field(min_length=1)

    @model_validator(mode="after")
    def _weeks_inside(self) -> Period:
        if not self.start_week < self.end_week:
            raise ValueError("start_week must be before end_week")
        if not self.start_week <= self.infusion_week < self.end_week:
            raise ValueError("infusion_week must fall inside the period")
        outside = [w for w in self.assessment_weeks if not self.start_week < w <= self.end_week]
        if outside:
            raise ValueError(f"assessment_weeks {outside} fall outside weeks {self.start_week}-{self.end_week}")
        return self


class Epoch(_Model):
    code: str
    name: str


class Arm(_Model):
    label: str
    description: str
    intervention: str


class Design(_Model):
    study_type: Literal["Interventional", "Observational"]
    allocation: Literal["Randomized", "Non-Randomized", "N/A"]
    intervention_model: str
    primary_purpose: str
    masking: list[Literal["participant", "care_provider", "investigator", "outcomes_assessor"]]
    target_enrolment: int = Field(ge=1)
    allocation_ratio: dict[str, int]
    population: Population
    treatments: dict[str, str] = Field(min_length=1)
    sequences: list[Sequence] = Field(min_length=1)
    periods: list[Period] = Field(min_length=1)
    epochs: list[Epoch] = Field(min_length=1)
    arms: list[Arm] = Field(min_length=1)

    @property
    def masking_label(self) -> str:
        """The ClinicalTrials.gov masking word: four masked roles is 'Quadruple'."""
        return MASKING_NAMES[len(set(self.masking))]

    @property
    def is_crossover(self) -> bool:
        return len(self.periods) > 1 and len(self.sequences) > 1

    @model_validator(mode="after")
    def _consistent(self) -> Design:
        codes = [s.code for s in self.sequences]
        if len(set(codes)) != len(codes):
            raise ValueError(f"sequence codes must be unique, got {codes}")
        if set(self.allocation_ratio) != set(codes):
            raise ValueError(f"allocation_ratio keys {sorted(self.allocation_ratio)} must equal the sequences {codes}")
        if any(v < 1 for v in self.allocation_ratio.values()):
            raise ValueError("allocation_ratio values must be positive integers")
        numbers = [p.number for p in self.periods]
        if numbers != list(range(1, len(numbers) + 1)):
            raise ValueError(f"periods must be numbered 1..n in order, got {numbers}")
        for a, b in zip(self.periods, self.periods[1:], strict=False):
            if a.end_week != b.start_week:
                raise ValueError(f"period {b.number} must start where period {a.number} ends (week {a.end_week})")
        for i, seq in enumerate(self.sequences):
            if len(seq.treatments) != len(self.periods):
                raise ValueError(
                    f"sequences[{i}].treatments has {len(seq.treatments)} entries for {len(self.periods)} periods"
                )
            unknown = [t for t in seq.treatments if t not in self.treatments]
            if unknown:
                raise ValueError(f"sequences[{i}].treatments names unknown treatments {unknown}")
        if len(set(self.masking)) != len(self.masking):
            raise ValueError("masking roles must not repeat")
        return self


class Dose(_Model):
    min_cells_per_kg: float = Field(gt=0)
    max_cells_per_kg: float = Field(gt=0)
    target_cells_per_kg: float = Field(gt=0)
    weight_basis: str
    # Safety limits the lab checks before release (operational, stated in the protocol file).
    plausible_weight_kg: tuple[float, float] = (30.0, 250.0)
    max_dmso_g_per_kg: float = Field(default=1.0, gt=0)

    @model_validator(mode="after")
    def _ordered(self) -> Dose:
        if not self.min_cells_per_kg <= self.target_cells_per_kg <= self.max_cells_per_kg:
            raise ValueError("dose must satisfy min_cells_per_kg <= target_cells_per_kg <= max_cells_per_kg")
        low, high = self.plausible_weight_kg
        if not 0 < low < high:
            raise ValueError("plausible_weight_kg must be two increasing positive weights")
        return self


class Vehicle(_Model):
    base: str
    human_albumin_percent: float = Field(ge=0, le=100)
    dmso_percent: float = Field(gt=0, le=100)
    dmso_volume_ml: float = Field(gt=0)

    @property
    def final_volume_ml(self) -> float:
        """Final product volume implied by the DMSO volume and its concentration (5 mL at 10 % -> 50 mL)."""
        return self.dmso_volume_ml * 100.0 / self.dmso_percent


class Product(_Model):
    code: str
    name: str
    intervention_type: str
    route: str
    description: str
    dose: Dose | None = None
    matches: str | None = None
    vehicle: Vehicle


class FormSpec(_Model):
    """One eCRF and how many instances of it a participant may have.

    A *single* form is entered once per value of ``unique_by`` (the participant always, plus the listed fields:
    ``[visit_code]`` for once per visit, ``[]`` for once per participant, ``[visit_code, test]`` for one row per
    test at each visit); the database holds a unique constraint on exactly those columns. A *log* (adverse
    events, medications, relapses) holds as many entries as happen.
    """

    code: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    name: str = Field(min_length=1)
    instances: Literal["single", "log"]
    unique_by: list[str] | None = None

    @model_validator(mode="after")
    def _key(self) -> FormSpec:
        if self.instances == "single" and self.unique_by is None:
            raise ValueError("a single form needs unique_by (the fields besides the participant that identify it)")
        if self.instances == "log" and self.unique_by is not None:
            raise ValueError("a log form has no unique_by: it holds as many entries as happen")
        if self.unique_by is not None and len(set(self.unique_by)) != len(self.unique_by):
            raise ValueError(f"unique_by must not repeat a field, got {self.unique_by}")
        if self.unique_by is not None and "participant" in self.unique_by:
            raise ValueError("unique_by lists the fields besides the participant, which is always part of it")
        return self

    @property
    def is_single(self) -> bool:
        return self.instances == "single"


class Visit(_Model):
    code: str
    name: str
    names: dict[str, str] = Field(default_factory=dict)
    """The visit's name in the EDC's other languages, by language code (``fr-ca``); ``name`` is the English."""
    week: int | None = Field(default=None, ge=0)
    epoch: str
    period: int | None = None
    window_before_days: int
    window_after_days: int
    activities: list[str] = Field(min_length=1)
    forms: list[str] = Field(default_factory=list)
    """The eCRFs expected at this visit (codes of the protocol's ``forms``); logs are reviewed here."""

    @model_validator(mode="after")
    def _window(self) -> Visit:
        if self.week is not None and (self.window_before_days < 0 or self.window_after_days < 0):
            raise ValueError("window_before_days and window_after_days must be >= 0 for a scheduled week")
        if self.week is None and self.window_before_days < 1:
            raise ValueError("a pre-treatment visit needs window_before_days >= 1")
        return self


class Outcome(_Model):
    id: str = Field(pattern=r"^O\d+$")
    type: Literal["primary", "secondary", "other"]
    title: str
    time_frame: str
    time_frame_weeks: int = Field(gt=0)
    description: str


class DisabilityProgression(_Model):
    min_increase_low_baseline: float = Field(gt=0)
    min_increase_high_baseline: float = Field(gt=0)
    high_baseline_from: float = Field(ge=0, le=10)
    confirmation_weeks: int = Field(gt=0)


class RelapseDefinition(_Model):
    min_duration_hours: int = Field(gt=0)
    min_days_since_previous_onset: int = Field(ge=0)
    exclude_fever_or_infection: bool


class Criterion(_Model):
    id: str = Field(pattern=r"^[IE]\d+$")
    text: str = Field(min_length=1)
    params: dict[str, Any]


class Eligibility(_Model):
    edss_at_randomisation_lookback_days: int = Field(gt=0)
    inclusion: list[Criterion] = Field(min_length=1)
    exclusion: list[Criterion] = Field(min_length=1)

    @property
    def criteria(self) -> list[Criterion]:
        """All criteria in the contract's order: inclusions, then exclusions."""
        return [*self.inclusion, *self.exclusion]

    def criterion(self, criterion_id: str) -> Criterion:
        for c in self.criteria:
            if c.id == criterion_id:
                return c
        raise KeyError(criterion_id)

    @model_validator(mode="after")
    def _ids(self) -> Eligibility:
        for kind, items, prefix in (("inclusion", self.inclusion, "I"), ("exclusion", self.exclusion, "E")):
            ids = [c.id for c in items]
            expected = [f"{prefix}{n}" for n in range(1, len(items) + 1)]
            if ids != expected:
                raise ValueError(f"{kind} criteria must be numbered {expected[0]}..{expected[-1]} in order, got {ids}")
        return self


SourcePath = Annotated[str, Field(pattern=r"^[a-z_]+(\.[a-z_]+)+$")]
"""A form and a field path in it, dotted: ``demographics.sex``, ``screening.ms.course``."""


class Protocol(_Model):
    """The whole trial protocol; built only through :func:`parse_protocol` so errors name their path."""

    schema_version: Literal[1]
    identification: Identification
    design: Design
    products: list[Product] = Field(min_length=1)
    visits: list[Visit] = Field(min_length=1)
    outcomes: list[Outcome] = Field(min_length=1)
    disability_progression: DisabilityProgression
    relapse_definition: RelapseDefinition
    drug_classes: dict[str, list[str]]
    eligibility: Eligibility
    forms: list[FormSpec] = Field(default_factory=list)
    participant_portal: ParticipantPortal = Field(default_factory=ParticipantPortal)
    """The participant portal (off unless turned on): invitations, symptom reports, the AE diary."""
    product_labelling: ProductLabelling | None = None
    """The wording of the investigational products' bilingual labels (C.05.011); None: no labels printed."""
    informed_consent: InformedConsent | None = None
    """The approved ICF versions; the EDC records consent only on one of them (a protocol used for analysis alone
    may leave them out)."""
    data_sources: dict[str, list[SourcePath]] = Field(default_factory=dict)
    """Where a participant characteristic is read, in order (``form.field``, ``screening.ms.course``): the first
    source holding a value wins, so a missing form falls back to the declared next source."""
    reference_safety_information: ReferenceSafetyInformation | None = None
    """The expected adverse reactions of the active product, versioned (expectedness, the SUSAR rule)."""
    submission: SubmissionFacts | None = None
    """What a regulatory submission states beyond the design: objectives, stopping rule, diagnosis group (TS)."""

    # -- lookups -------------------------------------------------------------------------------------------
    def product(self, code: str) -> Product:
        for p in self.products:
            if p.code == code:
                return p
        raise KeyError(code)

    @property
    def active_products(self) -> list[str]:
        """Codes of the products that are not a placebo (a placebo ``matches`` the product it imitates)."""
        return [p.code for p in self.products if p.matches is None]

    def visit(self, code: str) -> Visit:
        for v in self.visits:
            if v.code == code:
                return v
        raise KeyError(code)

    def form(self, code: str) -> FormSpec:
        for f in self.forms:
            if f.code == code:
                return f
        raise KeyError(code)

    def visit_at_week(self, week: int) -> Visit:
        for v in self.visits:
            if v.week == week:
                return v
        raise KeyError(week)

    def sequence(self, code: str) -> Sequence:
        for s in self.design.sequences:
            if s.code == code:
                return s
        raise KeyError(code)

    @property
    def scheduled_visits(self) -> list[Visit]:
        """Visits with a planned week (week 0 onwards), in week order."""
        return [v for v in self.visits if v.week is not None]

    @property
    def site_codes(self) -> list[str]:
        return [s.code for s in self.identification.sites]

    def treatment_in_period(self, sequence_code: str, period: int) -> str:
        return self.sequence(sequence_code).treatments[period - 1]

    def period_of_week(self, week: int) -> int | None:
        """The period whose assessments include ``week``; None for baseline (week 0)."""
        for p in self.design.periods:
            if week in p.assessment_weeks:
                return p.number
        return None

    # -- whole-document rules ------------------------------------------------------------------------------
    def _check_forms(self) -> None:
        """Form codes are unique and every visit names declared forms, each once."""
        form_codes = [f.code for f in self.forms]
        if len(set(form_codes)) != len(form_codes):
            raise ValueError(f"form codes must be unique, got {form_codes}")
        for i, v in enumerate(self.visits):
            unknown = [f for f in v.forms if f not in form_codes]
            if unknown:
                raise ValueError(f"visits[{i}].forms names unknown forms {unknown} (declared: {', '.join(form_codes)})")
            if len(set(v.forms)) != len(v.forms):
                raise ValueError(f"visits[{i}].forms must not repeat a form, got {v.forms}")

    @model_validator(mode="after")
    def _cross_references(self) -> Protocol:
        codes = [p.code for p in self.products]
        if set(codes) != set(self.design.treatments):
            raise ValueError(f"products {codes} must be exactly the design's treatments {list(self.design.treatments)}")
        for p in self.products:
            if p.matches is not None and p.matches not in codes:
                raise ValueError(f"product {p.code} matches unknown product {p.matches}")
        visit_codes = [v.code for v in self.visits]
        if len(set(visit_codes)) != len(visit_codes):
            raise ValueError(f"visit codes must be unique, got {visit_codes}")
        weeks = [v.week for v in self.scheduled_visits if v.week is not None]
        if weeks != sorted(set(weeks)):
            raise ValueError(f"visit weeks must be unique and increasing, got {weeks}")
        epochs = {e.code for e in self.design.epochs}
        for v in self.visits:
            if v.epoch not in epochs:
                raise ValueError(f"visit {v.code} names unknown epoch {v.epoch}")
        self._check_forms()
        for period in self.design.periods:
            for w in [period.infusion_week, *period.assessment_weeks]:
                if w not in weeks:
                    raise ValueError(f"period {period.number} needs a visit at week {w}, which the schedule lacks")
            if "infusion" not in self.visit_at_week(period.infusion_week).activities:
                raise ValueError(f"the week-{period.infusion_week} visit must include an infusion")
        rsi = self.reference_safety_information
        if rsi is not None and rsi.product not in self.active_products:
            raise ValueError(f"reference_safety_information.product {rsi.product!r} must name an active product "
                             f"({', '.join(self.active_products)})")
        ids = [o.id for o in self.outcomes]
        if len(set(ids)) != len(ids):
            raise ValueError(f"outcome ids must be unique, got {ids}")
        for c in self.eligibility.criteria:
            for key in ("drug_class", "substance_class", "washout_methods"):
                name = c.params.get(key)
                if name is not None and name not in self.drug_classes:
                    raise ValueError(f"criterion {c.id} names unknown drug class {name!r}")
        return self


def _format_location(loc: tuple[int | str, ...]) -> str:
    path = ""
    for part in loc:
        if isinstance(part, int):
            path += f"[{part}]"
        else:
            path += f".{part}" if path else str(part)
    return path or "(document)"


def parse_protocol(data: object) -> Protocol:
    """Validate a parsed protocol document; raise :class:`ProtocolError` naming every bad field's path."""
    if not isinstance(data, dict):
        raise ProtocolError([f"(document): expected a mapping at the top level, got {type(data).__name__}"])
    try:
        return Protocol.model_validate(data)
    except ValidationError as exc:
        problems = [f"{_format_location(err['loc'])}: {err['msg']}" for err in exc.errors()]
        raise ProtocolError(problems) from None


def parse_protocol_yaml(text: str) -> Protocol:
    """Parse YAML text into a :class:`Protocol`; YAML syntax errors name the line."""
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark is not None else "(document)"
        raise ProtocolError([f"{where}: not valid YAML ({getattr(exc, 'problem', exc)})"]) from None
    return parse_protocol(data)
