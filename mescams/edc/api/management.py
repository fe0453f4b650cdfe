"""Data-management routes: queries, casebook signatures, data locks and the audit trail."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext
from ninja import Router, Status

from mescams.core.blinding import BLINDING_POLICY, Reveal, Role
from mescams.edc.api.participants import ERRORS
from mescams.edc.api.schemas import (
    AnswerIn,
    AuditEntryOut,
    CasebookOut,
    FollowUpIn,
    LockOut,
    QueryIn,
    QueryOut,
    ReasonIn,
    SignatureOut,
    SignIn,
    UnblindingAttemptOut,
)
from mescams.edc.audit.models import AuditEntry
from mescams.edc.queries import services
from mescams.edc.queries.casebook import casebook_gaps, casebook_state, manifestation
from mescams.edc.queries.models import DataLock, Signature
from mescams.edc.trial.models import UnblindingAttempt
from mescams.edc.trial.services import Forbidden, get_visible_participant, require_role

router = Router(tags=["data management"])

ALLOCATION_TABLES = ("randomisation_allocationlist", "randomisation_allocationslot",
                     "safety_casereveal", "safety_expeditedreport")  # a reveal or a report implies a treatment
LAB_FIELDS = {("crfs_infusion", f) for f in ("cells_infused", "viability_percent", "cells_per_kg")}


def _query_out(q: Any) -> dict[str, Any]:
    return {"id": q.pk, "participant_id": q.participant.participant_id, "form": q.form, "record_id": q.record_id,
            "field": q.field, "edit_check": q.edit_check, "text": q.text, "status": q.status,
            "opened_by": q.opened_by, "answer": q.answer, "answered_by": q.answered_by, "closed_by": q.closed_by,
            "messages": [{"number": m.number, "kind": m.kind, "author": m.author, "role": m.role, "text": m.text,
                          "at": m.at} for m in q.messages.all()]}


def _lock_out(lock: DataLock) -> dict[str, Any]:
    return {"participant_id": lock.participant.participant_id if lock.participant else None,
            "locked_by": lock.locked_by, "locked_at": lock.locked_at, "unlocked_by": lock.unlocked_by,
            "unlocked_at": lock.unlocked_at, "unlock_reason": lock.unlock_reason}


@router.get("/queries", response={200: list[QueryOut], **ERRORS})
def list_queries(request: Any, status: str | None = None) -> Any:
    qs = (services.visible_queries(request.user).order_by("participant__participant_id", "opened_at", "pk")
          .prefetch_related("messages"))
    if status:
        qs = qs.filter(status=status)
    return [_query_out(q) for q in qs]


@router.post("/queries", response={201: QueryOut, **ERRORS})
def open_query(request: Any, body: QueryIn) -> Any:
    q = services.open_query(user=request.user, participant_id=body.participant_id, form=body.form,
                            record_id=body.record_id, field=body.field, text=body.text)
    return Status(201, _query_out(q))


@router.post("/queries/{query_id}/answer", response={200: QueryOut, **ERRORS})
def answer_query(request: Any, query_id: int, body: AnswerIn) -> Any:
    return _query_out(services.answer_query(user=request.user, query_id=query_id, answer=body.answer))


@router.post("/queries/{query_id}/follow-up", response={200: QueryOut, **ERRORS})
def follow_up_query(request: Any, query_id: int, body: FollowUpIn) -> Any:
    """The data manager asks more: the message joins the thread and the query is open again."""
    return _query_out(services.follow_up_query(user=request.user, query_id=query_id, text=body.text))


@router.post("/queries/{query_id}/close", response={200: QueryOut, **ERRORS})
def close_query(request: Any, query_id: int) -> Any:
    return _query_out(services.close_query(user=request.user, query_id=query_id))


@router.post("/participants/{participant_id}/signature", response={200: SignatureOut, 201: SignatureOut, **ERRORS})
def sign(request: Any, participant_id: str, body: SignIn) -> Any:
    """Investigator e-signature of the casebook: the password again, and what the signature means; an incomplete
    casebook needs ``sign_anyway`` and a ``reason``. The same request again answers 200 with the same signature."""
    s = services.sign_casebook(user=request.user, participant_id=participant_id, password=body.password,
                               meaning=body.meaning, sign_anyway=body.sign_anyway, reason=body.reason)
    return Status(200 if s.replayed else 201, manifestation(s))


@router.get("/participants/{participant_id}/signatures", response={200: list[SignatureOut], **ERRORS})
def signatures(request: Any, participant_id: str) -> Any:
    p = get_visible_participant(request.user, participant_id)
    return [manifestation(s) for s in Signature.objects.filter(participant=p).order_by("signed_at", "pk")]


@router.get("/participants/{participant_id}/casebook", response={200: CasebookOut, **ERRORS})
def casebook(request: Any, participant_id: str) -> Any:
    """What signing would face: the casebook's state (unsigned, signed, needs re-signing), what is incomplete, and
    every signature with its manifestation and state."""
    require_role(request.user, Role.INVESTIGATOR, Role.SITE_COORDINATOR, Role.DATA_MANAGER)
    p = get_visible_participant(request.user, participant_id)
    return {"participant_id": p.participant_id, "state": casebook_state(p), "incomplete": casebook_gaps(p),
            "signatures": [manifestation(s) for s in Signature.objects.filter(participant=p)
                           .order_by("signed_at", "pk")]}


@router.post("/participants/{participant_id}/lock", response={201: LockOut, **ERRORS})
def lock_participant(request: Any, participant_id: str) -> Any:
    return Status(201, _lock_out(services.lock(user=request.user, participant_id=participant_id)))


@router.post("/participants/{participant_id}/unlock", response={200: LockOut, **ERRORS})
def unlock_participant(request: Any, participant_id: str, body: ReasonIn) -> Any:
    return _lock_out(services.unlock(user=request.user, participant_id=participant_id, reason=body.reason))


@router.post("/trial/lock", response={201: LockOut, **ERRORS})
def lock_trial(request: Any) -> Any:
    return Status(201, _lock_out(services.lock(user=request.user)))


@router.post("/trial/unlock", response={200: LockOut, **ERRORS})
def unlock_trial(request: Any, body: ReasonIn) -> Any:
    return _lock_out(services.unlock(user=request.user, reason=body.reason))


@router.get("/emergency-unblinding-attempts", response={200: list[UnblindingAttemptOut], **ERRORS})
def unblinding_attempts(request: Any) -> Any:
    """Every emergency-unblinding request, granted or refused, oldest first (data managers, statistician, DSMB).
    The records hold who, role, when, why and the refusal, never the allocation."""
    require_role(request.user, Role.DATA_MANAGER, Role.UNBLINDED_STATISTICIAN, Role.DSMB)
    return list(UnblindingAttempt.objects.order_by("at", "pk")[:5000])


@router.get("/audit", response={200: list[AuditEntryOut], **ERRORS})
def audit_trail(request: Any, table: str, record_id: str) -> Any:
    """The audit entries of one record (data managers, statistician, DSMB); allocation stays hidden when blinded."""
    require_role(request.user, Role.DATA_MANAGER, Role.UNBLINDED_STATISTICIAN, Role.DSMB)
    blinded = not BLINDING_POLICY.may_see(request.user.role, Reveal.ALLOCATION_LIST)
    if blinded and table in ALLOCATION_TABLES:
        raise Forbidden(gettext("the allocation list's audit trail is not available to blinded roles"))
    entries = AuditEntry.objects.filter(table=table, record_id=record_id).order_by("seq")
    if not BLINDING_POLICY.may_see(request.user.role, Reveal.CELL_COUNTS):
        entries = entries.exclude(table="crfs_infusion", field__in=[f for _, f in LAB_FIELDS])
    return list(entries[:5000])
