"""Sites, participants (with their lifecycle state), emergency unblindings and protocol deviations."""

from __future__ import annotations

import datetime as dt

from django.db import models

from mescams.core.lifecycle import ParticipantState
from mescams.edc.audit.audited import AuditedModel

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
    """One screened person. ``week0_date`` is randomisation day, planned as the first infusion (study day 1)."""

    participant_id = models.CharField(max_length=16, unique=True)
    site = models.ForeignKey(Site, on_delete=models.PROTECT, related_name="participants")
    status = models.CharField(max_length=20, choices=STATE_CHOICES, default=ParticipantState.SCREENED.value)
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
        from mescams.edc.queries.locks import lock_reason

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
