"""Is this participant's data locked? (the one question every audited save of clinical data asks)."""

from __future__ import annotations


def lock_reason(participant_pk: int | None) -> str | None:
    from mescams.edc.queries.models import DataLock

    active = DataLock.objects.filter(unlocked_at__isnull=True)
    if active.filter(participant__isnull=True).exists():
        return "the trial's data are locked; a data manager must unlock them (audited) first"
    if participant_pk is not None and active.filter(participant_id=participant_pk).exists():
        return "this participant's data are locked; a data manager must unlock them (audited) first"
    return None
