"""Informed consent, the first study act: the pre-screening log before it, the consent that registers a
participant, re-consent on a newer ICF version, and the list of who must re-consent.

ICH E6 (4.8.8) asks for written consent before any study-specific procedure, screening included. So a person
becomes a participant only when their consent is recorded (ICF version, the date and time on the signed form,
and who took it); the screening record and the eligibility verdict come after. Before consent a site keeps only
a pre-screening log entry (a site-local number, an age band, the MS course, the reason a person was not
screened): enough for CONSORT's "assessed for eligibility", nothing that identifies the person.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils.translation import gettext

from mescams.core.blinding import BLINDING_POLICY, Role
from mescams.core.consent_forms import ConsentFormVersion, InformedConsent
from mescams.core.lifecycle import INITIAL_STATE, TERMINAL_STATES
from mescams.edc.audit.context import acting
from mescams.edc.security.roles import NotFound, require_role
from mescams.edc.trial.models import NOT_SCREENED_REASONS, Participant, PreScreening, Site
from mescams.edc.trial.visibility import SITE_ROLES, get_visible_participant, visible_participants
from mescams.errors import InputValidationError, TrialStateError
from mescams.protocols import default_protocol

__all__ = [
    "ReconsentDue",
    "consent_forms",
    "first_consent",
    "latest_consent",
    "log_prescreening",
    "mark_not_screened",
    "reconsent_due",
    "record_consent",
    "record_reconsent",
    "visible_prescreenings",
]


def _today() -> dt.date:
    return dt.datetime.now(dt.UTC).date()


def _consent_model() -> Any:
    """The consent eCRF (``crfs.Consent``) through Django's app registry, not imported: the eCRF app
    builds on this one (its records belong to participants), so this app names the model by its label."""
    return apps.get_model("crfs", "Consent")


def consent_forms() -> InformedConsent:
    """The ICF versions of the configured protocol; a protocol without them cannot record consent."""
    declared = default_protocol().informed_consent
    if declared is None:
        raise InputValidationError("form_version", gettext("the protocol declares no informed consent form versions "
                                                   "(informed_consent.versions in the protocol file)"))
    return declared


def _user_site(user: Any, site_code: str) -> Site:
    site = Site.objects.filter(code=site_code).first()
    if site is None or (BLINDING_POLICY.view(user.role).site_bound and not user.sites.filter(pk=site.pk).exists()):
        raise InputValidationError("site", gettext("%(site_code)s is not one of your sites") % {
            "site_code": repr(site_code)})
    return site


def _not_future(value: dt.date, field: str) -> None:
    if value > _today():
        raise InputValidationError(field, gettext("must not be in the future, got %(isoformat)s") % {
            "isoformat": value.isoformat()})


# -- pre-screening log -----------------------------------------------------------------------------------------

def visible_prescreenings(user: Any) -> QuerySet[PreScreening]:
    """The pre-screening log of the user's sites (site roles only)."""
    require_role(user, *SITE_ROLES)
    return PreScreening.objects.select_related("site", "participant").filter(site__in=user.sites.all())


def log_prescreening(*, user: Any, site_code: str, local_number: str, logged_on: dt.date, age_band: str,
                     ms_course: str, reason_not_screened: str = "") -> PreScreening:
    """Log one person considered for the trial, before any consent (no name, no date of birth)."""
    require_role(user, *SITE_ROLES)
    _not_future(logged_on, "logged_on")
    with transaction.atomic(), acting(user, reason="pre-screening log"):
        site = _user_site(user, site_code)
        number = local_number.strip()
        if PreScreening.objects.filter(site=site, local_number=number).exists():
            raise InputValidationError("local_number", gettext(
                "%(number)s is already in the %(code)s pre-screening log") % {
                    "number": repr(number), "code": site.code})
        entry = PreScreening(site=site, local_number=number, logged_on=logged_on, age_band=age_band,
                             ms_course=ms_course, reason_not_screened=reason_not_screened)
        entry.save()
    return entry


def _visible_entry(user: Any, entry_id: int, *, for_update: bool = False) -> PreScreening:
    qs = visible_prescreenings(user)
    if for_update:
        qs = qs.select_for_update(of=("self",))
    entry = qs.filter(pk=entry_id).first()
    if entry is None:
        raise NotFound(gettext("pre-screening entry %(entry_id)s not found") % {"entry_id": entry_id})
    return entry


