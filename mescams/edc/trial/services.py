"""Participant services: screening, consent, eligibility, lifecycle steps, emergency unblinding, visibility.

Each service takes keyword arguments, owns its transaction and runs inside the audit context of the acting user,
so the API, the pages and the demo loader all change trial data the same way.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.db.models import QuerySet

from mescams.core.blinding import BLINDING_POLICY, Role
from mescams.core.lifecycle import LifecycleStep, ParticipantState, apply_step
from mescams.edc.audit.context import acting, current_actor, current_reason
from mescams.edc.crfs.models import Consent, ScreeningRecord
from mescams.edc.security.need_to_know import ParticipantData, needs
from mescams.edc.trial.eligibility import EligibilityOutcome, evaluate
from mescams.edc.trial.models import EmergencyUnblinding, Participant, Site
from mescams.errors import BlindingViolation, InputValidationError, MescamsError

__all__ = [
    "NotFound",
    "complete",
    "emergency_unblind",
    "get_visible_participant",
    "record_consent",
    "run_eligibility",
    "screen",
    "step",
    "visible_participants",
    "withdraw",
]

SITE_ROLES = {Role.SITE_COORDINATOR, Role.INVESTIGATOR}


class NotFound(MescamsError):
    """No such record, or not one this user may see (the same answer either way)."""


class Forbidden(MescamsError):
    """The user's role may not do this."""


def require_role(user: Any, *roles: Role) -> None:
    if Role(user.role) not in roles:
        raise Forbidden(f"the role {user.role} may not do this (allowed: {', '.join(r.value for r in roles)})")


def visible_participants(user: Any) -> QuerySet[Participant]:
    """Participants of the user's sites for site-bound roles; all participants otherwise; none for a role whose work
    needs no participant (the MRI reader, the administrator: see :mod:`mescams.edc.security.need_to_know`)."""
    qs = Participant.objects.select_related("site").order_by("participant_id")
    if not needs(user.role, ParticipantData.PARTICIPANTS):
        return qs.none()
    if BLINDING_POLICY.view(user.role).site_bound:
        qs = qs.filter(site__in=user.sites.all())
    return qs


def get_visible_participant(user: Any, participant_id: str, *, for_update: bool = False) -> Participant:
    qs = visible_participants(user)
    if for_update:
        qs = qs.select_for_update(of=("self",))
    found = qs.filter(participant_id=participant_id).first()
    if found is None:
        raise NotFound(f"participant {participant_id} not found")
    return found


def step(participant: Participant, lifecycle_step: LifecycleStep, **kwargs: Any) -> Participant:
    """Move ``participant`` one step (audited by the caller's context); IllegalTransition if not allowed."""
    result = apply_step(participant.status, lifecycle_step, **kwargs)
    participant.status = result.state.value
    if lifecycle_step is LifecycleStep.FAIL_SCREENING:
        participant.failed_criteria = list(result.failed_criteria)
    if lifecycle_step is LifecycleStep.WITHDRAW:
        participant.withdrawal_reason = result.reason
    with acting(current_actor(), reason=current_reason() or f"lifecycle step: {lifecycle_step.value}"):
        participant.save()
    return participant


def screen(*, user: Any, site_code: str, screening_date: dt.date, record: dict[str, Any]) -> Participant:
    """Register a screened person at ``site_code`` with their screening record (the contract's fields)."""
    require_role(user, *SITE_ROLES)
    if screening_date > dt.datetime.now(dt.UTC).date():
        raise InputValidationError("screening_date", "must not be in the future")
    with transaction.atomic(), acting(user, reason="screening"):
        site = Site.objects.select_for_update().filter(code=site_code).first()
        if site is None or (BLINDING_POLICY.view(user.role).site_bound and not user.sites.filter(pk=site.pk).exists()):
            raise InputValidationError("site", f"{site_code!r} is not one of your sites")
        number = Participant.objects.filter(site=site).count() + 1
        participant = Participant(participant_id=f"{site.code}-{number:03d}", site=site, screening_date=screening_date)
        participant.save()
        ScreeningRecord(participant=participant, visit_code="SCR",
                        record={**record, "id": participant.participant_id, "site": site.code}).save()
    return participant


def record_consent(*, user: Any, participant_id: str, consent_date: dt.date, form_version: str) -> Participant:
    require_role(user, *SITE_ROLES)
    with transaction.atomic(), acting(user, reason="informed consent"):
        participant = get_visible_participant(user, participant_id, for_update=True)
        if consent_date < participant.screening_date:
            raise InputValidationError("consent_date", "must not be before the screening date")
        Consent(participant=participant, visit_code="SCR", consent_date=consent_date, form_version=form_version).save()
        step(participant, LifecycleStep.CONSENT)
        screening = ScreeningRecord.objects.get(participant=participant)
        screening.record = {**screening.record, "consent_date": consent_date.isoformat(), "able_to_consent": True}
        screening.save()
    return participant


