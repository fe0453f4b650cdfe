"""Medical coding: the loaded dictionary releases (versions coexist), and each coded term's decision.

Dictionary contents are reference data, bulk-loaded from the sponsor's licensed files and never edited, so they
are plain tables; their release row (who loaded which version, when, from where, which release is in use) is
audited. A coding decision is trial data about an adverse event, a medication, a medical history condition or a
prior therapy, and is audited like any eCRF change (who, when, old, new, reason). The decision keeps the codes and
names it chose, so an export reads it without the dictionary and a version upgrade shows what changed. The coded
forms themselves are not touched: a decision names its record by form and primary key, and, for an entry of a
list inside a record (the screening record's conditions and therapies), by the entry's key (:mod:`.items`).
"""

from __future__ import annotations

import datetime as dt

from django.db import models

from mescams.edc.audit.audited import AuditedModel
from mescams.edc.trial.locks import lock_reason

__all__ = ["CodedTerm", "DictionaryRelease", "MeddraLlt", "MeddraPath", "MeddraTerm", "Synonym", "WhodrugAtc",
           "WhodrugName"]

MEDDRA, WHODRUG = "meddra", "whodrug"
DICTIONARIES = ((MEDDRA, "MedDRA"), (WHODRUG, "WHODrug"))
DICTIONARY_OF_FORM = {"adverse_event": MEDDRA, "conmed": WHODRUG, "medical_history": MEDDRA,
                      "prior_therapy": WHODRUG}
"""What is coded, by the name the coder's queue shows: an AE term, a medication, and the screening record's medical
history (its conditions and the primary diagnosis) and prior therapies."""
VERBATIM_FIELD = {"adverse_event": "term", "conmed": "drug", "medical_history": "record.conditions",
                  "prior_therapy": "record.therapies"}
"""The field of the record a site query about the verbatim is raised on."""
RECORD_FORM = {"adverse_event": "adverse_event", "conmed": "conmed", "medical_history": "screening",
               "prior_therapy": "screening"}
"""The eCRF whose record ``record_pk`` names: the history and prior therapies are entries of the screening record."""
STATUSES = ("coded", "uncoded", "ambiguous", "queried", "review")
"""coded; uncoded (no match: the coder's queue); ambiguous (several matches: the coder chooses); queried (the
coder asked the site); review (coded to an LLT no longer current after a version upgrade)."""


def _utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class DictionaryRelease(AuditedModel):
    """One loaded release of MedDRA or WHODrug. ``active`` is the release new coding uses (one per dictionary)."""

    dictionary = models.CharField(max_length=8, choices=DICTIONARIES)
    version = models.CharField(max_length=120)
    language = models.CharField(max_length=40, blank=True, default="")
    source = models.CharField(max_length=500, blank=True, default="")
    synthetic = models.BooleanField(default=False)
    active = models.BooleanField(default=False)
    loaded_by = models.CharField(max_length=150)
    loaded_at = models.DateTimeField(default=_utcnow)

    class Meta:
        ordering = ["dictionary", "loaded_at", "id"]
        constraints = [models.UniqueConstraint(fields=["dictionary", "version"], name="coding_one_release_version")]

    @property
    def label(self) -> str:
        """As exports name it: ``MedDRA 27.0``."""
        return f"{dict(DICTIONARIES)[self.dictionary]} {self.version}"


class MeddraTerm(models.Model):
    """A SOC, HLGT, HLT or PT of one release."""

    release = models.ForeignKey(DictionaryRelease, on_delete=models.CASCADE, related_name="+")
    level = models.CharField(max_length=4)  # soc, hlgt, hlt, pt
    code = models.PositiveIntegerField()
    name = models.CharField(max_length=100)
    key = models.CharField(max_length=100, db_index=True)  # normalised name, for search
    abbrev = models.CharField(max_length=10, blank=True, default="")
    primary_soc_code = models.PositiveIntegerField(null=True, blank=True)  # PTs only

    class Meta:
        constraints = [models.UniqueConstraint(fields=["release", "level", "code"], name="coding_meddra_term_unique")]


class MeddraLlt(models.Model):
    release = models.ForeignKey(DictionaryRelease, on_delete=models.CASCADE, related_name="+")
    code = models.PositiveIntegerField()
    name = models.CharField(max_length=100)
    key = models.CharField(max_length=100, db_index=True)
    pt_code = models.PositiveIntegerField()
    current = models.BooleanField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["release", "code"], name="coding_meddra_llt_unique")]


class MeddraPath(models.Model):
    """One PT -> HLT -> HLGT -> SOC path of a release (mdhier.asc); ``primary`` marks the PT's primary SOC."""

    release = models.ForeignKey(DictionaryRelease, on_delete=models.CASCADE, related_name="+")
    pt_code = models.PositiveIntegerField(db_index=True)
    hlt_code = models.PositiveIntegerField()
    hlgt_code = models.PositiveIntegerField()
    soc_code = models.PositiveIntegerField()
    primary = models.BooleanField()


