"""Appending to the hash chain, and the hash itself (one definition used by writer and verifier).

Every audited change comes through :func:`append`. Services run inside :func:`deferred` (entered by
:func:`mescams.edc.audit.context.acting` in a transaction), so their entries are chained together at the end of
the service's work, just before it commits.
"""

from __future__ import annotations

import contextlib
import contextvars
import datetime as dt
import functools
import hashlib
import hmac
import json
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import DatabaseError, connection, transaction

from mescams.edc.audit.actor import Actor
from mescams.edc.audit.models import AuditEntry, AuditHead

GENESIS = "0" * 64
HASHED_FIELDS = ("seq", "at", "user_id", "username", "role", "table", "record_id", "action", "field", "old",
                 "new", "reason")
_HEAD = AuditHead._meta.db_table
_ENTRY_FIELDS = [f for f in AuditEntry._meta.concrete_fields if not f.primary_key]


def entry_hash(prev_hash: str, values: dict[str, Any]) -> str:
    """HMAC-SHA-256, keyed with the audit key (``MESCAMS_AUDIT_KEY``), of the previous hash and the entry's columns
    as canonical JSON.

    Keyed, because a plain hash chain can be recomputed by anyone who can write to the database: rewrite an entry,
    recompute every hash after it, and the chain verifies. The key lives outside the database (the environment),
    so such a rewrite breaks the chain for whoever does not hold it.
    """
    return keyed_hash(prev_hash, {k: values[k] for k in HASHED_FIELDS})


def keyed_hash(prev_hash: str, payload: dict[str, Any]) -> str:
    """HMAC-SHA-256 under the audit key of ``prev_hash`` and ``payload`` as canonical JSON (datetimes in UTC to the
    microsecond): the one hash of the audit chain and of the access log (:mod:`mescams.edc.security.access_log`)."""
    payload = {k: v.astimezone(dt.UTC).isoformat(timespec="microseconds") if isinstance(v, dt.datetime) else v
               for k, v in payload.items()}
    text = json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hmac.new(settings.MESCAMS_AUDIT_KEY, (prev_hash + "\n" + text).encode("utf-8"), hashlib.sha256).hexdigest()


@dataclass(frozen=True)
class _Change:
    """One save's or delete's entries, waiting for the end of the transaction."""

    actor: Actor
    table: str
    record_id: str
    action: str
    changes: tuple[tuple[str, str | None, str | None], ...]
    reason: str
    marker: Callable[[], None]
    then: Callable[[int], None] | None = None  # told the change's first sequence number once it is chained


_pending: contextvars.ContextVar[list[_Change] | None] = contextvars.ContextVar("mescams_audit_pending", default=None)


def append(
    *,
    actor: Actor,
    table: str,
    record_id: str,
    action: str,
    changes: Sequence[tuple[str, str | None, str | None]],
    reason: str,
    then: Callable[[int], None] | None = None,
) -> None:
    """Add one entry per (field, old, new) to the chain, in the caller's transaction.

    Inside :func:`deferred` the entries wait for the end of its block; otherwise they are chained at once.
    ``then`` is called with the first entry's sequence number once the entries are chained (still in the
    transaction): what must follow a change and name its audit entry (a signature it invalidates) hooks in there.
    """
    if not changes:
        return
    pending = _pending.get()
    if pending is None:
        with transaction.atomic(savepoint=False):
            _chain([_Change(actor, table, record_id, action, tuple(changes), reason, _noop, then)])
        return
    marker = _Marker()
    # Registered like any on-commit hook, the marker is dropped by Django when a savepoint taken after it is rolled
    # back: that is how the flush knows this change was undone and must not be recorded.
    transaction.on_commit(marker)
    pending.append(_Change(actor, table, record_id, action, tuple(changes), reason, marker, then))


