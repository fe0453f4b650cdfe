"""Is this participant's data locked? (the one question every audited save of clinical data asks).

A lock holds data, not a participant's safety: inside :func:`safety_override` (entered by emergency unblinding
alone) no lock stops the few audited writes that record the unblinding.

Why in the trial app: every save of participant data asks it (the participant's own record here, each eCRF in
:mod:`mescams.edc.crfs`), so it sits under them; the locks themselves are the data manager's, kept by
:mod:`mescams.edc.queries` (model ``queries.DataLock``, looked up through Django's app registry, not imported).
"""

from __future__ import annotations

import contextvars
from collections.abc import Iterator
from contextlib import contextmanager

from django.apps import apps
from django.db.models import Q

__all__ = ["lock_reason", "safety_override"]

_override: contextvars.ContextVar[str] = contextvars.ContextVar("mescams_lock_safety_override", default="")


@contextmanager
def safety_override(why: str) -> Iterator[None]:
    """Let the block write whatever the locks would hold (used only for emergency unblinding; audited by it)."""
    token = _override.set(why)
    try:
        yield
    finally:
        _override.reset(token)


def lock_reason(participant_pk: int | None) -> str | None:
    """Why the participant's data may not change (a trial lock or a participant lock), or None; one query."""
    if _override.get():
        return None
    scope = Q(participant__isnull=True) | Q(participant_id=participant_pk) if participant_pk is not None \
        else Q(participant__isnull=True)
    open_locks = apps.get_model("queries", "DataLock").objects.filter(scope, unlocked_at__isnull=True)
    locked = list(open_locks.values_list("participant_id", flat=True)[:2])
    if any(p is None for p in locked):
        return "the trial's data are locked; a data manager must unlock them (audited) first"
    if locked:
        return "this participant's data are locked; a data manager must unlock them (audited) first"
    return None