class WhodrugName(models.Model):
    """A drug name of a WHODrug release with its preferred name and ATC classes (B3: DD.txt and DDA.txt)."""

    release = models.ForeignKey(DictionaryRelease, on_delete=models.CASCADE, related_name="+")
    drug_code = models.CharField(max_length=11)
    name = models.CharField(max_length=1500)
    key = models.CharField(max_length=1500, db_index=True)
    designation = models.CharField(max_length=1)
    preferred_code = models.CharField(max_length=11)
    preferred_name = models.CharField(max_length=1500)
    atc_codes = models.JSONField(default=list)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["release", "drug_code"], name="coding_whodrug_name_unique")]


class WhodrugAtc(models.Model):
    release = models.ForeignKey(DictionaryRelease, on_delete=models.CASCADE, related_name="+")
    code = models.CharField(max_length=7)
    level = models.PositiveSmallIntegerField()
    text = models.CharField(max_length=110)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["release", "code"], name="coding_whodrug_atc_unique")]


class Synonym(AuditedModel):
    """The trial's synonym list: a verbatim (by its normalised key) the coder decided once, coded the same way
    automatically from then on. ``code`` is an LLT code (MedDRA) or a drug code (WHODrug)."""

    dictionary = models.CharField(max_length=8, choices=DICTIONARIES)
    verbatim = models.CharField(max_length=200)
    key = models.CharField(max_length=200)
    code = models.CharField(max_length=11)
    added_by = models.CharField(max_length=150)
    added_at = models.DateTimeField(default=_utcnow)

    class Meta:
        ordering = ["dictionary", "key"]
        constraints = [models.UniqueConstraint(fields=["dictionary", "key"], name="coding_one_synonym_per_key")]


class CodedTerm(AuditedModel):
    """The coding of one AE term or medical history entry (MedDRA) or one medication or prior therapy (WHODrug),
    for the record ``form``/``record_pk`` and, for an entry of a list in that record, the entry's key ``item``
    (:func:`mescams.edc.coding.items.screening_entries`; empty for a record coded whole).

    MedDRA fields hold the LLT chosen and its primary path in the release used; WHODrug fields the drug name
    matched, its preferred name and ATC class. ``verbatim`` is the text coded: when the site changes the
    record's text, the term is coded again.
    """

    participant = models.ForeignKey("trial.Participant", on_delete=models.PROTECT, related_name="+")
    form = models.CharField(max_length=20)
    record_pk = models.PositiveBigIntegerField()
    item = models.CharField(max_length=200, blank=True, default="")
    dictionary = models.CharField(max_length=8, choices=DICTIONARIES)
    verbatim = models.CharField(max_length=200)
    status = models.CharField(max_length=10, default="uncoded")
    method = models.CharField(max_length=12, blank=True, default="")  # exact, normalised, synonym, coder
    release = models.ForeignKey(DictionaryRelease, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    note = models.CharField(max_length=300, blank=True, default="")
    llt_code = models.PositiveIntegerField(null=True, blank=True)
    llt_name = models.CharField(max_length=100, blank=True, default="")
    pt_code = models.PositiveIntegerField(null=True, blank=True)
    pt_name = models.CharField(max_length=100, blank=True, default="")
    hlt_code = models.PositiveIntegerField(null=True, blank=True)
    hlt_name = models.CharField(max_length=100, blank=True, default="")
    hlgt_code = models.PositiveIntegerField(null=True, blank=True)
    hlgt_name = models.CharField(max_length=100, blank=True, default="")
    soc_code = models.PositiveIntegerField(null=True, blank=True)
    soc_name = models.CharField(max_length=100, blank=True, default="")
    drug_code = models.CharField(max_length=11, blank=True, default="")
    drug_name = models.CharField(max_length=1500, blank=True, default="")
    preferred_code = models.CharField(max_length=11, blank=True, default="")
    preferred_name = models.CharField(max_length=1500, blank=True, default="")
    atc_code = models.CharField(max_length=7, blank=True, default="")
    atc_text = models.CharField(max_length=110, blank=True, default="")
    coded_by = models.CharField(max_length=150, blank=True, default="")
    coded_at = models.DateTimeField(null=True, blank=True)
    query = models.ForeignKey("queries.Query", null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["dictionary", "status", "id"]
        constraints = [models.UniqueConstraint(fields=["form", "record_pk", "item", "dictionary"],
                                               name="coding_one_decision_per_entry")]

    MEDDRA_FIELDS = ("llt_code", "llt_name", "pt_code", "pt_name", "hlt_code", "hlt_name", "hlgt_code", "hlgt_name",
                     "soc_code", "soc_name")
    WHODRUG_FIELDS = ("drug_code", "drug_name", "preferred_code", "preferred_name", "atc_code", "atc_text")

    def locked_reason(self) -> str | None:
        return lock_reason(self.participant_id)

    def clear_codes(self) -> None:
        for name in self.MEDDRA_FIELDS + self.WHODRUG_FIELDS:
            setattr(self, name, None if name.endswith("_code") and name in self.MEDDRA_FIELDS else "")
