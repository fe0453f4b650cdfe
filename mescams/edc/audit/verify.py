"""Prove the audit trail: the hash chain is intact and every data row equals its last audited values.

Two kinds of tampering are caught. Editing, inserting or deleting an audit entry breaks the chain (a hash or
sequence mismatch at that entry). Editing, inserting or deleting a data row behind the system's back makes the
row differ from the values the trail last recorded for it; the report names the table, record, field and the
entry that recorded the expected value.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext

from mescams.edc.audit.audited import audited_models
from mescams.edc.audit.chain import GENESIS, entry_hash
from mescams.edc.audit.models import AuditEntry, AuditHead
from mescams.errors import AuditChainBroken

__all__ = ["VerifyReport", "verify_audit_trail"]


@dataclass(frozen=True)
class VerifyReport:
    entries: int
    records: int
    head_hash: str


def _chain(state: dict[tuple[str, str], dict[str, tuple[str | None, int]] | None]) -> tuple[int, str]:
    prev, expected_seq, count = GENESIS, 1, 0
    columns = ["id", "prev_hash", "entry_hash", "seq", "at", "user_id", "username", "role", "table", "record_id",
               "action", "field", "old", "new", "reason"]
    for row in AuditEntry.objects.order_by("seq").values(*columns).iterator(chunk_size=5000):
        seq = row["seq"]
        if seq != expected_seq:
            raise AuditChainBroken(seq, gettext(
                "expected entry %(expected_seq)s next, found %(seq)s (entries missing)") % {
                    "expected_seq": expected_seq, "seq": seq})
        if row["prev_hash"] != prev:
            raise AuditChainBroken(seq, gettext("prev_hash does not match the previous entry's hash"))
        if entry_hash(prev, row) != row["entry_hash"]:
            raise AuditChainBroken(seq, gettext(
                "its content does not match its hash (%(row)s record %(row_2)s field %(row_3)s), "
                                                "or the trail was written with another audit key (MESCAMS_AUDIT_KEY, "
                                                "or the "
                                                "secret key it derives from)") % {
                                                    "row": row['table'], "row_2": row['record_id'],
                                                    "row_3": row['field']})
        key = (row["table"], row["record_id"])
        if row["action"] == "delete":
            state[key] = None
        else:
            fields = state.get(key) or {}
            fields[row["field"]] = (row["new"], seq)
            state[key] = fields
        prev, expected_seq, count = row["entry_hash"], seq + 1, count + 1
    head = AuditHead.objects.filter(pk=1).first()
    if head is not None and (head.last_seq != count or head.last_hash != prev):
        raise AuditChainBroken(count + 1, gettext(
            "the chain head records entry %(last_seq)s; the trail ends at %(count)s") % {
                "last_seq": head.last_seq, "count": count})
    return count, prev


def verify_audit_trail() -> VerifyReport:
    """Raise AuditChainBroken at the first broken entry or tampered row; return counts when all is intact."""
    state: dict[tuple[str, str], dict[str, tuple[str | None, int]] | None] = {}
    count, head_hash = _chain(state)
    records = 0
    for model in audited_models():
        table = model._meta.db_table
        seen: set[str] = set()
        for row in model._base_manager.order_by("pk").values().iterator(chunk_size=2000):
            record = str(row[model._meta.pk.attname])
            seen.add(record)
            records += 1
            expected = state.get((table, record))
            if not expected:
                raise AuditChainBroken(f"{table}/{record}", gettext(
                    "row %(table)s record %(record)s is not in the audit trail (inserted behind the "
                                                                    "system's back)") % {
                                                                        "table": table, "record": record})
            for field, value in model.audit_values_of_row(row).items():
                want = expected.get(field)
                if want is None or want[0] != value:
                    entry = want[1] if want else "none"
                    raise AuditChainBroken(
                        f"{table}/{record}",
                        gettext("%(table)s record %(record)s field %(field)s: the database holds %(value)s, the "
                                "trail's last value is %(value_2)s (entry %(entry)s): changed behind the "
                                "system's back") % {
                                    "table": table, "record": record, "field": field, "value": value,
                                    "value_2": want[0] if want else 'absent', "entry": entry},
                    )
        for (t, record), fields in state.items():
            if t == table and fields is not None and record not in seen:
                last = max(seq for _, seq in fields.values())
                raise AuditChainBroken(f"{table}/{record}", gettext(
                    "%(table)s record %(record)s was deleted behind the system's back (last entry "
                                                                    "%(last)s)") % {
                                                                        "table": table, "record": record, "last": last})
    return VerifyReport(entries=count, records=records, head_hash=head_hash)
