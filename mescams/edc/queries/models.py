"""Data management: queries on data, investigator signatures per casebook, data locks."""

from __future__ import annotations

import datetime as dt

from django.db import models

from mescams.edc.audit.audited import AuditedModel


def _utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class Query(AuditedModel):
    """A question about one value: opened by a data manager or an edit check, answered by the site, closed."""

    STATES = ("open", "answered", "closed")
    participant = models.ForeignKey("trial.Participant", on_delete=models.PROTECT, related_name="queries")
    form = models.CharField(max_length=40)
    record_id = models.CharField(max_length=32, blank=True, default="")
    field = models.CharField(max_length=60, blank=True, default="")
    edit_check = models.CharField(max_length=40, blank=True, default="")
    text = models.TextField()
    status = models.CharField(max_length=10, default="open")
    opened_by = models.CharField(max_length=150)
    opened_at = models.DateTimeField(default=_utcnow)
    answer = models.TextField(blank=True, default="")
    answered_by = models.CharField(max_length=150, blank=True, default="")
    answered_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.CharField(max_length=150, blank=True, default="")
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["participant_id", "opened_at", "id"]


class Signature(AuditedModel):
    """An investigator's e-signature of a participant's casebook, with the meaning of the signature."""

    participant = models.ForeignKey("trial.Participant", on_delete=models.PROTECT, related_name="signatures")
    signed_by = models.CharField(max_length=150)
    meaning = models.TextField()
    signed_at = models.DateTimeField(default=_utcnow)
    audit_seq = models.BigIntegerField(default=0)  # the audit chain head when signed: what the signature covers


class DataLock(AuditedModel):
    """A lock of one participant's data (``participant`` set) or of the whole trial (``participant`` empty)."""

    participant = models.ForeignKey("trial.Participant", null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="locks")
    locked_by = models.CharField(max_length=150)
    locked_at = models.DateTimeField(default=_utcnow)
    unlocked_by = models.CharField(max_length=150, blank=True, default="")
    unlocked_at = models.DateTimeField(null=True, blank=True)
    unlock_reason = models.TextField(blank=True, default="")
