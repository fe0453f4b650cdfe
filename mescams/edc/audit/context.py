"""Who is acting and why: the audit context every change of trial data must run inside.

Services open it (``with acting(user, reason=...)``); :class:`mescams.edc.audit.audited.AuditedModel` refuses to
save or delete without one, so no code path can change trial data without naming who did it.
"""

from __future__ import annotations

import contextvars
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.utils.translation import gettext

from mescams.edc.audit.actor import Actor
from mescams.edc.audit.chain import deferred
from mescams.errors import InputValidationError

__all__ = ["Actor", "MissingAuditContext", "acting", "current_actor", "current_reason"]


class MissingAuditContext(RuntimeError):
    """A programming error: trial data changed outside ``acting(...)``."""


_actor: contextvars.ContextVar[Actor | None] = contextvars.ContextVar("mescams_audit_actor", default=None)
_reason: contextvars.ContextVar[str] = contextvars.ContextVar("mescams_audit_reason", default="")


@contextmanager
def acting(who: Actor | Any, *, reason: str = "") -> Iterator[Actor]:
    """Run the block as ``who`` (an Actor or a user) with ``reason`` recorded on every change.

    Entered inside a transaction (``with transaction.atomic(), acting(user):``, as the services do), the block's
    audit entries are chained at its end, just before the commit (:func:`mescams.edc.audit.chain.deferred`).
    """
    actor = who if isinstance(who, Actor) else Actor.of(who)
    if len(reason) > 2000:
        raise InputValidationError("reason", gettext("at most 2000 characters"))
    t1, t2 = _actor.set(actor), _reason.set(reason.strip())
    try:
        with deferred():
            yield actor
    finally:
        _actor.reset(t1)
        _reason.reset(t2)


def current_actor() -> Actor:
    actor = _actor.get()
    if actor is None:
        raise MissingAuditContext("trial data may change only inside mescams.edc.audit.context.acting(...)")
    return actor


def current_reason() -> str:
    return _reason.get()
