"""What a participant does in the portal: see their visit dates, report new or worsening symptoms (the site is
alerted by e-mail to arrange an unscheduled visit within the protocol's window), keep the AE diary after each
infusion. Every function takes the participant's own account: nobody else's data is reachable."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext

from mescams.core.blinding import Role
from mescams.core.schedule import PlannedVisit, planned_visits
from mescams.core.symptom_report import ReportAssessment, SymptomReport, assess_report
from mescams.edc.accounts.models import User
from mescams.edc.audit.context import acting
from mescams.edc.crfs.clinical import infusion_visits
from mescams.edc.crfs.models import Infusion
from mescams.edc.i18n.mail import send_in_language
from mescams.edc.portal.access import require_open
from mescams.edc.portal.models import DIARY_SYMPTOMS, SEVERITIES, DiaryEntry, PortalAccount
from mescams.edc.portal.models import SymptomReport as SymptomReportRecord
from mescams.edc.security.roles import NotFound, require_role
from mescams.edc.trial.models import Participant
from mescams.edc.trial.visibility import visible_participants
from mescams.errors import InputValidationError
from mescams.protocols import default_protocol

__all__ = ["DiaryWindow", "acknowledge", "diary_windows", "my_participant", "my_visits", "record_diary_day",
           "report_symptoms", "site_reports"]


def _today() -> dt.date:
    return dt.datetime.now(dt.UTC).date()


def my_participant(user: Any) -> Participant:
    """The signed-in participant's own record (their account's, never one named in a request)."""
    require_role(user, Role.PARTICIPANT)
    require_open()
    account = PortalAccount.objects.select_related("participant__site").filter(user=user).first()
    if account is None:
        raise NotFound(gettext("no participant is linked to this account"))
    return account.participant


def my_visits(user: Any) -> list[PlannedVisit]:
    """The participant's planned visits (dates and windows) from randomisation; empty before it."""
    participant = my_participant(user)
    if participant.week0_date is None:
        return []
    return planned_visits(default_protocol(), participant.week0_date)


def _alert_site(report: SymptomReportRecord, participant: Participant) -> None:
    """E-mail the site's coordinators and investigators (in each one's language) to arrange the visit."""
    staff = User.objects.filter(is_active=True, sites=participant.site, email__gt="",
                                role__in=[Role.SITE_COORDINATOR.value, Role.INVESTIGATOR.value]).distinct()
    link = reverse("portal:site_reports")
    context = {"report": report, "participant": participant, "link": link}
    for person in staff:
        send_in_language(person, lambda: (render_to_string("portal/alert_subject.txt", context).strip(),
                                          render_to_string("portal/alert.txt", context)))


def report_symptoms(*, user: Any, report: SymptomReport) -> tuple[SymptomReportRecord, ReportAssessment]:
    """Record the participant's report and alert the site; returns the report and what to tell the participant."""
    participant = my_participant(user)
    protocol = default_protocol()
    assessment = assess_report(report, portal=protocol.participant_portal,
                               min_duration_hours=protocol.relapse_definition.min_duration_hours,
                               exclude_fever_or_infection=protocol.relapse_definition.exclude_fever_or_infection,
                               today=_today())
    with transaction.atomic(), acting(user, reason="symptoms reported by the participant"):
        record = SymptomReportRecord(participant=participant, reported_at=dt.datetime.now(dt.UTC),
                                     onset_date=report.onset_date, systems=sorted(report.systems),
                                     lasted_24_hours=report.lasted_24_hours,
                                     fever_or_infection=report.fever_or_infection,
                                     description=report.description.strip(),
                                     possible_relapse=assessment.possible_relapse, visit_by=assessment.visit_by)
        record.save()
        transaction.on_commit(lambda: _alert_site(record, participant))
    return record, assessment


def site_reports(user: Any) -> list[SymptomReportRecord]:
    """Reports of the user's participants, not yet acknowledged first."""
    require_role(user, Role.SITE_COORDINATOR, Role.INVESTIGATOR)
    rows = SymptomReportRecord.objects.select_related("participant", "acknowledged_by").filter(
        participant__in=visible_participants(user))
    return sorted(rows, key=lambda r: (r.acknowledged_at is not None, r.visit_by))


def acknowledge(*, user: Any, report_id: int) -> SymptomReportRecord:
    """The site has contacted the participant (the unscheduled visit is arranged): audited."""
    require_role(user, Role.SITE_COORDINATOR, Role.INVESTIGATOR)
    with transaction.atomic(), acting(user, reason="symptom report: participant contacted, visit arranged"):
        record = (SymptomReportRecord.objects.select_for_update()
                  .filter(pk=report_id, participant__in=visible_participants(user)).first())
        if record is None:
            raise NotFound(gettext("symptom report %(report_id)s not found") % {"report_id": report_id})
        if record.acknowledged_at is None:
            record.acknowledged_by, record.acknowledged_at = user, dt.datetime.now(dt.UTC)
            record.save()
    return record


@dataclass(frozen=True)
class DiaryWindow:
    """The diary days after one infusion: from its date for ``ae_diary_days_after_infusion`` days."""

    visit_code: str
    infusion_date: dt.date
    last_day: dt.date
    entries: tuple[DiaryEntry, ...]

    def open_on(self, day: dt.date) -> bool:
        return self.infusion_date <= day <= self.last_day


def diary_windows(user: Any) -> list[DiaryWindow]:
    participant = my_participant(user)
    days = default_protocol().participant_portal.ae_diary_days_after_infusion
    infusions = Infusion.objects.filter(participant=participant, visit_code__in=infusion_visits())
    entries = list(DiaryEntry.objects.filter(participant=participant))
    return [DiaryWindow(i.visit_code, i.infusion_date, i.infusion_date + dt.timedelta(days=days),
                        tuple(e for e in entries if e.infusion_visit == i.visit_code))
            for i in sorted(infusions, key=lambda i: i.infusion_date)]


def record_diary_day(*, user: Any, visit_code: str, day: dt.date, symptoms: list[str], severity: str,
                     notes: str = "") -> DiaryEntry:
    """One day of the diary after the infusion at ``visit_code`` (the day within the diary's days, not future)."""
    window = next((w for w in diary_windows(user) if w.visit_code == visit_code), None)
    if window is None:
        raise InputValidationError("infusion_visit", gettext("there is no diary for this infusion"))
    if not window.open_on(day) or day > _today():
        raise InputValidationError("day", gettext("must be between %(isoformat)s and %(isoformat_2)s") % {
            "isoformat": window.infusion_date.isoformat(), "isoformat_2": min(window.last_day, _today()).isoformat()})
    unknown = sorted(set(symptoms) - set(DIARY_SYMPTOMS))
    if unknown:
        raise InputValidationError("symptoms", gettext("unknown symptoms %(unknown)s") % {"unknown": unknown})
    if symptoms and severity not in SEVERITIES:
        raise InputValidationError("severity", gettext("say how bad the symptoms were"))
    participant = my_participant(user)
    with transaction.atomic(), acting(user, reason="AE diary kept by the participant"):
        entry = DiaryEntry.objects.select_for_update().filter(participant=participant, infusion_visit=visit_code,
                                                              day=day).first()
        entry = entry or DiaryEntry(participant=participant, infusion_visit=visit_code, day=day)
        entry.symptoms, entry.severity = sorted(set(symptoms)), severity if symptoms else ""
        entry.notes, entry.entered_at = notes.strip(), dt.datetime.now(dt.UTC)
        entry.save()
    return entry
