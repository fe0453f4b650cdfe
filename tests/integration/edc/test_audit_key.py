"""The audit chain is keyed: whoever can write to the database but lacks the audit key cannot re-forge it.

The attack a plain hash chain does not stop: change a data row and its audit entry together, then recompute every
hash from there to the head. With a key held outside the database (``MESCAMS_AUDIT_KEY``, or one derived from the
secret key), the recomputed chain no longer verifies; with the right key it would, which shows the key is what
protects the trail.
"""

from __future__ import annotations

import hashlib
import hmac
import json

import pytest
from django.db import connection
from django.test import override_settings

from mescams.edc.audit.chain import HASHED_FIELDS, entry_hash
from mescams.edc.audit.models import AuditEntry, AuditHead
from mescams.edc.audit.verify import verify_audit_trail
from mescams.edc.crfs.services import save_form
from mescams.edc.settings import audit_key
from mescams.errors import AuditChainBroken
from tests.factories.edc import randomised
from tests.integration.edc.test_validation_rules import GOOD


def _forge_weight(record_pk: int, weight: float, hasher) -> int:  # noqa: ANN001 - a function of (prev, values)
    """Set a vital-signs weight behind the system's back, rewrite its audit entry, re-chain every entry after it
    with ``hasher`` and move the head: the full forgery. Returns the forged entry's sequence number."""
    with connection.cursor() as cur:
        cur.execute("UPDATE crfs_vitalsigns SET weight_kg = %s WHERE id = %s", [weight, record_pk])
    victim = AuditEntry.objects.get(table="crfs_vitalsigns", record_id=str(record_pk), field="weight_kg")
    rows = list(AuditEntry.objects.filter(seq__gte=victim.seq).order_by("seq").values("id", "prev_hash",
                                                                                    *HASHED_FIELDS))
    prev = rows[0]["prev_hash"]
    with connection.cursor() as cur:
        for row in rows:
            if row["id"] == victim.pk:
                row["new"] = json.dumps(weight)
            digest = hasher(prev, row)
            cur.execute("UPDATE audit_auditentry SET new = %s, prev_hash = %s, entry_hash = %s WHERE id = %s",
                        [row["new"], prev, digest, row["id"]])
            prev = digest
        cur.execute("UPDATE audit_audithead SET last_hash = %s WHERE id = 1", [prev])
    return victim.seq


def _sha256_chain(prev: str, row: dict) -> str:
    """The forger's best guess without the key: the hash as it would be unkeyed."""
    text = json.dumps({k: row[k].isoformat(timespec="microseconds") if k == "at" else row[k] for k in HASHED_FIELDS},
                      sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256((prev + "\n" + text).encode("utf-8")).hexdigest()


def _vitals_pk(users) -> int:
    pid = randomised(users["coord"])
    return save_form(user=users["coord"], participant_id=pid, form="vital_signs", values=GOOD["vital_signs"]).pk


def test_a_rewritten_and_rechained_trail_without_the_key_fails_at_the_forged_entry(users, allocation) -> None:
    record = _vitals_pk(users)
    seq = _forge_weight(record, 55.0, _sha256_chain)
    with pytest.raises(AuditChainBroken) as caught:
        verify_audit_trail()
    assert caught.value.entry_id == seq and "another audit key" in caught.value.detail


def test_the_same_forgery_with_the_key_verifies_so_the_key_is_what_protects_the_trail(users, allocation) -> None:
    record = _vitals_pk(users)
    _forge_weight(record, 55.0, entry_hash)
    assert verify_audit_trail().entries == AuditEntry.objects.count()


def test_a_trail_checked_with_another_key_fails_from_its_first_entry(users, allocation) -> None:
    _vitals_pk(users)
    with override_settings(MESCAMS_AUDIT_KEY=b"another server's key"), pytest.raises(AuditChainBroken) as caught:
        verify_audit_trail()
    assert caught.value.entry_id == AuditEntry.objects.order_by("seq").first().seq
    assert AuditHead.objects.get(pk=1).last_seq == AuditEntry.objects.count()


def test_the_key_is_the_configured_one_or_derived_from_the_secret() -> None:
    assert audit_key("set by the operator", "secret") == b"set by the operator"
    derived = audit_key("", "secret")
    assert derived == hmac.new(b"secret", b"mescams audit chain v1", hashlib.sha256).digest()
    assert derived != audit_key("", "another secret") and derived != b"secret"
