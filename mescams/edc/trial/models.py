"""Sites, participants (with their lifecycle state), emergency unblindings and protocol deviations."""

from __future__ import annotations

import datetime as dt

from django.db import models
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from mescams.core.lifecycle import INITIAL_STATE, ParticipantState
from mescams.edc.audit.audited import AuditedModel
from mescams.edc.field_rules import not_future, rule
from mescams.edc.trial.locks import lock_reason

STATE_CHOICES = [(s.value, s.value.replace("_", " ")) for s in ParticipantState]


def _utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class Site(models.Model):
    """A trial site (from the protocol); not trial data, so not audited."""

    code = models.CharField(max_length=5, unique=True)
    name = models.CharField(max_length=200)

    def __str__(self) -> str:
        return self.code


class Participant(AuditedModel):
    """One person who gave informed consent (their consent registers them). ``screening_date`` is the screening
    visit (the consent date until the screening record is entered: screening starts with consent);
    ``week0_date`` is randomisation day, planned as the first infusion (study day 1)."""

    participant_id = models.CharField(max_length=16, unique=True)
    site = models.ForeignKey(Site, on_delete=models.PROTECT, related_name="participants")
    status = models.CharField(max_length=20, choices=STATE_CHOICES, default=INITIAL_STATE.value)
    screening_date = models.DateField()
    failed_criteria = models.JSONField(default=list, blank=True)
    week0_date = models.DateField(null=True, blank=True)
    withdrawal_reason = models.TextField(blank=True, default="")
    withdrawal_date = models.DateField(null=True, blank=True)
    emergency_unblinded = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=_utcnow)

    class Meta:
        ordering = ["participant_id"]

    def __str__(self) -> str:
        return self.participant_id

    def locked_reason(self) -> str | None:
        return lock_reason(self.pk)


class EmergencyUnblinding(AuditedModel):
    """An investigator's emergency unblinding of one participant: who, when, why (revealed to them only)."""

    participant = models.ForeignKey(Participant, on_delete=models.PROTECT, related_name="unblindings")
    requested_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    reason = models.TextField()
    at = models.DateTimeField(default=_utcnow)


class ProtocolDeviation(AuditedModel):
    """A deviation found by the system (e.g. a visit outside its window) or recorded by a user."""

    participant = models.ForeignKey(Participant, on_delete=models.PROTECT, related_name="deviations")
    kind = models.CharField(max_length=40)
    visit_code = models.CharField(max_length=8, blank=True, default="")
    form = models.CharField(max_length=40, blank=True, default="")
    record_id = models.CharField(max_length=32, blank=True, default="")
    actual_date = models.DateField(null=True, blank=True)
    description = models.TextField()
    at = models.DateTimeField(default=_utcnow)

    class Meta:
        ordering = ["participant_id", "at", "id"]


AGE_BANDS = ("under 18", "18-29", "30-39", "40-50", "over 50")
"""Coarse age bands: what a site may log about a person before consent (never a date of birth)."""


def age_band(age_years: int) -> str:
    """The band of a whole age in years."""
    if age_years < 18:
        return "under 18"
    if age_years > 50:
        return "over 50"
    return next(b for b in AGE_BANDS[1:-1] if int(b.split("-")[0]) <= age_years <= int(b.split("-")[1]))


PRESCREEN_COURSES = ("RRMS", "SPMS", "PPMS", "CIS", "other", "unknown")
NOT_SCREENED_REASONS = {
    "not_meeting_criteria": _("not meeting the eligibility criteria on pre-screening"),
    "declined": _("declined to participate"),
    "other": _("other reasons"),
}
"""CONSORT's reasons for exclusion before consent."""


class PreScreening(AuditedModel):
    """One person considered for the trial before any consent: only what a site may keep without consent (a
    site-local number, an age band, the MS course, and why the person was not screened), which is enough for
    CONSORT's "assessed for eligibility". Consenting links the entry to the participant it became."""

    site = models.ForeignKey(Site, on_delete=models.PROTECT, related_name="prescreenings")
    local_number = models.CharField(max_length=20)
    logged_on = models.DateField()
    age_band = models.CharField(max_length=10, choices=[(b, b) for b in AGE_BANDS])
    ms_course = models.CharField(max_length=8, choices=[(c, c) for c in PRESCREEN_COURSES])
    reason_not_screened = models.CharField(max_length=30, blank=True, default="",
                                           choices=[("", "")] + list(NOT_SCREENED_REASONS.items()))
    participant = models.OneToOneField(Participant, on_delete=models.PROTECT, null=True, blank=True,
                                       related_name="prescreening")
    created_at = models.DateTimeField(default=_utcnow)

    class Meta:
        ordering = ["site_id", "logged_on", "id"]
        constraints = [models.UniqueConstraint(fields=["site", "local_number"],
                                               name="one_prescreening_per_site_local_number")]

    def __str__(self) -> str:
        return f"{self.site_id}:{self.local_number}"

    @property
    def outcome(self) -> str:
        """``consented`` (now a participant), ``not_screened`` (with a reason) or ``pending``."""
        if self.participant_id is not None:
            return "consented"
        return "not_screened" if self.reason_not_screened else "pending"

    def validate(self) -> None:
        rule(bool(self.local_number.strip()), "local_number", gettext("is required (the site's own number, no name)"))
        not_future(self.logged_on, "logged_on")
        rule(self.age_band in AGE_BANDS, "age_band", gettext("must be one of %(age_bands)s") % {
            "age_bands": ', '.join(AGE_BANDS)})
        rule(self.ms_course in PRESCREEN_COURSES, "ms_course", gettext("must be one of %(prescreen_courses)s") % {
            "prescreen_courses": ', '.join(PRESCREEN_COURSES)})
        rule(self.reason_not_screened in ("", *NOT_SCREENED_REASONS), "reason_not_screened",
             gettext("must be one of %(not_screened_reasons)s") % {
                 "not_screened_reasons": ', '.join(NOT_SCREENED_REASONS)})
        rule(not (self.reason_not_screened and self.participant_id), "reason_not_screened",
             gettext("a person who consented was screened"))


class UnblindingAttempt(AuditedModel):
    """Every request for emergency unblinding, granted or refused, kept even when the request itself fails.

    Why apart from :class:`EmergencyUnblinding`: a refused request rolls its own transaction back, yet an inspector
    must still see that someone asked (who, role, when, why, and why it was refused). It records no allocation, so
    any role allowed to read the audit trail may read it.
    """

    OUTCOMES = ("granted", "refused")
    participant_ref = models.CharField(max_length=40)  # as requested (it may name no participant, or one unseen)
    participant = models.ForeignKey(Participant, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="unblinding_attempts")
    username = models.CharField(max_length=150)
    role = models.CharField(max_length=40)
    reason = models.TextField(blank=True, default="")
    outcome = models.CharField(max_length=10)
    refusal = models.TextField(blank=True, default="")
    at = models.DateTimeField(default=_utcnow)

    class Meta:
        ordering = ["at", "id"]
