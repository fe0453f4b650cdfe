"""Read models the pages need (visit status, data-entry status, missing data) and the page-side save call.

Nothing here writes trial data: :func:`save_dated_form` hands over to the EDC's audited ``save_form``, which
owns every rule (dates not before consent included). Everything else reads through the EDC's visibility
rules (``visible_participants``), so a page can never list a participant its user may not see.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from typing import Any

from mescams.edc.crfs.models import Consent, MriScan, ParticipantRecord
from mescams.edc.crfs.services import save_form
from mescams.edc.crfs.visit_status import (
    ACTIVITY_FORMS,
    EVENT_FORMS,
    SCREENING_FORMS,
    VisitStatus,
    event_forms_at,
    forms_due_at,
    next_due,
    visit_statuses,
)
from mescams.edc.trial.models import Participant
from mescams.protocols import default_protocol

# The visit plan's states moved to mescams.edc.crfs.visit_status (the casebook's completeness needs them too);
# their names stay here too.
__all__ = ["ACTIVITY_FORMS", "EVENT_FORMS", "SCREENING_FORMS", "VisitStatus", "consent_date_of", "data_entry_matrix",
           "event_forms_at", "forms_due_at", "missing_data", "next_due", "save_dated_form", "today", "visit_statuses"]


def today() -> dt.date:
    return dt.datetime.now(dt.UTC).date()


def consent_date_of(participant: Participant) -> dt.date | None:
    consent = Consent.objects.filter(participant=participant).order_by("consent_date").first()
    return consent.consent_date if consent else None


def save_dated_form(*, user: Any, participant: Participant, form: str, values: dict[str, Any],
                    record_pk: int | None = None, reason: str = "", confirm_checks: Collection[str] = (),
                    confirm_dose_change: bool = False) -> ParticipantRecord:
    """The EDC's audited ``save_form`` for a participant the page already holds.

    The service owns every rule and edit check, the dates-after-consent one included, so the pages and the API
    agree; ``confirm_checks`` are the soft checks the person confirms with ``reason``.
    """
    return save_form(user=user, participant_id=participant.participant_id, form=form, values=values,
                     record_pk=record_pk, reason=reason, confirm_checks=confirm_checks,
                     confirm_dose_change=confirm_dose_change)


def data_entry_matrix(participants: list[Participant], *, on: dt.date | None = None) -> list[dict[str, Any]]:
    """Per visit and form: how many participants had it due by ``on``, how many have it entered, and how many of
    those entered outside the window."""
    rows: dict[tuple[str, str], dict[str, Any]] = {}
    for p in participants:
        for s in visit_statuses(p, on=on):
            if s.state in ("not_expected", "upcoming") or (s.plan is None and s.code != "SCR"):
                continue
            for form in s.due_forms:
                row = rows.setdefault((s.code, form), {"visit": s.code, "form": form, "expected": 0, "entered": 0,
                                                       "out_of_window": 0})
                row["expected"] += 1
                row["entered"] += 1 if s.entered.get(form) else 0
                row["out_of_window"] += 1 if form in s.out_of_window else 0
    order = {v.code: i for i, v in enumerate(default_protocol().visits)}
    return sorted(rows.values(), key=lambda r: (order[r["visit"]], r["form"]))


def missing_data(participants: list[Participant], *, on: dt.date | None = None) -> list[dict[str, Any]]:
    """Forms missing at visits whose window has closed, forms present but dated outside their window (a protocol
    deviation), and scans registered but not yet read."""
    out: list[dict[str, Any]] = []
    for p in participants:
        for s in visit_statuses(p, on=on):
            for form, days in s.out_of_window.items():
                out.append({"participant_id": p.participant_id, "site": p.site.code, "visit": s.code, "form": form,
                            "what": f"entered, out of window ({days:+d} days): protocol deviation",
                            "window_end": s.plan.window_end if s.plan else None})
            if s.state == "overdue" or (s.code == "SCR" and s.state == "partial"):
                for form in s.missing:
                    out.append({"participant_id": p.participant_id, "site": p.site.code, "visit": s.code,
                                "form": form, "what": "not entered",
                                "window_end": s.plan.window_end if s.plan else None})
        for scan in MriScan.objects.filter(participant=p, read_at__isnull=True).order_by("pk"):
            out.append({"participant_id": p.participant_id, "site": p.site.code, "visit": scan.visit_code,
                        "form": "mri", "what": "scan not read", "window_end": None})
    return out
