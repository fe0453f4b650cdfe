"""Is this participant's data locked? (the one question every audited save of clinical data asks)."""

from __future__ import annotations

from django.db.models import Q


def lock_reason(participant_pk: int | None) -> str | None:
    """Why the participant's data may not change (a trial lock or a participant lock), or None; one query."""
    from mescams.edc.queries.models import DataLock

    scope = Q(participant__isnull=True) | Q(participant_id=participant_pk) if participant_pk is not None \
        else Q(participant__isnull=True)
    locked = list(DataLock.objects.filter(scope, unlocked_at__isnull=True).values_list("participant_id", flat=True)[:2])
    if any(p is None for p in locked):
        return "the trial's data are locked; a data manager must unlock them (audited) first"
    if locked:
        return "this participant's data are locked; a data manager must unlock them (audited) first"
    return None
