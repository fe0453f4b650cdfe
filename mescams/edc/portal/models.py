"""The portal's records: a participant's account link and invitation, the one-time log-in codes, symptom reports
and diary entries (the last two are trial data, audited)."""

from __future__ import annotations

from django.db import models

from mescams.edc.audit.audited import AuditedModel

__all__ = ["DiaryEntry", "LoginCode", "PortalAccount", "SymptomReport"]


class PortalAccount(AuditedModel):
    """The link between a participant and their own account; the invitation's token is kept hashed."""

    participant = models.OneToOneField("trial.Participant", on_delete=models.PROTECT, related_name="portal_account")
    user = models.OneToOneField("accounts.User", on_delete=models.PROTECT, related_name="portal_account")
    email = models.EmailField()
    language = models.CharField(max_length=10)
    invited_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    invited_at = models.DateTimeField()
    invitation_sha256 = models.CharField(max_length=64, blank=True, default="")
    invitation_expires_at = models.DateTimeField()
    activated_at = models.DateTimeField(null=True, blank=True)


class LoginCode(models.Model):
    """A one-time code e-mailed at log-in (the second factor): hashed, short-lived, a few tries, used once."""

    account = models.ForeignKey(PortalAccount, on_delete=models.CASCADE, related_name="codes")
    code_sha256 = models.CharField(max_length=64)
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    attempts = models.PositiveSmallIntegerField(default=0)
    used_at = models.DateTimeField(null=True, blank=True)


class SymptomReport(AuditedModel):
    """New or worsening symptoms reported by the participant, the visit due date, and the site's acknowledgement."""

    participant = models.ForeignKey("trial.Participant", on_delete=models.PROTECT, related_name="symptom_reports")
    reported_at = models.DateTimeField()
    onset_date = models.DateField()
    systems = models.JSONField(default=list)
    lasted_24_hours = models.BooleanField()
    fever_or_infection = models.BooleanField()
    description = models.TextField(blank=True, default="")
    possible_relapse = models.BooleanField()
    visit_by = models.DateField()
    acknowledged_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, null=True, blank=True,
                                        related_name="+")
    acknowledged_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-reported_at", "-id"]


DIARY_SYMPTOMS = ("fever", "chills", "headache", "fatigue", "nausea", "rash", "infusion_site", "breathing", "other")
SEVERITIES = ("mild", "moderate", "severe")


class DiaryEntry(AuditedModel):
    """One day of the adverse-event diary after an infusion (the site reviews it and records AEs)."""

    participant = models.ForeignKey("trial.Participant", on_delete=models.PROTECT, related_name="diary_entries")
    infusion_visit = models.CharField(max_length=8)
    day = models.DateField()
    symptoms = models.JSONField(default=list)
    severity = models.CharField(max_length=10, blank=True, default="")
    notes = models.TextField(blank=True, default="")
    entered_at = models.DateTimeField()

    class Meta:
        ordering = ["infusion_visit", "day"]
        constraints = [models.UniqueConstraint(fields=["participant", "infusion_visit", "day"],
                                               name="portal_one_diary_day")]
