"""Appending to the hash chain, and the hash itself (one definition used by writer and verifier)."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Sequence
from typing import Any

from django.db import transaction

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
    serialises writers.
    """
    if not changes:
        return []
    with transaction.atomic():
        head, _ = AuditHead.objects.select_for_update().get_or_create(pk=1)
        now = dt.datetime.now(dt.UTC)
        entries = []
        seq, prev = head.last_seq, head.last_hash
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
        AuditEntry.objects.bulk_create(entries)
        head.last_seq, head.last_hash = seq, prev
        head.save(update_fields=["last_seq", "last_hash"])
    return entries
