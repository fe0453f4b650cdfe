"""What every eCRF shares: the participant, the visit, validation that names field and rule, data locks."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar

from django.db import IntegrityError, models
from django.utils.translation import gettext

from mescams.edc.audit.audited import AuditedModel
from mescams.edc.crfs.instances import duplicate_after_integrity_error, ensure_new_instance
from mescams.edc.field_rules import broken_rules, in_range, not_future, rule, today, utcnow
from mescams.edc.trial.locks import lock_reason
from mescams.protocols import default_protocol

# The field rules moved to mescams.edc.field_rules (the trial's models state them too); the names stay here too.
__all__ = ["ParticipantRecord", "after_form_saved", "after_record_change", "broken_rules", "in_range", "not_future",
           "rule", "run_after_form_saved", "today", "utcnow"]

RecordChangeHook = Callable[..., object]
"""Called as ``hook(participant_pk=..., audit_seq=..., change=...)`` after an audited change of an eCRF record."""

_record_change_hooks: list[RecordChangeHook] = []


def after_record_change(hook: RecordChangeHook) -> RecordChangeHook:
    """Run ``hook`` after every audited change of an eCRF record, in the changing transaction, naming the change's
    first audit entry. Data management registers the invalidation of the casebook's signatures here
    (:class:`mescams.edc.queries.apps.QueriesConfig`): it builds on this app, so this app does not import it."""
    if hook not in _record_change_hooks:
        _record_change_hooks.append(hook)
    return hook


FormSavedHook = Callable[[Any], object]
"""Called as ``hook(record)`` after :func:`mescams.edc.crfs.services.save_form` stored a record, in its transaction."""

_form_saved_hooks: list[FormSavedHook] = []


def after_form_saved(hook: FormSavedHook) -> FormSavedHook:
    """Run ``hook`` after every eCRF record saved through the form service. Medical coding registers its autocoder
    here (:class:`mescams.edc.coding.apps.CodingConfig`): coding builds on the eCRFs (and raises queries), so the
    eCRFs do not import it."""
    if hook not in _form_saved_hooks:
        _form_saved_hooks.append(hook)
    return hook


def run_after_form_saved(record: Any) -> None:
    for hook in _form_saved_hooks:
        hook(record)


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
        ensure_new_instance(self)
        try:
            super().save(*args, **kwargs)
        except IntegrityError as exc:
            duplicate = duplicate_after_integrity_error(self)
            if duplicate is None:
                raise
            raise duplicate from exc

    def locked_reason(self) -> str | None:
        return lock_reason(self.participant_id)

    def after_audit(self, action: str, first_seq: int) -> None:
        """Any audited change of a casebook's record invalidates that casebook's standing signatures (the hooks of
        :func:`after_record_change`)."""
        for hook in _record_change_hooks:
            hook(participant_pk=self.participant_id, audit_seq=first_seq, change=f"{action} of a {self.form} record")

    def validate_visit(self, allowed: tuple[str, ...] | None = None) -> None:
        codes = [v.code for v in default_protocol().visits]
        if allowed is not None:
            codes = [c for c in codes if c in allowed]
        rule(self.visit_code in codes, "visit_code", gettext("must be one of %(codes)s") % {"codes": ', '.join(codes)})
