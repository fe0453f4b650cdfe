"""The lock in force on a participant's data, for the pages that show it before anyone tries to save."""

from __future__ import annotations

from typing import Any

from mescams.edc.queries.models import DataLock


def active_lock(p: Any) -> DataLock | None:
    """The lock in force on this participant's data: their own, else the whole trial's (None when unlocked)."""
    own: DataLock | None = DataLock.objects.filter(participant=p, unlocked_at__isnull=True).first()
    whole: DataLock | None = DataLock.objects.filter(participant__isnull=True, unlocked_at__isnull=True).first()
    return own or whole
