"""Data management services: queries (open, answer, close), casebook e-signatures, data locks."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils.translation import gettext

from mescams.core.blinding import Role
from mescams.edc.accounts.services import reauthenticate
from mescams.edc.audit.context import acting
from mescams.edc.audit.models import AuditHead
from mescams.edc.crfs.access import WRITE, may_write
from mescams.edc.crfs.models import FORMS
from mescams.edc.notifications import events as notifications
from mescams.edc.queries.casebook import casebook_gaps, site_timezone
from mescams.edc.queries.models import DataLock, Query, QueryMessage, Signature
from mescams.edc.security.need_to_know import ParticipantData, needs
from mescams.edc.trial.services import NotFound, get_visible_participant, require_role, visible_participants
from mescams.errors import IllegalTransition, InputValidationError

__all__ = ["answer_query", "close_query", "follow_up_query", "lock", "open_query", "queryable_fields", "sign_casebook",
           "unlock", "visible_queries"]


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


def queryable_fields(form: str) -> list[str]:
    """The fields of ``form`` a query may name (what the form holds, not its bookkeeping)."""
    model = FORMS[form]
    return [f.name for f in model._meta.concrete_fields
            if not f.primary_key and f.name not in ("participant", "created_at")]


def _check_target(participant: Any, form: str, field: str, record_id: str) -> None:
    """A query names a form that exists, a field of that form, and a record of that form of that participant."""
    if form not in FORMS:
        raise InputValidationError("form", gettext("must be one of %(sorted)s, got %(form)s") % {
            "sorted": ', '.join(sorted(FORMS)), "form": repr(form)})
    fields = queryable_fields(form)
    if field and field not in fields:
        raise InputValidationError("field", gettext("%(field)s is not a field of the %(form)s form (its fields: "
                                                    "%(fields)s)") % {
                                                        "field": repr(field), "form": form,
                                                        "fields": ', '.join(fields)})
    if record_id and not (record_id.isdigit() and 0 < int(record_id) < 2**63
                          and FORMS[form].objects.filter(participant=participant, pk=int(record_id)).exists()):
        raise InputValidationError("record_id", gettext("no %(form)s record %(record_id)s for participant "
                                                        "%(participant_id)s") % {
                                                            "form": form, "record_id": repr(record_id),
                                                            "participant_id": participant.participant_id})


def open_query(*, user: Any, participant_id: str, form: str, record_id: str = "", field: str = "", text: str) -> Query:
    """Open a query on one form (and optionally one field and one record of it); its question starts the thread.
    The data manager opens them on any participant, the monitor on those of its sites."""
    require_role(user, Role.DATA_MANAGER, Role.MONITOR)
    if not text.strip():
        raise InputValidationError("text", gettext("a query needs a question"))
    with transaction.atomic(), acting(user):
        participant = get_visible_participant(user, participant_id)
        _check_target(participant, form, field.strip(), record_id.strip())
        query = Query(participant=participant, form=form, record_id=record_id.strip(), field=field.strip(),
                      text=text.strip(), opened_by=user.username)
        query.save()
        notifications.query_raised(query)  # mailed once this commits
    return query


def _add_message(query: Query, *, user: Any, kind: str, text: str) -> QueryMessage:
    """The next message of the query's thread (the query row is locked, so numbers follow one another)."""
    number = QueryMessage.objects.filter(query=query).count() + 1
    message = QueryMessage(query=query, number=number, kind=kind, author=user.username, role=str(user.role),
                           text=text)
    message.save()
    return message


def answer_query(*, user: Any, query_id: int, answer: str) -> Query:
    """Answer a query (again, if a follow-up asked more): the answer joins the thread, earlier ones stay."""
    require_role(user, Role.SITE_COORDINATOR, Role.INVESTIGATOR, Role.EDSS_RATER)
    if not answer.strip():
        raise InputValidationError("answer", gettext("is required"))
    with transaction.atomic(), acting(user, reason="query answered"):
        query = _query(user, query_id)
        if query.status == "closed":
            raise IllegalTransition(gettext("query %(query_id)s is closed") % {"query_id": query_id})
        query.answer, query.answered_by, query.answered_at, query.status = answer.strip(), user.username, _now(), \
            "answered"
        query.save()
        _add_message(query, user=user, kind="answer", text=answer.strip())
        notifications.query_answered(query)  # mailed once this commits
    return query


