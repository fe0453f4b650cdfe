"""The base of every model holding trial data: saving or deleting writes the audit trail in the same transaction.

Why a base class rather than signals: the write and its audit entries must commit together or not at all, the
reason for change must be enforced before anything is written, and bulk paths that would skip the trail
(``QuerySet.update``, ``bulk_create``) must be impossible. Subclasses add ``validate()`` (field rules, raising
InputValidationError) and ``locked_reason()`` (a lock that forbids the change).
"""

from __future__ import annotations

import datetime as dt
import json
import math
import re
from typing import Any, ClassVar

from django.db import models, transaction
from django.db.backends.base.operations import BaseDatabaseOperations
from django.utils.translation import gettext

from mescams.edc.audit import chain
from mescams.edc.audit.context import current_actor, current_reason
from mescams.errors import DataLocked, InputValidationError

__all__ = ["AuditedModel", "audited_models", "check_storable", "plain_value"]

CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")  # tab, newline and carriage return are text


def plain_value(value: Any) -> str | None:
    """A field value as the JSON text stored in the trail (None stays None)."""
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        value = value.astimezone(dt.UTC).isoformat(timespec="microseconds")
    elif isinstance(value, dt.date | dt.time):
        value = value.isoformat()
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)


def _json_strings(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for k, v in value.items() for s in (*_json_strings(k), *_json_strings(v))]
    if isinstance(value, list | tuple):
        return [s for v in value for s in _json_strings(v)]
    return []


def check_storable(instance: models.Model) -> None:
    """Refuse values the database cannot store faithfully, naming the field: control characters, text longer than
    its column, integers outside the column's range, non-finite numbers. (Without this they would surface as
    database errors, i.e. HTTP 500, instead of a clear answer.)"""
    for f in instance._meta.concrete_fields:
        if f.primary_key or f.is_relation:
            continue
        value = getattr(instance, f.attname)
        if value is None:
            continue
        name = f.name
        if isinstance(f, models.CharField | models.TextField):
            if not isinstance(value, str):
                raise InputValidationError(name, gettext("must be text"))
            if CONTROL.search(value) or (isinstance(f, models.CharField) and ("\n" in value or "\r" in value)):
                raise InputValidationError(name, gettext("must not contain control characters"))
            if f.max_length is not None and len(value) > f.max_length:
                raise InputValidationError(name, gettext("must be at most %(max_length)s characters") % {
                    "max_length": f.max_length})
        elif isinstance(f, models.BooleanField):
            if not isinstance(value, bool):
                raise InputValidationError(name, gettext("must be true or false"))
        elif isinstance(f, models.IntegerField):
            # The portable ranges (PostgreSQL's), so SQLite refuses what PostgreSQL could not store.
            low, high = BaseDatabaseOperations.integer_field_ranges[f.get_internal_type()]
            if isinstance(value, bool) or not isinstance(value, int):
                raise InputValidationError(name, gettext("must be a whole number"))
            if (low is not None and value < low) or (high is not None and value > high):
                raise InputValidationError(name, gettext("must be between %(low)s and %(high)s") % {
                    "low": low, "high": high})
        elif isinstance(f, models.FloatField):
            if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
                raise InputValidationError(name, gettext("must be a finite number"))
        elif isinstance(f, models.JSONField):
            if any(CONTROL.search(s) for s in _json_strings(value)):
                raise InputValidationError(name, gettext("must not contain control characters"))
        elif isinstance(f, models.DateTimeField):
            if not isinstance(value, dt.datetime):
                raise InputValidationError(name, gettext("must be a date and time"))
        elif isinstance(f, models.DateField):
            if not isinstance(value, dt.date) or isinstance(value, dt.datetime):
                raise InputValidationError(name, gettext("must be a date (YYYY-MM-DD)"))
        elif isinstance(f, models.TimeField) and not isinstance(value, dt.time):
            raise InputValidationError(name, gettext("must be a time (HH:MM)"))


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

    def after_audit(self, action: str, first_seq: int) -> None:
        """Called once this save's or delete's audit entries are chained (``first_seq`` the first of them), in the
        same transaction: what a change must set off, naming its audit entry (e.g. invalidating a signature)."""

    def _follow(self, action: str) -> Any:
        if type(self).after_audit is AuditedModel.after_audit:
            return None
        return lambda first_seq: self.after_audit(action, first_seq)

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
        check_storable(self)
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
                    raise InputValidationError("reason", gettext(
                        "a reason for change is required after the first save"))
            super().save(*args, **kwargs)
            if old is None:
                chain.append(actor=actor, table=self._meta.db_table, record_id=str(self.pk), action="create",
                             changes=[(k, None, v) for k, v in new.items()], reason=reason,
                             then=self._follow("create"))
            else:
                chain.append(actor=actor, table=self._meta.db_table, record_id=str(self.pk), action="update",
                             changes=changes, reason=reason, then=self._follow("update"))

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        actor, reason = current_actor(), current_reason()
        if not reason:
            raise InputValidationError("reason", gettext("a reason is required to delete trial data"))
        with transaction.atomic():
            locked = self.locked_reason()
            if locked:
                raise DataLocked(locked)
            pk = self.pk
            old = self.audit_values()
            result = super().delete(*args, **kwargs)
            chain.append(actor=actor, table=self._meta.db_table, record_id=str(pk), action="delete",
                         changes=[(k, v, None) for k, v in old.items()], reason=reason, then=self._follow("delete"))
        return result


def audited_models() -> list[type[AuditedModel]]:
    from django.apps import apps

    return [m for m in apps.get_models() if issubclass(m, AuditedModel)]
