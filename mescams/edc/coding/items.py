"""The coded entries of a screening record: the primary diagnosis, each medical history condition and each prior
therapy, with the key that names the entry within its record.

Why a key and not a position or a table of its own: the history lives in the screening record's contract JSON
(patient.schema.json), which the eligibility engine reads whole, so its entries have no rows to point at; a list
position shifts when the site inserts or removes an entry, which would hand one condition's coding to another. The
key is the entry's natural key in the registry contract (:mod:`mescams.prescreen.registry`: a condition is one per
code, a therapy one per drug and start date), so it survives reordering and any edit of the other fields; a change
of the words themselves is a new entry, coded from the start (the earlier decision was about other words). The
export (:mod:`mescams.edc.export.snapshot`) reads the same entries, so MH and CM rows find their coding by key.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

__all__ = ["PRIMARY_DIAGNOSIS", "PRIMARY_DIAGNOSIS_ITEM", "ScreeningEntry", "screening_entries"]

PRIMARY_DIAGNOSIS = "Multiple sclerosis"
"""The reported term of every screened participant's primary diagnosis (MH, MHCAT PRIMARY DIAGNOSIS)."""
PRIMARY_DIAGNOSIS_ITEM = "primary_diagnosis"
_KEY_LENGTH = 200  # CodedTerm.item


@dataclass(frozen=True)
class ScreeningEntry:
    """One codable entry: ``form`` is the coding form (``medical_history`` or ``prior_therapy``), ``item`` its key in
    the record, ``verbatim`` the words coded, ``entry`` the record's dict (empty for the primary diagnosis)."""

    form: str
    item: str
    verbatim: str
    entry: dict[str, Any]


def _bounded(key: str) -> str:
    """The key itself, or, when longer than the column, its head and a digest of the whole (still one per entry)."""
    if len(key) <= _KEY_LENGTH:
        return key
    return f"{key[:_KEY_LENGTH - 17]}#{hashlib.sha256(key.encode()).hexdigest()[:16]}"


def _unique(keys: list[str]) -> list[str]:
    """A second entry with the same key (the contract does not forbid it) is ``key#2``, in the record's order."""
    seen: dict[str, int] = {}
    out = []
    for key in keys:
        seen[key] = seen.get(key, 0) + 1
        out.append(key if seen[key] == 1 else f"{key}#{seen[key]}")
    return out


def _words(value: Any) -> str:
    return str(value or "").replace("_", " ").strip()


def screening_entries(record: dict[str, Any]) -> list[ScreeningEntry]:
    """The entries of a screening record to code: the primary diagnosis, then each condition, then each therapy."""
    out = [ScreeningEntry("medical_history", PRIMARY_DIAGNOSIS_ITEM, PRIMARY_DIAGNOSIS, {})]
    conditions = [c for c in record.get("conditions") or [] if isinstance(c, dict)]
    keys = _unique([f"condition:{c.get('code', '')}" for c in conditions])
    out += [ScreeningEntry("medical_history", _bounded(k), _words(c.get("code")), c) for k, c in zip(keys, conditions,
                                                                                                     strict=True)]
    therapies = [t for t in record.get("therapies") or [] if isinstance(t, dict)]
    keys = _unique([f"therapy:{t.get('drug', '')}@{t.get('start_date') or ''}" for t in therapies])
    out += [ScreeningEntry("prior_therapy", _bounded(k), _words(t.get("drug")), t) for k, t in zip(keys, therapies,
                                                                                                   strict=True)]
    return out
