"""Source data verification marks and monitoring visits (audited rows: who verified what, when)."""

from __future__ import annotations

import datetime as dt

from django.db import models

from mescams.edc.audit.audited import AuditedModel


def _utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class SourceVerification(AuditedModel):
    """A monitor checked one eCRF record against the source documents.

    ``record_seq`` is the audit sequence number of the record's latest change when it was verified: the mark
    stands while the record's latest change is still that one, and clears (shows "changed since verification")
    as soon as the record changes afterwards. Marks are never edited; verifying again adds a new one."""

    participant = models.ForeignKey("trial.Participant", on_delete=models.PROTECT, related_name="verifications")
    form = models.CharField(max_length=40)
    record_id = models.BigIntegerField()
    record_seq = models.BigIntegerField()
    verified_by = models.CharField(max_length=150)
    verified_at = models.DateTimeField(default=_utcnow)
    note = models.TextField(blank=True, default="")

    class Meta:
        ordering = ["participant_id", "form", "record_id", "verified_at", "id"]
        indexes = [models.Index(fields=["participant", "form", "record_id"])]


class MonitoringVisit(AuditedModel):
    """A monitoring visit to a site: when, by whom, what was found and the follow-up actions; ``summary`` holds the
    figures of the report as they stood when the visit was recorded (forms verified, open queries, deviations)."""

    site = models.ForeignKey("trial.Site", on_delete=models.PROTECT, related_name="monitoring_visits")
    visit_date = models.DateField()
    monitor = models.CharField(max_length=150)
    findings = models.TextField()
    actions = models.TextField(blank=True, default="")
    summary = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=_utcnow)

    class Meta:
        ordering = ["-visit_date", "-id"]
