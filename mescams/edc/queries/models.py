"""Data management: queries on data (each with its thread of messages), casebook e-signatures, data locks."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import models, transaction

from mescams.edc.audit.audited import AuditedModel
from mescams.edc.audit.context import current_actor


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

    def save(self, *args: Any, **kwargs: Any) -> None:
        """Save; a new query's question becomes the first message of its thread (whoever opened it, an edit check
        included), in the same transaction."""
        adding = self._state.adding
        with transaction.atomic():
            super().save(*args, **kwargs)
            if adding:
                QueryMessage(query=self, number=1, kind="question", author=self.opened_by,
                             role=current_actor().role, text=self.text, at=self.opened_at).save()


class QueryMessage(AuditedModel):
    """One message of a query's thread (question, answer, follow-up, closing note), numbered in order; never
    changed afterwards, so the thread is the whole conversation, each message in the audit trail."""

    KINDS = ("question", "answer", "follow_up", "close")
    query = models.ForeignKey(Query, on_delete=models.PROTECT, related_name="messages")
    number = models.PositiveIntegerField()
    kind = models.CharField(max_length=10)
    author = models.CharField(max_length=150)
    role = models.CharField(max_length=40)
    text = models.TextField()
    at = models.DateTimeField(default=_utcnow)

    class Meta:
        ordering = ["query_id", "number"]
        constraints = [models.UniqueConstraint(fields=["query", "number"], name="query_message_number_unique")]


class Signature(AuditedModel):
    """An investigator's e-signature of a participant's casebook (21 CFR Part 11 §11.50, §11.70).

    The manifestation (printed name, date and time in UTC and at the site, meaning) is stored as signed. What was
    incomplete when signing, and the reason for signing anyway, are kept with it. A later audited change of the
    casebook's records sets ``invalidated_by_seq`` (the audit entry of that change): the signature then no longer
    stands, and the casebook needs signing again.
    """

    participant = models.ForeignKey("trial.Participant", on_delete=models.PROTECT, related_name="signatures")
    signed_by = models.CharField(max_length=150)
    printed_name = models.CharField(max_length=300, blank=True, default="")
    meaning = models.TextField()
    signed_at = models.DateTimeField(default=_utcnow)
    site_timezone = models.CharField(max_length=64, blank=True, default="")
    audit_seq = models.BigIntegerField(default=0)  # the audit chain head when signed: what the signature covers
    incomplete = models.JSONField(default=list, blank=True)
    signed_anyway_reason = models.TextField(blank=True, default="")
    invalidated_by_seq = models.BigIntegerField(null=True, blank=True)
    invalidated_at = models.DateTimeField(null=True, blank=True)
    invalidating_change = models.CharField(max_length=200, blank=True, default="")

    replayed = False  # not a field: set when a replayed request returns the signature it made before

    class Meta:
        ordering = ["participant_id", "signed_at", "id"]

    @property
    def stands(self) -> bool:
        return self.invalidated_by_seq is None

    @property
    def state(self) -> str:
        """``valid``, or ``invalidated by change (audit entry N)``: the words every page, answer and export use."""
        if self.stands:
            return "valid"
        return f"invalidated by change (audit entry {self.invalidated_by_seq})"


class DataLock(AuditedModel):
    """A lock of one participant's data (``participant`` set) or of the whole trial (``participant`` empty)."""

    participant = models.ForeignKey("trial.Participant", null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="locks")
    locked_by = models.CharField(max_length=150)
    locked_at = models.DateTimeField(default=_utcnow)
    unlocked_by = models.CharField(max_length=150, blank=True, default="")
    unlocked_at = models.DateTimeField(null=True, blank=True)
    unlock_reason = models.TextField(blank=True, default="")
