"""Participant services: screening, eligibility, lifecycle steps, emergency unblinding, visibility.

Consent, which registers a participant, and the pre-screening log before it live in
:mod:`mescams.edc.trial.consent`; the order is consent -> screening record -> eligibility -> randomisation.

Each service takes keyword arguments, owns its transaction and runs inside the audit context of the acting user,
so the API, the pages and the demo loader all change trial data the same way.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.apps import apps
from django.db import transaction
from django.utils.translation import gettext

from mescams.core.blinding import BLINDING_POLICY
from mescams.core.lifecycle import LifecycleStep, ParticipantState, apply_step
from mescams.edc.audit.context import acting, current_actor, current_reason
from mescams.edc.security.roles import Forbidden, NotFound, require_role
from mescams.edc.trial.consent import first_consent, reconsent_required
from mescams.edc.trial.eligibility import EligibilityOutcome, evaluate
from mescams.edc.trial.locks import safety_override
from mescams.edc.trial.models import EmergencyUnblinding, Participant, UnblindingAttempt
from mescams.edc.trial.visibility import SITE_ROLES, get_visible_participant, visible_participants
from mescams.errors import BlindingViolation, ConsentRequired, InputValidationError, MescamsError, TrialStateError

__all__ = [
    "Forbidden",
    "NotFound",
    "complete",
    "emergency_unblind",
    "get_visible_participant",
    "record_refused_unblinding",
    "record_with_consent",
    "require_role",
    "run_eligibility",
    "screen",
    "step",
    "visible_participants",
    "withdraw",
]

def _screening_record_model() -> Any:
    """The screening eCRF (``crfs.ScreeningRecord``) through Django's app registry, not imported: the eCRF app builds
    on this one (its records belong to participants), so this app names the model by its label."""
    return apps.get_model("crfs", "ScreeningRecord")


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


def record_with_consent(record: dict[str, Any], participant: Participant) -> dict[str, Any]:
    """The stored record: the contract's fields as entered, with the participant's ID and site, and I5's data from
    the recorded consent (its date; a person who signed was able to consent), whatever the entry said."""
    consent = first_consent(participant)
    if consent is None:
        raise ConsentRequired(gettext("%(participant_id)s has no informed consent recorded: record the consent before "
                                      "any screening or eligibility assessment") % {
                                          "participant_id": participant.participant_id})
    return {**record, "id": participant.participant_id, "site": participant.site.code,
            "consent_date": consent.consent_date.isoformat(), "able_to_consent": consent.able_to_consent}


def _require_current_consent(participant: Participant) -> None:
    needed = reconsent_required(participant)
    if needed is not None:
        raise ConsentRequired(gettext("%(participant_id)s must re-consent on ICF %(version)s before any further "
                                      "screening step") % {
                                          "participant_id": participant.participant_id, "version": needed.version})


def screen(*, user: Any, participant_id: str, screening_date: dt.date, record: dict[str, Any]) -> Participant:
    """Enter a consented participant's screening record (the contract's fields) from the screening visit on
    ``screening_date``; the eligibility verdict comes next (:func:`run_eligibility`)."""
    require_role(user, *SITE_ROLES)
    if screening_date > dt.datetime.now(dt.UTC).date():
        raise InputValidationError("screening_date", gettext("must not be in the future"))
    with transaction.atomic(), acting(user, reason="screening"):
        participant = get_visible_participant(user, participant_id, for_update=True)
        stored = record_with_consent(record, participant)
        if screening_date < dt.date.fromisoformat(stored["consent_date"]):
            raise InputValidationError("screening_date", gettext(
                "must not be before the informed consent (%(stored)s)") % {"stored": stored['consent_date']})
        _require_current_consent(participant)
        if _screening_record_model().objects.filter(participant=participant).exists():
            raise TrialStateError(gettext("%(participant_id)s already has a screening record: "
                                          "change it with a reason") % {
                "participant_id": participant_id})
        apply_step(participant.status, LifecycleStep.SCREEN)  # raises IllegalTransition before anything is written
        participant.screening_date = screening_date
        _screening_record_model()(participant=participant, visit_code="SCR", record=stored).save()
        step(participant, LifecycleStep.SCREEN)
    return participant


def run_eligibility(*, user: Any, participant_id: str, on: dt.date) -> tuple[Participant, EligibilityOutcome]:
    """Evaluate the criteria on the screening record as of ``on``: eligible, screen failed, or still unknown.
    Refused (ConsentRequired) before the consent and its screening record are recorded."""
    require_role(user, *SITE_ROLES)
    with transaction.atomic(), acting(user, reason=f"eligibility assessed as of {on.isoformat()}"):
        participant = get_visible_participant(user, participant_id, for_update=True)
        screening = _screening_record_model().objects.filter(participant=participant).first()
        if screening is None:
            record_with_consent({}, participant)  # ConsentRequired when there is no consent either
            raise ConsentRequired(gettext("%(participant_id)s has no screening record yet: enter it (after the "
                                          "consent) "
                                          "before assessing eligibility") % {"participant_id": participant_id})
        screening.record = record_with_consent(screening.record, participant)
        _require_current_consent(participant)
        if participant.status == ParticipantState.CONSENTED:  # recorded before the screening step existed
            step(participant, LifecycleStep.SCREEN)
        if participant.status != ParticipantState.SCREENED:
            apply_step(participant.status, LifecycleStep.PASS_SCREENING)  # raises IllegalTransition
        outcome = evaluate(screening.record, on)
        screening.evaluated_on, screening.eligible, screening.criteria = on, outcome.eligible, outcome.criteria
        screening.save()
        if outcome.eligible is True:
            step(participant, LifecycleStep.PASS_SCREENING)
        elif outcome.eligible is False:
            step(participant, LifecycleStep.FAIL_SCREENING, failed_criteria=outcome.failed)
    return participant, outcome


def update_screening_record(*, user: Any, participant_id: str, record: dict[str, Any], reason: str) -> None:
    """Change the screening record (with the user's reason); the consent's data for I5 stay as recorded."""
    require_role(user, *SITE_ROLES)
    if not reason.strip():
        raise InputValidationError("reason", gettext("a change of the screening record needs your reason"))
    with transaction.atomic(), acting(user, reason=reason):
        participant = get_visible_participant(user, participant_id, for_update=True)
        screening = _screening_record_model().objects.filter(participant=participant).first()
        if screening is None:
            raise NotFound(gettext("%(participant_id)s has no screening record to change") % {
                "participant_id": participant_id})
        screening.record = record_with_consent(record, participant)
        screening.save()


def withdraw(*, user: Any, participant_id: str, reason: str, on: dt.date) -> Participant:
    require_role(user, *SITE_ROLES)
    if on > dt.datetime.now(dt.UTC).date():
        raise InputValidationError("withdrawal_date", gettext("must not be in the future"))
    with transaction.atomic(), acting(user, reason=reason):
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
    """Reveal one participant's sequence to the requesting investigator only; recorded and flagged.

    It works whatever the data locks (a lock holds data, not a participant's safety). Every attempt is recorded
    as an :class:`UnblindingAttempt`: a granted one with the unblinding, a refused one (wrong role, no reason, not
    randomised, not found) in a transaction of its own after the refused one rolled back, so it lasts.
    """
    try:
        return _grant_unblinding(user=user, participant_id=participant_id, reason=reason)
    except MescamsError as exc:
        record_refused_unblinding(user=user, participant_id=participant_id, reason=reason, refusal=str(exc))
        raise


def _grant_unblinding(*, user: Any, participant_id: str, reason: str) -> str:
    AllocationSlot = apps.get_model("randomisation", "AllocationSlot")  # by its label: randomisation is above trial

    if not BLINDING_POLICY.view(user.role).may_request_emergency_unblinding:
        raise BlindingViolation(gettext("only an investigator may request emergency unblinding"))
    if not reason.strip():
        raise InputValidationError("reason", gettext("emergency unblinding needs a reason"))
    with transaction.atomic(), acting(user, reason=f"emergency unblinding: {reason.strip()}"), \
            safety_override("emergency unblinding"):
        participant = get_visible_participant(user, participant_id, for_update=True)
        slot = AllocationSlot.objects.filter(participant=participant).first()
        if slot is None:
            raise NotFound(gettext("participant %(participant_id)s has not been randomised") % {
                "participant_id": participant_id})
        EmergencyUnblinding(participant=participant, requested_by=user, reason=reason.strip()).save()
        UnblindingAttempt(participant_ref=participant.participant_id, participant=participant,
                          username=user.username, role=str(user.role), reason=reason.strip(),
                          outcome="granted").save()
        if not participant.emergency_unblinded:
            participant.emergency_unblinded = True
            participant.save()
        return slot.sequence


def record_refused_unblinding(*, user: Any, participant_id: str, reason: str, refusal: str) -> UnblindingAttempt:
    """Record a refused emergency-unblinding request in its own transaction (the refusal text carries no
    allocation: no error of the request does). Typed values are cut to what the record can hold."""
    printable = "".join(c for c in str(participant_id) if c.isprintable())[:40]
    participant = visible_participants(user).filter(participant_id=printable).first()
    clean_reason = "".join(c for c in str(reason) if c.isprintable() or c in "\n\t").strip()[:2000]
    with transaction.atomic(), acting(user, reason="emergency unblinding refused"):
        attempt = UnblindingAttempt(participant_ref=printable, participant=participant, username=user.username,
                                    role=str(user.role), reason=clean_reason, outcome="refused",
                                    refusal="".join(c for c in refusal if c.isprintable())[:2000])
        attempt.save()
    return attempt


def my_emergency_unblinding(*, user: Any, participant_id: str) -> tuple[str, EmergencyUnblinding]:
    """The sequence again, for the investigator who requested this participant's emergency unblinding (their latest
    request). Anyone else, including other investigators, gets exactly the answer given for a participant never
    unblinded, so the answer says nothing about whether or by whom a participant was unblinded."""
    AllocationSlot = apps.get_model("randomisation", "AllocationSlot")  # by its label: randomisation is above trial

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
