"""Appending to the hash chain, and the hash itself (one definition used by writer and verifier)."""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import json
from collections.abc import Sequence
from typing import Any

from django.db import connection, transaction

from mescams.edc.audit.context import Actor
from mescams.edc.audit.models import AuditEntry, AuditHead

GENESIS = "0" * 64
HASHED_FIELDS = ("seq", "at", "user_id", "username", "role", "table", "record_id", "action", "field", "old",
                 "new", "reason")


def entry_hash(prev_hash: str, values: dict[str, Any]) -> str:
    """SHA-256 of the previous hash and the entry's columns as canonical JSON."""
    payload = {k: values[k] for k in HASHED_FIELDS}
    at = payload["at"]
    if isinstance(at, dt.datetime):
        payload["at"] = at.astimezone(dt.UTC).isoformat(timespec="microseconds")
    text = json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256((prev_hash + "\n" + text).encode("utf-8")).hexdigest()


def append(
    *,
    actor: Actor,
    table: str,
    record_id: str,
    action: str,
    changes: Sequence[tuple[str, str | None, str | None]],
    reason: str,
) -> list[AuditEntry]:
    """Append one entry per (field, old, new) after the chain's head, inside the caller's transaction.

    Locking the head row orders concurrent writers on PostgreSQL; on SQLite the IMMEDIATE transaction already
    serialises writers. The entries go in through one prepared INSERT, not the ORM's per-object compiler: every
    save of trial data passes here with a dozen or more fields, and the head row is locked until the caller
    commits, so the less work done while holding it, the less concurrent writers wait.
    """
    if not changes:
        return []
    with transaction.atomic(savepoint=False):
        seq, prev = _locked_head()
        now = dt.datetime.now(dt.UTC)
        entries = []
        for field, old, new in changes:
            seq += 1
            values = {
                "seq": seq, "at": now, "user_id": actor.user_id, "username": actor.username, "role": actor.role,
                "table": table, "record_id": record_id, "action": action, "field": field, "old": old, "new": new,
                "reason": reason,
            }
            digest = entry_hash(prev, values)
            entries.append(AuditEntry(**values, prev_hash=prev, entry_hash=digest))
            prev = digest
        _insert(entries)
        with connection.cursor() as cursor:
            cursor.execute(f"UPDATE {_HEAD} SET last_seq = %s, last_hash = %s WHERE id = 1", [seq, prev])
    return entries


_HEAD = AuditHead._meta.db_table
_ENTRY_FIELDS = [f for f in AuditEntry._meta.concrete_fields if not f.primary_key]


def _locked_head() -> tuple[int, str]:
    """The head's (last_seq, last_hash), locked for this transaction (created on first use)."""
    lock = " FOR UPDATE" if connection.features.has_select_for_update else ""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT last_seq, last_hash FROM {_HEAD} WHERE id = 1{lock}")
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
    return (f"INSERT INTO {quote(AuditEntry._meta.db_table)} ({', '.join(quote(f.column) for f in _ENTRY_FIELDS)}) "
            f"VALUES ({', '.join(['%s'] * len(_ENTRY_FIELDS))})")
