"""Growing delays after failed log-ins, per account at each address and per address; never a lock-out.

Why not lock an account after five failures: anyone who knows a user name could then lock its owner out (the
investigator included, and with it e-signature and emergency unblinding), and the lock answered real user names
differently from invented ones (403 ``account_locked`` against 401), which told an attacker which names exist.

Instead every failure is counted under two keys that do not depend on whether the user exists:

- the account as typed, *at this client address* (the name is hashed, so a password typed in the name field is
  never stored): after ``MESCAMS_LOGIN_FREE_FAILURES`` failures (default 5) each further failure makes the next
  attempt wait twice as long (1 s, 2 s, 4 s ... up to ``MESCAMS_LOGIN_MAX_DELAY_MINUTES``, default 15);
  an attacker elsewhere slows down only their own attempts, never the owner's;
- the client address, whatever account it tries, with four times as many free failures (password spraying).

An attempt during a delay is refused with :class:`LoginThrottled` (HTTP 429 and Retry-After) before the password
is checked, with the same answer for every name. A successful log-in clears its account's key at that address;
counts are forgotten a day after the last failure. An administrator can clear an account's delays at once
(:func:`release`, ``mescams users unlock NAME --reason ...``), recorded in the audit trail. The per-address rate
limit of :mod:`.ratelimit` still caps the attempts of one address per minute in front of all this.
"""

from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.utils.translation import gettext

from mescams.core.blinding import Role
from mescams.edc.audit.chain import append
from mescams.edc.audit.context import Actor
from mescams.edc.security.models import LoginThrottle
from mescams.edc.security.ratelimit import client_address
from mescams.edc.security.roles import require_role
from mescams.errors import InputValidationError, MescamsError

__all__ = ["FORGET_AFTER_SECONDS", "LoginThrottled", "Throttle", "check", "delay_seconds", "keys_for",
           "record_failure", "record_success", "release"]

FORGET_AFTER_SECONDS = 24 * 3600
"""A key's failures are forgotten this long after its last failure."""
ADDRESS_FACTOR = 4
"""An address gets this many times the free failures of one account (it may be shared by a whole hospital)."""


class LoginThrottled(MescamsError):
    """Too many failed log-ins for this account from this address, or from this address: wait ``retry_after`` s."""

    def __init__(self, retry_after: int) -> None:
        super().__init__(gettext("too many failed log-ins; try again in %(retry_after)s s") % {
            "retry_after": retry_after})
        self.retry_after = retry_after


@dataclass(frozen=True)
class Throttle:
    """The delay rule: free failures per account at an address, and the longest delay in seconds."""

    free_failures: int
    max_delay: int

    @classmethod
    def from_settings(cls) -> Throttle:
        free, minutes = settings.MESCAMS_LOGIN_THROTTLE
        return cls(free_failures=free, max_delay=minutes * 60)


def delay_seconds(failures: int, free: int, max_delay: int) -> int:
    """The wait after the ``failures``-th failure: none for the first ``free``, then 1, 2, 4 ... s, capped."""
    if failures <= free:
        return 0
    return min(max_delay, 2 ** min(failures - free - 1, 30))


def _account_hash(username: str) -> str:
    return hashlib.sha256(username.strip().casefold().encode("utf-8")).hexdigest()[:32]


def keys_for(username: str, request: Any) -> dict[str, int]:
    """The throttle keys of a log-in attempt and the factor of free failures of each."""
    address = client_address(request) if request is not None else "local"
    return {f"account:{_account_hash(username)}@{address}": 1, f"address:{address}": ADDRESS_FACTOR}


def check(keys: dict[str, int], *, now: float | None = None) -> None:
    """Raise :class:`LoginThrottled` if any key is still waiting (one query, the same for every user name)."""
    now = time.time() if now is None else now
    until = max(LoginThrottle.objects.filter(key__in=list(keys)).values_list("blocked_until", flat=True),
                default=0)
    if until > now:
        raise LoginThrottled(max(1, int(until - now + 0.999)))


def record_failure(keys: dict[str, int], *, rule: Throttle | None = None, now: float | None = None) -> None:
    """Count one failure under each key, atomically in the database all server processes share, and set each key's
    delay from its new count."""
    rule = rule or Throttle.from_settings()
    now = time.time() if now is None else now
    table = connection.ops.quote_name(LoginThrottle._meta.db_table)
    key_column = connection.ops.quote_name("key")
    stale = int(now) - FORGET_AFTER_SECONDS
    with connection.cursor() as cursor:
        for key, factor in keys.items():
            cursor.execute(
                f"INSERT INTO {table} ({key_column}, failures, last_failure, blocked_until) VALUES (%s, 1, %s, 0) "  # noqa: S608
                f"ON CONFLICT ({key_column}) DO UPDATE SET failures = CASE WHEN {table}.last_failure < %s THEN 1 "
                f"ELSE {table}.failures + 1 END, last_failure = %s RETURNING failures",
                [key, int(now), stale, int(now)])
            (failures,) = cursor.fetchone()
            wait = delay_seconds(int(failures), rule.free_failures * factor, rule.max_delay)
            cursor.execute(f"UPDATE {table} SET blocked_until = %s WHERE {key_column} = %s",  # noqa: S608
                           [now + wait if wait else 0, key])
    LoginThrottle.objects.filter(last_failure__lt=stale).delete()


def record_success(keys: dict[str, int]) -> None:
    """A right password clears its account's key at this address (not the address's: one valid account must not
    let an address go on spraying the others)."""
    LoginThrottle.objects.filter(key__in=[k for k in keys if k.startswith("account:")]).delete()


def release(*, user: Any, username: str, reason: str) -> int:
    """An administrator clears every delay on ``username``'s account (all addresses), audited; the number of keys
    cleared. The account need not exist (the same answer for every name)."""
    if user is not None:
        require_role(user, Role.ADMINISTRATOR)
    if not reason.strip():
        raise InputValidationError("reason", gettext("say why the delays are cleared"))
    with transaction.atomic():
        cleared, _ = LoginThrottle.objects.filter(key__startswith=f"account:{_account_hash(username)}@").delete()
        actor = Actor.of(user) if user is not None else Actor.system("cli")
        append(actor=actor, table="security_loginthrottle", record_id=username[:64], action="update",
               changes=[("login_delays", f"{cleared} key(s) waiting or counting", "cleared")], reason=reason.strip())
    return int(cleared)
