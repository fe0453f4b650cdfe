"""What the safety officer did with a SUSAR candidate: each per-case reveal, and each expedited report sent.

Both reveal allocation by their mere existence (a report is sent only for a case on the active product), so they
are read by the safety officer's pages alone, and their audit trail is hidden from blinded roles like the
allocation list's (``mescams.edc.api.management.ALLOCATION_TABLES``).
"""

from __future__ import annotations

import datetime as dt

from django.db import models
from django.utils.translation import gettext

from mescams.core.safety.expedited import ReportKind
from mescams.edc.audit.audited import AuditedModel
from mescams.edc.crfs.base import not_future, rule

REPORT_KINDS = tuple(k.value for k in ReportKind)


def _utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class CaseReveal(AuditedModel):
    """The safety officer saw the treatment behind one SUSAR candidate: who, when, why."""

    adverse_event = models.ForeignKey("crfs.AdverseEvent", on_delete=models.PROTECT, related_name="+")
    revealed_to = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    reason = models.TextField()
    at = models.DateTimeField(default=_utcnow)

    def validate(self) -> None:
        rule(bool(self.reason.strip()), "reason", gettext("a reveal needs the safety officer's reason"))


class ExpeditedReport(AuditedModel):
    """One report of a SUSAR sent to Health Canada (C.05.014): which, when, and the reference it got."""

    adverse_event = models.ForeignKey("crfs.AdverseEvent", on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=20)
    sent_on = models.DateField()
    reference = models.CharField(max_length=80, blank=True, default="")
    recorded_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(default=_utcnow)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["adverse_event", "kind"], name="safety_one_report_per_kind")]

    def validate(self) -> None:
        rule(self.kind in REPORT_KINDS, "kind", gettext("must be one of %(report_kinds)s") % {
            "report_kinds": ', '.join(REPORT_KINDS)})
        not_future(self.sent_on, "sent_on")
