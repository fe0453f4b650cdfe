"""What every eCRF shares: the participant, the visit, validation that names field and rule, data locks."""

from __future__ import annotations

import datetime as dt
from typing import Any, ClassVar

from django.db import models

from mescams.edc.audit.audited import AuditedModel
from mescams.errors import InputValidationError


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def today() -> dt.date:
    return dt.datetime.now(dt.UTC).date()


def rule(ok: bool, field: str, text: str) -> None:
    """Raise InputValidationError(field, text) unless ``ok``."""
    if not ok:
        raise InputValidationError(field, text)


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
    """An eCRF of one participant. ``date_field`` names the field judged against the visit window."""

    form: ClassVar[str] = ""
    date_field: ClassVar[str | None] = None
    participant = models.ForeignKey("trial.Participant", on_delete=models.PROTECT, related_name="+")
    visit_code = models.CharField(max_length=8, blank=True, default="")
    created_at = models.DateTimeField(default=utcnow)

    class Meta:
        abstract = True

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
