"""Data management services: queries (open, answer, close), casebook e-signatures, data locks."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction

from mescams.core.blinding import Role
from mescams.edc.accounts.services import reauthenticate
from mescams.edc.audit.context import acting
from mescams.edc.audit.models import AuditHead
from mescams.edc.crfs.access import WRITE, may_write
from mescams.edc.queries.models import DataLock, Query, Signature
from mescams.edc.security.need_to_know import ParticipantData, needs
from mescams.edc.trial.services import NotFound, get_visible_participant, require_role, visible_participants
from mescams.errors import IllegalTransition, InputValidationError

__all__ = ["answer_query", "close_query", "lock", "open_query", "sign_casebook", "unlock", "visible_queries"]


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def visible_queries(user: Any) -> Any:
    """Queries on the user's participants (none for a role whose work needs none); an EDSS rater sees (and may
    answer) only queries on forms it enters."""
    queries = Query.objects.filter(participant__in=visible_participants(user)).select_related("participant")
    if not needs(user.role, ParticipantData.QUERIES):
        return queries.none()
    if Role(user.role) is Role.EDSS_RATER:
        queries = queries.filter(form__in=[form for form in WRITE if may_write(user.role, form)])
    return queries


def _query(user: Any, query_id: int) -> Query:
    """The query if the user may see it. The message does not echo the number: query numbers are global, so
    the same request can carry different numbers in otherwise identical situations (the blinding walk)."""
    missing = NotFound("query_id: no such query among the queries you may see")
    if not 0 < query_id < 2**63:
        raise missing
    found = visible_queries(user).select_for_update(of=("self",)).filter(pk=query_id).first()
    if found is None:
        raise missing
    return found


def open_query(*, user: Any, participant_id: str, form: str, record_id: str = "", field: str = "", text: str) -> Query:
    require_role(user, Role.DATA_MANAGER)
    if not text.strip():
        raise InputValidationError("text", "a query needs a question")
    with transaction.atomic(), acting(user):
        participant = get_visible_participant(user, participant_id)
        query = Query(participant=participant, form=form, record_id=record_id, field=field, text=text.strip(),
                      opened_by=user.username)
        query.save()
    return query


def answer_query(*, user: Any, query_id: int, answer: str) -> Query:
    require_role(user, Role.SITE_COORDINATOR, Role.INVESTIGATOR, Role.EDSS_RATER)
    if not answer.strip():
        raise InputValidationError("answer", "is required")
    with transaction.atomic(), acting(user, reason="query answered"):
        query = _query(user, query_id)
        if query.status == "closed":
            raise IllegalTransition(f"query {query_id} is closed")
        query.answer, query.answered_by, query.answered_at, query.status = answer.strip(), user.username, _now(), \
            "answered"
        query.save()
    return query


def close_query(*, user: Any, query_id: int, reason: str = "resolved") -> Query:
    require_role(user, Role.DATA_MANAGER)
    with transaction.atomic(), acting(user, reason=reason or "query closed"):
        query = _query(user, query_id)
        if query.status == "closed":
            raise IllegalTransition(f"query {query_id} is already closed")
        query.status, query.closed_by, query.closed_at = "closed", user.username, _now()
        query.save()
    return query


def sign_casebook(*, user: Any, participant_id: str, password: str, meaning: str) -> Signature:
    """The investigator signs the participant's casebook after re-entering the password; meaning is recorded."""
    require_role(user, Role.INVESTIGATOR)
    if not meaning.strip():
        raise InputValidationError("meaning", "state what the signature means")
    reauthenticate(user, password)
    with transaction.atomic(), acting(user, reason="casebook signed"):
        participant = get_visible_participant(user, participant_id)
        head = AuditHead.objects.filter(pk=1).first()
        signature = Signature(participant=participant, signed_by=user.username, meaning=meaning.strip(),
                              audit_seq=head.last_seq if head else 0)
        signature.save()
    return signature


def lock(*, user: Any, participant_id: str | None = None) -> DataLock:
    """Lock one participant's data, or the whole trial's (``participant_id`` None)."""
    require_role(user, Role.DATA_MANAGER)
    with transaction.atomic(), acting(user, reason="data lock"):
        participant = get_visible_participant(user, participant_id) if participant_id else None
        if DataLock.objects.filter(participant=participant, unlocked_at__isnull=True).exists():
            raise IllegalTransition("already locked")
        data_lock = DataLock(participant=participant, locked_by=user.username)
        data_lock.save()
    return data_lock


def unlock(*, user: Any, participant_id: str | None = None, reason: str) -> DataLock:
    require_role(user, Role.DATA_MANAGER)
    if not reason.strip():
        raise InputValidationError("reason", "an unlock needs a reason (it is audited)")
    with transaction.atomic(), acting(user, reason=reason):
        participant = get_visible_participant(user, participant_id) if participant_id else None
        data_lock = DataLock.objects.filter(participant=participant, unlocked_at__isnull=True).first()
        if data_lock is None:
            raise IllegalTransition("not locked")
        data_lock.unlocked_by, data_lock.unlocked_at, data_lock.unlock_reason = user.username, _now(), reason.strip()
        data_lock.save()
    return data_lock
