"""The audit trail: append-only entries, one per changed field, chained by SHA-256 hashes."""

from __future__ import annotations

from typing import Any

from django.db import models


class AuditEntry(models.Model):
    """One field of one record changed: who, role, when (UTC), table, record, field, old, new, reason.

    ``prev_hash`` is the previous entry's ``entry_hash``; ``entry_hash`` covers every other column, so editing or
    deleting any entry breaks the chain at that point.
    """

    seq = models.BigIntegerField(unique=True)
    at = models.DateTimeField()
    user_id = models.BigIntegerField(null=True)
    username = models.CharField(max_length=150)
    role = models.CharField(max_length=40)
    table = models.CharField(max_length=80)
    record_id = models.CharField(max_length=64)
    action = models.CharField(max_length=10)  # create, update, delete
    field = models.CharField(max_length=80)
    old = models.TextField(null=True)
    new = models.TextField(null=True)
    reason = models.TextField(blank=True, default="")
    prev_hash = models.CharField(max_length=64)
    entry_hash = models.CharField(max_length=64)

    class Meta:
        ordering = ["seq"]
        indexes = [models.Index(fields=["table", "record_id"]),
                   # the audit page's searches (mescams.edc.web.audit_search): by user, by date, by form and field
                   models.Index(fields=["username", "seq"], name="audit_user_seq"),
                   models.Index(fields=["at"], name="audit_at"),
                   models.Index(fields=["table", "field", "seq"], name="audit_table_field_seq")]

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise PermissionError("audit entries are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        raise PermissionError("audit entries are append-only")


class AuditHead(models.Model):
    """The single row holding the chain's last sequence number and hash; writers lock it to append in order."""

    last_seq = models.BigIntegerField(default=0)
    last_hash = models.CharField(max_length=64, default="0" * 64)
