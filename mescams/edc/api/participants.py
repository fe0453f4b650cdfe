"""Participant routes in the study's order: consent (which registers the participant), screening record,
eligibility, randomisation; then re-consent, withdrawal, completion, unblinding."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext
from ninja import Router, Status

from mescams.core.blinding import BLINDING_POLICY, Reveal
from mescams.edc.api.schemas import (
    ConsentIn,
    ConsentOut,
    DateIn,
    DeviationOut,
    EligibilityOut,
    ErrorOut,
    ParticipantOut,
    RandomisedOut,
    ReasonIn,
    ReconsentIn,
    ScreenIn,
    ScreeningUpdateIn,
    UnblindingOut,
    WithdrawIn,
)
from mescams.edc.crfs.access import may_read
from mescams.edc.crfs.models import Consent
from mescams.edc.randomisation import services as randomisation
from mescams.edc.security.need_to_know import ParticipantData, needs
from mescams.edc.trial import consent as consents
from mescams.edc.trial import services
from mescams.edc.trial.models import Participant, ProtocolDeviation

router = Router(tags=["participants"])
ERRORS: dict[int, Any] = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut,
                          423: ErrorOut}


def participant_out(p: Participant, user: Any) -> dict[str, Any]:
    """The participant as ``user`` may see it: the sequence only where the blinding policy allows, the reasons for
    leaving only where the role's work needs them."""
    slot = getattr(p, "allocation", None) if _has_slot(p) else None
    reasons = needs(user.role, ParticipantData.REASONS)
    return {
        "participant_id": p.participant_id,
        "site": p.site.code,
        "status": p.status,
        "screening_date": p.screening_date,
        "week0_date": p.week0_date,
        "product_code": slot.product_code if slot else None,
        "failed_criteria": list(p.failed_criteria or []) if reasons else [],
        "withdrawal_reason": p.withdrawal_reason if reasons else "",
        "emergency_unblinded": p.emergency_unblinded,
        "sequence": slot.sequence if slot and BLINDING_POLICY.may_see(user.role, Reveal.SEQUENCE) else None,
    }


def _has_slot(p: Participant) -> bool:
    try:
        return p.allocation is not None  # type: ignore[attr-defined]
    except Exception:  # noqa: BLE001 - RelatedObjectDoesNotExist: not randomised
        return False


def _one(user: Any, participant_id: str) -> dict[str, Any]:
    p = services.visible_participants(user).select_related("allocation").filter(participant_id=participant_id).first()
    if p is None:
        raise services.NotFound(gettext("participant %(participant_id)s not found") % {
            "participant_id": participant_id})
    return participant_out(p, user)


@router.get("", response={200: list[ParticipantOut], **ERRORS})
def list_participants(request: Any) -> Any:
    """Participants of the user's sites (all sites for roles not bound to a site), by participant ID."""
    qs = services.visible_participants(request.user).select_related("allocation")
    return [participant_out(p, request.user) for p in qs]


@router.post("", response={201: ParticipantOut, **ERRORS})
def register_by_consent(request: Any, body: ConsentIn) -> Any:
    """Record a signed informed consent, which registers the person (the first study act; status ``consented``).
    The screening record comes next (``POST /{participant_id}/screening``)."""
    p = consents.record_consent(user=request.user, site_code=body.site, consent_date=body.consent_date,
                                consent_time=body.consent_time, form_version=body.form_version,
                                obtained_by=body.obtained_by, prescreening_id=body.prescreening_id)
    return Status(201, _one(request.user, p.participant_id))


@router.get("/{participant_id}", response={200: ParticipantOut, **ERRORS})
def get_participant(request: Any, participant_id: str) -> Any:
    return _one(request.user, participant_id)


@router.post("/{participant_id}/screening", response={200: ParticipantOut, **ERRORS})
def screen(request: Any, participant_id: str, body: ScreenIn) -> Any:
    """Enter the screening record of a consented participant (patient.schema.json fields)."""
    services.screen(user=request.user, participant_id=participant_id, screening_date=body.screening_date,
                    record=body.record)
    return _one(request.user, participant_id)


@router.put("/{participant_id}/screening", response={200: ParticipantOut, **ERRORS})
def update_screening(request: Any, participant_id: str, body: ScreeningUpdateIn) -> Any:
    services.update_screening_record(user=request.user, participant_id=participant_id, record=body.record,
                                     reason=body.reason)
    return _one(request.user, participant_id)


