"""Who changed trial data: a user (id, user name, role) or the system; every audit entry names one.

Its own module so that the audit context (:mod:`mescams.edc.audit.context`, which re-exports it) and the chain it
writes to (:mod:`mescams.edc.audit.chain`) both build on it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

__all__ = ["Actor"]


@dataclass(frozen=True)
class Actor:
    user_id: int | None
    username: str
    role: str

    @classmethod
    def of(cls, user: Any) -> Actor:
        return cls(user.pk, user.username, str(getattr(user, "role", "")))

    @classmethod
    def system(cls, what: str = "system") -> Actor:
        return cls(None, what, "system")
