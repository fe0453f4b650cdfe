"""What every eCRF shares: the participant, the visit, validation that names field and rule, data locks."""

from __future__ import annotations

import contextvars
import datetime as dt
from collections.abc import Callable
from typing import Any, ClassVar

from django.db import IntegrityError, models

from mescams.edc.audit.audited import AuditedModel
from mescams.errors import InputValidationError


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def today() -> dt.date:
    return dt.datetime.now(dt.UTC).date()


_collected: contextvars.ContextVar[list[InputValidationError] | None] = contextvars.ContextVar(
    "mescams_collected_rules", default=None)


def rule(ok: bool, field: str, text: str) -> None:
    """Raise InputValidationError(field, text) unless ``ok`` (inside :func:`broken_rules`: note it and go on)."""
    if not ok:
        found = _collected.get()
        if found is None:
            raise InputValidationError(field, text)
        found.append(InputValidationError(field, text))


def broken_rules(validate: Callable[[], None]) -> list[InputValidationError]:
    """Every field rule ``validate`` breaks, in order, instead of only the first: a submit shows them all.

    Once a rule is broken, later code of ``validate`` may meet values it cannot handle (a derivation on an
    out-of-range score); what it raises then adds nothing to the rules already found, so it is dropped.
    """
    found: list[InputValidationError] = []
    token = _collected.set(found)
    try:
        validate()
    except InputValidationError as exc:
        if not any(f.field == exc.field for f in found):
            found.append(exc)
    except (TypeError, ValueError, KeyError):
        if not found:
            raise
    finally:
        _collected.reset(token)
    return found


def in_range(value: Any, field: str, low: float, high: float, *, required: bool = True) -> None:
    if value is None:
        rule(not required, field, "is required")
        return
    rule(low <= value <= high, field, f"must be between {low:g} and {high:g}, got {value}")


def not_future(value: dt.date | None, field: str, *, required: bool = True) -> None:
    if value is None:
        rule(not required, field, "is required")
        return
    rule(value <= today(), field, f"must not be in the future, got {value.isoformat()}")


class ParticipantRecord(AuditedModel):
    """An eCRF of one participant. ``date_field`` names the field judged against the visit window;
    ``out_of_window`` marks a record saved with a date outside it (a protocol deviation, with a query)."""

    form: ClassVar[str] = ""
    date_field: ClassVar[str | None] = None
    participant = models.ForeignKey("trial.Participant", on_delete=models.PROTECT, related_name="+")
    visit_code = models.CharField(max_length=8, blank=True, default="")
    created_at = models.DateTimeField(default=utcnow)
    out_of_window = models.BooleanField(default=False, db_default=False)  # set by the EDC, never entered

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        """Audited save; a second instance of a single form is refused with DuplicateRecord, whether it is seen
        before the insert or only by the database's unique constraint (a concurrent writer won the race)."""
        from mescams.edc.crfs.instances import duplicate_after_integrity_error, ensure_new_instance

        ensure_new_instance(self)
        try:
            super().save(*args, **kwargs)
        except IntegrityError as exc:
            duplicate = duplicate_after_integrity_error(self)
            if duplicate is None:
                raise
            raise duplicate from exc

    def locked_reason(self) -> str | None:
        from mescams.edc.queries.locks import lock_reason

        return lock_reason(self.participant_id)

    def after_audit(self, action: str, first_seq: int) -> None:
        """Any audited change of a casebook's record invalidates that casebook's standing signatures."""
        from mescams.edc.queries.casebook import invalidate_signatures

        invalidate_signatures(participant_pk=self.participant_id, audit_seq=first_seq,
                              change=f"{action} of a {self.form} record")

    def validate_visit(self, allowed: tuple[str, ...] | None = None) -> None:
        from mescams.protocols import default_protocol

        codes = [v.code for v in default_protocol().visits]
        if allowed is not None:
            codes = [c for c in codes if c in allowed]
        rule(self.visit_code in codes, "visit_code", f"must be one of {', '.join(codes)}")