@router.post("/{participant_id}/consent", response={201: ConsentOut, **ERRORS})
def reconsent(request: Any, participant_id: str, body: ReconsentIn) -> Any:
    """Record the participant's consent on a newer ICF version (the first consent is ``POST /participants``)."""
    c = consents.record_reconsent(user=request.user, participant_id=participant_id, consent_date=body.consent_date,
                                  consent_time=body.consent_time, form_version=body.form_version,
                                  obtained_by=body.obtained_by)
    return Status(201, _consent_out(c))


@router.get("/{participant_id}/consents", response={200: list[ConsentOut], **ERRORS})
def consent_history(request: Any, participant_id: str) -> Any:
    """Every consent of the participant, the registering one first (site roles and oversight)."""
    if not may_read(request.user.role, "consent"):
        raise services.Forbidden(gettext("the role %(role)s may not read consents") % {"role": request.user.role})
    p = services.get_visible_participant(request.user, participant_id)
    return [_consent_out(c) for c in Consent.objects.filter(participant=p).select_related("obtained_by", "participant")
            .order_by("consent_date", "pk")]


def _consent_out(c: Any) -> dict[str, Any]:
    return {"participant_id": c.participant.participant_id, "form_version": c.form_version,
            "consent_date": c.consent_date, "consent_time": c.consent_time,
            "obtained_by": c.obtained_by.username if c.obtained_by else None}


@router.post("/{participant_id}/eligibility", response={200: EligibilityOut, **ERRORS})
def eligibility(request: Any, participant_id: str, body: DateIn) -> Any:
    """Run the eligibility engine on the screening record as of ``on`` (planned randomisation date)."""
    _, outcome = services.run_eligibility(user=request.user, participant_id=participant_id, on=body.on)
    return {"participant": _one(request.user, participant_id), "eligible": outcome.eligible,
            "failed": outcome.failed, "criteria": outcome.criteria}


@router.post("/{participant_id}/randomise", response={200: RandomisedOut, **ERRORS})
def randomise(request: Any, participant_id: str, body: DateIn) -> Any:
    """Take the next free slot of the site's stratum; the answer carries the blinded product code only."""
    slot = randomisation.randomise(user=request.user, participant_id=participant_id, on=body.on)
    return {"participant": _one(request.user, participant_id), "product_code": slot.product_code}


@router.post("/{participant_id}/withdraw", response={200: ParticipantOut, **ERRORS})
def withdraw(request: Any, participant_id: str, body: WithdrawIn) -> Any:
    services.withdraw(user=request.user, participant_id=participant_id, reason=body.reason, on=body.on)
    return _one(request.user, participant_id)


@router.post("/{participant_id}/complete", response={200: ParticipantOut, **ERRORS})
def complete(request: Any, participant_id: str) -> Any:
    services.complete(user=request.user, participant_id=participant_id)
    return _one(request.user, participant_id)


@router.post("/{participant_id}/emergency-unblinding", response={200: UnblindingOut, **ERRORS})
def emergency_unblinding(request: Any, participant_id: str, body: ReasonIn) -> Any:
    """An investigator's emergency unblinding: revealed in this answer, to this user only; recorded and flagged."""
    sequence = services.emergency_unblind(user=request.user, participant_id=participant_id, reason=body.reason)
    return {"participant_id": participant_id, "sequence": sequence,
            "note": "revealed to you only; recorded with your reason, and the participant is flagged as unblinded"}


@router.get("/{participant_id}/emergency-unblinding", response={200: UnblindingOut, **ERRORS})
def my_emergency_unblinding(request: Any, participant_id: str) -> Any:
    """The requesting investigator's own emergency unblinding, shown again; for anyone else (other investigators
    included) the same 404 as for a participant never unblinded."""
    sequence, record = services.my_emergency_unblinding(user=request.user, participant_id=participant_id)
    return {"participant_id": participant_id, "sequence": sequence,
            "note": f"revealed to you only; you requested it on {record.at.date().isoformat()}: {record.reason}"}


@router.get("/{participant_id}/deviations", response={200: list[DeviationOut], **ERRORS})
def deviations(request: Any, participant_id: str) -> Any:
    p = services.get_visible_participant(request.user, participant_id)
    if not needs(request.user.role, ParticipantData.DEVIATIONS):
        raise services.Forbidden(gettext("the role %(role)s does not see protocol deviations") % {
            "role": request.user.role})
    return list(ProtocolDeviation.objects.filter(participant=p).order_by("at", "id"))
