"""The base of every model holding trial data: saving or deleting writes the audit trail in the same transaction.

Why a base class rather than signals: the write and its audit entries must commit together or not at all, the
reason for change must be enforced before anything is written, and bulk paths that would skip the trail
(``QuerySet.update``, ``bulk_create``) must be impossible. Subclasses add ``validate()`` (field rules, raising
InputValidationError) and ``locked_reason()`` (a lock that forbids the change).
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any, ClassVar

from django.db import models, transaction

from mescams.edc.audit import chain
from mescams.edc.audit.context import current_actor, current_reason
from mescams.errors import DataLocked, InputValidationError

__all__ = ["AuditedModel", "audited_models", "plain_value"]


def plain_value(value: Any) -> str | None:
    """A field value as the JSON text stored in the trail (None stays None)."""
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        value = value.astimezone(dt.UTC).isoformat(timespec="microseconds")
    elif isinstance(value, dt.date | dt.time):
        value = value.isoformat()
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)


class AuditedQuerySet(models.QuerySet):
    """Refuses the bulk paths that would change rows without an audit entry."""

    def update(self, **kwargs: Any) -> int:
        raise PermissionError("audited rows change one at a time through save() so the change is audited")

    def bulk_create(self, *args: Any, **kwargs: Any) -> Any:
        raise PermissionError("audited rows are created one at a time through save()")

    def bulk_update(self, *args: Any, **kwargs: Any) -> Any:
        raise PermissionError("audited rows change one at a time through save()")

    def delete(self) -> Any:
        count = 0
        for obj in self:
            obj.delete()
            count += 1
        return count, {}


class AuditedModel(models.Model):
    """Trial data: every create, update and delete is audited; changes after the first save need a reason."""

    objects = AuditedQuerySet.as_manager()
    audit_exclude: ClassVar[tuple[str, ...]] = ()

    class Meta:
        abstract = True

    # -- hooks for subclasses -----------------------------------------------------------------------------
    def validate(self) -> None:
        """Raise InputValidationError(field, rule) for bad values; called before every save."""

    def locked_reason(self) -> str | None:
        """Why this record may not change now (a data lock), or None."""
        return None

    # -- audited persistence ------------------------------------------------------------------------------
    def audit_values(self) -> dict[str, str | None]:
        return {
            f.attname: plain_value(f.to_python(getattr(self, f.attname)))
            for f in self._meta.concrete_fields
            if f.attname not in self.audit_exclude and not f.primary_key
        }

    @classmethod
    def audit_values_of_row(cls, row: dict[str, Any]) -> dict[str, str | None]:
        return {
            f.attname: plain_value(f.to_python(row[f.attname]))
            for f in cls._meta.concrete_fields
            if f.attname not in cls.audit_exclude and not f.primary_key
        }

    def save(self, *args: Any, **kwargs: Any) -> None:
        actor, reason = current_actor(), current_reason()
        self.validate()
        with transaction.atomic():
            old: dict[str, str | None] | None = None
            if not self._state.adding and self.pk is not None:
                row = type(self)._base_manager.filter(pk=self.pk).values().first()
                old = self.audit_values_of_row(row) if row else None
            locked = self.locked_reason()
            if locked:
                raise DataLocked(locked)
            new = self.audit_values()
            if old is not None:
                changes = [(k, old.get(k), v) for k, v in new.items() if old.get(k) != v]
                if not changes:
                    return
                if not reason:
                    raise InputValidationError("reason", "a reason for change is required after the first save")
            super().save(*args, **kwargs)
            if old is None:
                chain.append(actor=actor, table=self._meta.db_table, record_id=str(self.pk), action="create",
                             changes=[(k, None, v) for k, v in new.items()], reason=reason)
            else:
                chain.append(actor=actor, table=self._meta.db_table, record_id=str(self.pk), action="update",
                             changes=changes, reason=reason)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        actor, reason = current_actor(), current_reason()
        if not reason:
            raise InputValidationError("reason", "a reason is required to delete trial data")
        with transaction.atomic():
            locked = self.locked_reason()
            if locked:
                raise DataLocked(locked)
            pk = self.pk
            old = self.audit_values()
            result = super().delete(*args, **kwargs)
            chain.append(actor=actor, table=self._meta.db_table, record_id=str(pk), action="delete",
                         changes=[(k, v, None) for k, v in old.items()], reason=reason)
        return result


def audited_models() -> list[type[AuditedModel]]:
    from django.apps import apps

    return [m for m in apps.get_models() if issubclass(m, AuditedModel)]