def follow_up_query(*, user: Any, query_id: int, text: str) -> Query:
    """The data manager asks more on an open or answered query: the message joins the thread, the query reopens."""
    require_role(user, Role.DATA_MANAGER)
    if not text.strip():
        raise InputValidationError("text", gettext("a follow-up needs a question"))
    with transaction.atomic(), acting(user, reason="query follow-up"):
        query = _query(user, query_id)
        if query.status == "closed":
            raise IllegalTransition(gettext("query %(query_id)s is closed") % {"query_id": query_id})
        if query.status != "open":
            query.status = "open"
            query.save()
        _add_message(query, user=user, kind="follow_up", text=text.strip())
    return query


def close_query(*, user: Any, query_id: int, reason: str = "resolved") -> Query:
    """Close a query; the closing note (the reason) ends the thread."""
    require_role(user, Role.DATA_MANAGER)
    reason = (reason or "").strip() or "resolved"
    with transaction.atomic(), acting(user, reason=reason):
        query = _query(user, query_id)
        if query.status == "closed":
            raise IllegalTransition(gettext("query %(query_id)s is already closed") % {"query_id": query_id})
        query.status, query.closed_by, query.closed_at = "closed", user.username, _now()
        query.save()
        _add_message(query, user=user, kind="close", text=reason)
    return query


def sign_casebook(*, user: Any, participant_id: str, password: str, meaning: str, sign_anyway: bool = False,
                  reason: str = "") -> Signature:
    """The investigator signs the participant's casebook after re-entering the password (21 CFR Part 11 §11.200).

    An incomplete casebook (visits pending, forms missing, queries open) is signed only with an explicit
    ``sign_anyway`` and a reason, both kept with the signature. The same request again, while the signature it
    made still stands, returns that signature (``replayed`` true) and signs nothing more.
    """
    require_role(user, Role.INVESTIGATOR)
    if not meaning.strip():
        raise InputValidationError("meaning", gettext("state what the signature means"))
    reauthenticate(user, password)
    with transaction.atomic(), acting(user, reason=f"casebook signed: {meaning.strip()}"[:2000]):
        participant = get_visible_participant(user, participant_id, for_update=True)  # one signer at a time
        standing = (Signature.objects.filter(participant=participant, signed_by=user.username,
                                             meaning=meaning.strip(), invalidated_by_seq__isnull=True)
                    .order_by("-signed_at", "-pk").first())
        if standing is not None:
            standing.replayed = True
            return standing
        gaps = casebook_gaps(participant)
        if gaps and not sign_anyway:
            raise InputValidationError("sign_anyway", gettext("the casebook is incomplete (%(gaps)s): complete it, "
                                                              "or sign anyway with a reason") % {
                                                                  "gaps": '; '.join(gaps)})
        if gaps and not reason.strip():
            raise InputValidationError("reason", gettext("signing an incomplete casebook needs a reason"))
        # locked: a change committing meanwhile is either covered (before) or invalidates this signature (after)
        head = AuditHead.objects.select_for_update().filter(pk=1).first()
        signature = Signature(participant=participant, signed_by=user.username,
                              printed_name=(user.get_full_name() or "").strip() or user.username,
                              meaning=meaning.strip(), site_timezone=site_timezone(participant),
                              audit_seq=head.last_seq if head else 0, incomplete=gaps,
                              signed_anyway_reason=reason.strip() if gaps else "")
        signature.save()
    return signature


def lock(*, user: Any, participant_id: str | None = None) -> DataLock:
    """Lock one participant's data, or the whole trial's (``participant_id`` None)."""
    require_role(user, Role.DATA_MANAGER)
    with transaction.atomic(), acting(user, reason="data lock"):
        participant = get_visible_participant(user, participant_id) if participant_id else None
        if DataLock.objects.filter(participant=participant, unlocked_at__isnull=True).exists():
            raise IllegalTransition(gettext("already locked"))
        data_lock = DataLock(participant=participant, locked_by=user.username)
        data_lock.save()
    return data_lock


def unlock(*, user: Any, participant_id: str | None = None, reason: str) -> DataLock:
    require_role(user, Role.DATA_MANAGER)
    if not reason.strip():
        raise InputValidationError("reason", gettext("an unlock needs a reason (it is audited)"))
    with transaction.atomic(), acting(user, reason=reason):
        participant = get_visible_participant(user, participant_id) if participant_id else None
        data_lock = DataLock.objects.filter(participant=participant, unlocked_at__isnull=True).first()
        if data_lock is None:
            raise IllegalTransition(gettext("not locked"))
        data_lock.unlocked_by, data_lock.unlocked_at, data_lock.unlock_reason = user.username, _now(), reason.strip()
        data_lock.save()
    return data_lock