def mark_not_screened(*, user: Any, entry_id: int, reason_not_screened: str) -> PreScreening:
    """Close a pre-screening entry: the person will not be screened, for one of CONSORT's reasons."""
    require_role(user, *SITE_ROLES)
    if reason_not_screened not in NOT_SCREENED_REASONS:
        raise InputValidationError("reason_not_screened", gettext("must be one of %(not_screened_reasons)s") % {
            "not_screened_reasons": ', '.join(NOT_SCREENED_REASONS)})
    with transaction.atomic(), acting(user, reason=f"not screened: {NOT_SCREENED_REASONS[reason_not_screened]}"):
        entry = _visible_entry(user, entry_id, for_update=True)
        if entry.participant_id is not None:
            raise TrialStateError(gettext(
                "pre-screening entry %(local_number)s consented: it became %(participant_id)s") % {
                    "local_number": entry.local_number, "participant_id": entry.participant.participant_id})
        entry.reason_not_screened = reason_not_screened
        entry.save()
    return entry


# -- consent ---------------------------------------------------------------------------------------------------

def _consent_taker(user: Any, site: Site, obtained_by: str | None) -> Any:
    """Who took the consent: the recording user unless another member of that site's staff is named."""
    if not obtained_by or obtained_by == user.username:
        return user
    # the site's staff through the accounts' relation (User.sites, related name "users"): accounts sit above trial
    taker = site.users.filter(username=obtained_by, is_active=True).first()
    if taker is None or Role(taker.role) not in SITE_ROLES:
        raise InputValidationError("obtained_by", gettext("%(obtained_by)s is not a coordinator or investigator of "
                                                          "%(code)s") % {
                                                              "obtained_by": repr(obtained_by), "code": site.code})
    return taker


def _declared_version(form_version: str, consent_date: dt.date, *, new: bool) -> ConsentFormVersion:
    forms = consent_forms()
    try:
        version = forms.version(form_version)
    except KeyError:
        raise InputValidationError("form_version", gettext("%(form_version)s is not an ICF version of the protocol "
                                                           "(declared: %(labels)s)") % {
                                                               "form_version": repr(form_version),
                                                               "labels": ', '.join(forms.labels)}) from None
    if consent_date < version.approved_on:
        raise InputValidationError("consent_date", gettext("%(isoformat)s is before ICF %(version)s was approved "
                                                           "(%(isoformat_2)s)") % {
                                                               "isoformat": consent_date.isoformat(),
                                                               "version": version.version,
                                                               "isoformat_2": version.approved_on.isoformat()})
    superseded = forms.reconsent_needed(version.version)
    if new and superseded is not None and superseded.approved_on <= consent_date:
        raise InputValidationError("form_version", gettext("ICF %(version)s is superseded by %(version_2)s (approved "
                                                           "%(isoformat)s), which "
                                                           "all participants must sign") % {
                                                               "version": version.version,
                                                               "version_2": superseded.version,
                                                               "isoformat": superseded.approved_on.isoformat()})
    return version


def record_consent(*, user: Any, site_code: str, consent_date: dt.date, consent_time: dt.time, form_version: str,
                   obtained_by: str | None = None, prescreening_id: int | None = None) -> Participant:
    """Record a signed informed consent, which registers the person as a participant of ``site_code`` (the first
    study act: screening and eligibility come after). Links the pre-screening entry when one is named."""
    require_role(user, *SITE_ROLES)
    _not_future(consent_date, "consent_date")
    _declared_version(form_version, consent_date, new=True)
    with transaction.atomic(), acting(user, reason="informed consent"):
        site = Site.objects.select_for_update().filter(pk=_user_site(user, site_code).pk).get()
        entry = None
        if prescreening_id is not None:
            entry = _visible_entry(user, prescreening_id, for_update=True)
            if entry.site_id != site.pk:
                raise InputValidationError("prescreening_id", gettext("entry %(local_number)s is in the %(code)s "
                                                                      "log, not %(code_2)s's") % {
                                                                          "local_number": entry.local_number,
                                                                          "code": entry.site.code, "code_2": site.code})
            if entry.outcome != "pending":
                raise InputValidationError("prescreening_id",
                                           gettext("entry %(local_number)s is already %(replace)s") % {
                    "local_number": entry.local_number, "replace": entry.outcome.replace('_', ' ')})
        taker = _consent_taker(user, site, obtained_by)
        number = Participant.objects.filter(site=site).count() + 1
        participant = Participant(participant_id=f"{site.code}-{number:03d}", site=site, status=INITIAL_STATE.value,
                                  screening_date=consent_date)
        participant.save()
        _consent_model()(participant=participant, visit_code="SCR", consent_date=consent_date,
                         consent_time=consent_time, form_version=form_version, obtained_by=taker).save()
        if entry is not None:
            entry.participant = participant
            entry.save()
    return participant