def run_eligibility(*, user: Any, participant_id: str, on: dt.date) -> tuple[Participant, EligibilityOutcome]:
    """Evaluate the criteria on the screening record as of ``on``: eligible, screen failed, or still unknown."""
    require_role(user, *SITE_ROLES)
    with transaction.atomic(), acting(user, reason=f"eligibility assessed as of {on.isoformat()}"):
        participant = get_visible_participant(user, participant_id, for_update=True)
        if participant.status != ParticipantState.CONSENTED:
            apply_step(participant.status, LifecycleStep.PASS_SCREENING)  # raises IllegalTransition
        screening = ScreeningRecord.objects.get(participant=participant)
        outcome = evaluate(screening.record, on)
        screening.evaluated_on, screening.eligible, screening.criteria = on, outcome.eligible, outcome.criteria
        screening.save()
        if outcome.eligible is True:
            step(participant, LifecycleStep.PASS_SCREENING)
        elif outcome.eligible is False:
            step(participant, LifecycleStep.FAIL_SCREENING, failed_criteria=outcome.failed)
    return participant, outcome


def update_screening_record(*, user: Any, participant_id: str, record: dict[str, Any], reason: str) -> None:
    require_role(user, *SITE_ROLES)
    with transaction.atomic(), acting(user, reason=reason):
        participant = get_visible_participant(user, participant_id, for_update=True)
        screening = ScreeningRecord.objects.get(participant=participant)
        screening.record = {**record, "id": participant.participant_id, "site": participant.site.code}
        screening.save()


def withdraw(*, user: Any, participant_id: str, reason: str, on: dt.date) -> Participant:
    require_role(user, *SITE_ROLES)
    if on > dt.datetime.now(dt.UTC).date():
        raise InputValidationError("withdrawal_date", "must not be in the future")
    with transaction.atomic(), acting(user, reason=reason or "withdrawal"):
        participant = get_visible_participant(user, participant_id, for_update=True)
        step(participant, LifecycleStep.WITHDRAW, reason=reason)
        participant.withdrawal_date = on
        participant.save()
    return participant


def complete(*, user: Any, participant_id: str) -> Participant:
    require_role(user, *SITE_ROLES)
    with transaction.atomic(), acting(user, reason="study completed"):
        participant = get_visible_participant(user, participant_id, for_update=True)
        return step(participant, LifecycleStep.COMPLETE)


def emergency_unblind(*, user: Any, participant_id: str, reason: str) -> str:
    """Reveal one participant's sequence to the requesting investigator only; recorded and flagged."""
    if not BLINDING_POLICY.view(user.role).may_request_emergency_unblinding:
        raise BlindingViolation("only an investigator may request emergency unblinding")
    if not reason.strip():
        raise InputValidationError("reason", "emergency unblinding needs a reason")
    from mescams.edc.randomisation.models import AllocationSlot

    with transaction.atomic(), acting(user, reason=f"emergency unblinding: {reason.strip()}"):
        participant = get_visible_participant(user, participant_id, for_update=True)
        slot = AllocationSlot.objects.filter(participant=participant).first()
        if slot is None:
            raise NotFound(f"participant {participant_id} has not been randomised")
        EmergencyUnblinding(participant=participant, requested_by=user, reason=reason.strip()).save()
        if not participant.emergency_unblinded:
            participant.emergency_unblinded = True
            participant.save()
        return slot.sequence


def my_emergency_unblinding(*, user: Any, participant_id: str) -> tuple[str, EmergencyUnblinding]:
    """The sequence again, for the investigator who requested this participant's emergency unblinding (their latest
    request). Anyone else, including other investigators, gets exactly the answer given for a participant never
    unblinded, so the answer says nothing about whether or by whom a participant was unblinded."""
    from mescams.edc.randomisation.models import AllocationSlot

    never = NotFound(f"no emergency unblinding of participant {participant_id} requested by you")
    if not BLINDING_POLICY.view(user.role).may_request_emergency_unblinding:
        raise never
    participant = visible_participants(user).filter(participant_id=participant_id).first()
    request = (EmergencyUnblinding.objects.filter(participant=participant, requested_by=user).order_by("-at", "-pk")
               .first() if participant is not None else None)
    slot = AllocationSlot.objects.filter(participant=participant).first() if request is not None else None
    if request is None or slot is None:
        raise never
    return slot.sequence, request