@contextlib.contextmanager
def deferred() -> Iterator[None]:
    """Chain the block's entries at its end, in the order they were made, still inside the transaction.

    Why: appending locks the chain's single head row until the transaction commits, so every writer waits for the
    one holding it. Appending at the end of the block (the service's transaction, which commits right after)
    holds the head for the flush and the commit alone, not for the rest of the service's work. Outside a
    transaction (autocommit) or inside another ``deferred`` block, entries are not held back further.
    """
    if _pending.get() is not None or not connection.in_atomic_block:
        yield
        return
    pending: list[_Change] = []
    # hooks registered before the block cannot be dropped while it runs (a savepoint rolled back inside it was
    # taken inside it), so only the block's own part of the list needs looking at when it ends
    first_hook = len(connection.run_on_commit)
    token = _pending.set(pending)
    try:
        yield
    except BaseException:
        _pending.reset(token)
        # The transaction is normally rolled back; should the caller catch this and commit, the changes that
        # survived are recorded all the same (a failing flush leaves the original error to propagate).
        if not connection.needs_rollback:
            with contextlib.suppress(DatabaseError):
                _flush(pending, first_hook)
        raise
    _pending.reset(token)
    _flush(pending, first_hook)


def _flush(pending: list[_Change], first_hook: int) -> None:
    live = {id(func) for _, func, _ in connection.run_on_commit[first_hook:]}
    survivors = [c for c in pending if id(c.marker) in live]
    if survivors:
        _chain(survivors)


class _Marker:
    def __call__(self) -> None:
        """Nothing to do at commit: the marker only shows that its change survived."""


def _noop() -> None:
    """Placeholder marker of a change chained at once."""


def _chain(batch: list[_Change]) -> None:
    """Lock the head, hash every entry of ``batch`` after it, insert them and move the head."""
    seq, prev = _locked_head()
    now = dt.datetime.now(dt.UTC)
    entries = []
    followers: list[tuple[Callable[[int], None], int]] = []
    for change in batch:
        if change.then is not None:
            followers.append((change.then, seq + 1))
        actor = change.actor
        for field, old, new in change.changes:
            seq += 1
            values = {
                "seq": seq, "at": now, "user_id": actor.user_id, "username": actor.username, "role": actor.role,
                "table": change.table, "record_id": change.record_id, "action": change.action, "field": field,
                "old": old, "new": new, "reason": change.reason,
            }
            digest = entry_hash(prev, values)
            entries.append(AuditEntry(**values, prev_hash=prev, entry_hash=digest))
            prev = digest
    _insert(entries)
    with connection.cursor() as cursor:
        # S608: the table name is the model's own; the values are parameters
        cursor.execute(f"UPDATE {_HEAD} SET last_seq = %s, last_hash = %s WHERE id = 1", [seq, prev])  # noqa: S608
    for follow, first_seq in followers:  # after the head moved: what they write is chained after this batch
        follow(first_seq)


def _locked_head() -> tuple[int, str]:
    """The head's (last_seq, last_hash), locked for this transaction (created on first use)."""
    lock = " FOR UPDATE" if connection.features.has_select_for_update else ""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT last_seq, last_hash FROM {_HEAD} WHERE id = 1{lock}")  # noqa: S608  model's table
        row = cursor.fetchone()
    if row is None:
        head, _ = AuditHead.objects.select_for_update().get_or_create(pk=1)
        return head.last_seq, head.last_hash
    return int(row[0]), str(row[1])


def _insert(entries: list[AuditEntry]) -> None:
    """One prepared INSERT run for every entry (``executemany``: one round trip on PostgreSQL, where psycopg
    pipelines it, and the statement text is parsed once per process), each value prepared by its field exactly as
    the ORM would."""
    params = [[f.get_db_prep_save(getattr(e, f.attname), connection) for f in _ENTRY_FIELDS] for e in entries]
    with connection.cursor() as cursor:
        cursor.executemany(_insert_sql(connection.vendor), params)


@functools.cache
def _insert_sql(vendor: str) -> str:
    quote = connection.ops.quote_name  # "table" is a reserved word
    # S608: the table and columns are the model's own, quoted; the values are parameters
    table, columns = quote(AuditEntry._meta.db_table), ", ".join(quote(f.column) for f in _ENTRY_FIELDS)
    return f"INSERT INTO {table} ({columns}) VALUES ({', '.join(['%s'] * len(_ENTRY_FIELDS))})"  # noqa: S608