def record_reconsent(*, user: Any, participant_id: str, consent_date: dt.date, consent_time: dt.time,
                     form_version: str, obtained_by: str | None = None, reason: str = "") -> Any:
    """Record a participant's consent on a newer ICF version (a re-consent the protocol asked for, or one
    signed anyway); one consent per participant and version."""
    require_role(user, *SITE_ROLES)
    _not_future(consent_date, "consent_date")
    version = _declared_version(form_version, consent_date, new=False)
    with transaction.atomic(), acting(user, reason=reason.strip() or f"re-consent on ICF {version.version}"):
        participant = get_visible_participant(user, participant_id, for_update=True)
        if participant.status in {s.value for s in TERMINAL_STATES}:
            raise TrialStateError(gettext("%(participant_id)s is %(replace)s: no re-consent") % {
                "participant_id": participant_id, "replace": participant.status.replace('_', ' ')})
        latest = latest_consent(participant)
        if latest is None:
            raise TrialStateError(gettext("%(participant_id)s has no informed consent to renew") % {
                "participant_id": participant_id})
        labels = consent_forms().labels
        if latest.form_version in labels and labels.index(version.version) <= labels.index(latest.form_version):
            raise InputValidationError("form_version", gettext("%(participant_id)s already consented on ICF "
                                                               "%(form_version)s; a re-consent "
                                                               "needs a newer version") % {
                                                                   "participant_id": participant_id,
                                                                   "form_version": latest.form_version})
        if consent_date < latest.consent_date:
            raise InputValidationError("consent_date", gettext(
                "must not be before the previous consent (%(isoformat)s)") % {
                    "isoformat": latest.consent_date.isoformat()})
        consent = _consent_model()(participant=participant, visit_code="", consent_date=consent_date,
                          consent_time=consent_time, form_version=version.version,
                          obtained_by=_consent_taker(user, participant.site, obtained_by))
        try:
            with transaction.atomic():
                consent.save()
        except IntegrityError:
            raise InputValidationError("form_version", gettext(
                "%(participant_id)s already consented on ICF %(version)s") % {
                    "participant_id": participant_id, "version": version.version}) from None
    return consent


def first_consent(participant: Participant) -> Any:
    """The consent that registered the participant (its date feeds criterion I5 of the screening record)."""
    return _consent_model().objects.filter(participant=participant).order_by("consent_date", "pk").first()


def latest_consent(participant: Participant) -> Any:
    return _consent_model().objects.filter(participant=participant).order_by("-consent_date", "-pk").first()


# -- who must re-consent ---------------------------------------------------------------------------------------

@dataclass(frozen=True)
class ReconsentDue:
    """A participant still in the study whose latest consent predates an ICF version that asks for re-consent."""

    participant: Participant
    consented_on: str
    consent_date: dt.date
    needed: ConsentFormVersion


def reconsent_due(*, user: Any) -> list[ReconsentDue]:
    """Participants of the user's sites, not screen-failed, withdrawn or completed, who must sign a newer ICF."""
    require_role(user, Role.SITE_COORDINATOR, Role.INVESTIGATOR, Role.DATA_MANAGER)
    forms = consent_forms()
    active = visible_participants(user).exclude(status__in=[s.value for s in TERMINAL_STATES])
    due = []
    for participant in active:
        latest = latest_consent(participant)
        if latest is None:
            continue
        try:
            needed = forms.reconsent_needed(latest.form_version)
        except KeyError:  # a version the protocol no longer lists: the current one is needed
            needed = forms.current
        if needed is not None:
            due.append(ReconsentDue(participant, latest.form_version, latest.consent_date, needed))
    return due


def reconsent_required(participant: Participant) -> ConsentFormVersion | None:
    """The ICF version ``participant`` must sign before any further screening step, or None."""
    latest = latest_consent(participant)
    if latest is None or default_protocol().informed_consent is None:
        return None
    try:
        return consent_forms().reconsent_needed(latest.form_version)
    except KeyError:
        return consent_forms().current
