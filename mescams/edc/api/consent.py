"""Before and around consent: the pre-screening log (``/api/prescreening``) and who must re-consent on a newer
ICF version (``/api/consent/reconsent-due``). Site roles only; nothing here carries allocation."""

from __future__ import annotations

from typing import Any

from ninja import Router, Status

from mescams.edc.api.schemas import ErrorOut, NotScreenedIn, PreScreeningIn, PreScreeningOut, ReconsentDueOut
from mescams.edc.trial import consent as consents
from mescams.edc.trial.models import PreScreening

prescreening_router = Router(tags=["pre-screening"])
consent_router = Router(tags=["consent"])
ERRORS: dict[int, Any] = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut}


def entry_out(e: PreScreening) -> dict[str, Any]:
    return {"id": e.pk, "site": e.site.code, "local_number": e.local_number, "logged_on": e.logged_on,
            "age_band": e.age_band, "ms_course": e.ms_course, "outcome": e.outcome,
            "reason_not_screened": e.reason_not_screened,
            "participant_id": e.participant.participant_id if e.participant_id else None}


@prescreening_router.get("", response={200: list[PreScreeningOut], **ERRORS})
def list_prescreening(request: Any) -> Any:
    """The pre-screening log of the user's sites, oldest first."""
    return [entry_out(e) for e in consents.visible_prescreenings(request.user)]


@prescreening_router.post("", response={201: PreScreeningOut, **ERRORS})
def log_prescreening(request: Any, body: PreScreeningIn) -> Any:
    """Log a person considered before any consent (a site-local number, age band, MS course; no identity)."""
    e = consents.log_prescreening(user=request.user, site_code=body.site, local_number=body.local_number,
                                  logged_on=body.logged_on, age_band=body.age_band, ms_course=body.ms_course,
                                  reason_not_screened=body.reason_not_screened)
    return Status(201, entry_out(e))


@prescreening_router.post("/{entry_id}/not-screened", response={200: PreScreeningOut, **ERRORS})
def not_screened(request: Any, entry_id: int, body: NotScreenedIn) -> Any:
    """Close an entry: the person will not be screened (not meeting criteria, declined, other reasons)."""
    return entry_out(consents.mark_not_screened(user=request.user, entry_id=entry_id,
                                                reason_not_screened=body.reason_not_screened))


@consent_router.get("/reconsent-due", response={200: list[ReconsentDueOut], **ERRORS})
def reconsent_due(request: Any) -> Any:
    """Participants still in the study whose latest consent predates an ICF version asking for re-consent."""
    return [{"participant_id": d.participant.participant_id, "site": d.participant.site.code,
             "status": d.participant.status, "consented_on": d.consented_on, "consent_date": d.consent_date,
             "needed_version": d.needed.version, "needed_approved_on": d.needed.approved_on}
            for d in consents.reconsent_due(user=request.user)]
