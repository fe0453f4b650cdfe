"""The keys a stored screening record may hold, derived from :class:`~.record.PatientRecord`, and a strict check.

Why: the contract (``patient.schema.json``) lets the eligibility engine ignore extra fields, but the EDC is where
people type; a key the model does not know (``name``, ``health_card``, ``notes``) would be stored, audited and
exported without any rule applying to it. So the EDC refuses such a record, naming the key. The allowed keys are
read from the typed record model (the one place the contract lives in code), never from a copy of the schema; a
test checks they agree with the shared schema.
"""

from __future__ import annotations

import dataclasses
import types
import typing
from functools import lru_cache
from typing import Any, Union

from mescams.core.eligibility.parsing import parse_record
from mescams.core.eligibility.record import PatientRecord
from mescams.errors import EligibilityInputError

__all__ = ["Shape", "check_stored_record", "record_shape", "unknown_keys"]

Shape = dict[str, "Shape | None"]
"""Key -> the shape of its object (or of each item of its list of objects); None for a plain value."""


def _shape_of(hint: Any) -> Shape | None:
    if typing.get_origin(hint) in (Union, types.UnionType):
        inner = [a for a in typing.get_args(hint) if a is not type(None)]
        return _shape_of(inner[0]) if len(inner) == 1 else None
    if typing.get_origin(hint) is tuple:
        return _shape_of(typing.get_args(hint)[0])
    if dataclasses.is_dataclass(hint) and isinstance(hint, type):
        return _shape(hint)
    return None


def _shape(cls: type) -> Shape:
    hints = typing.get_type_hints(cls)
    return {f.name: _shape_of(hints[f.name]) for f in dataclasses.fields(cls)}


@lru_cache(maxsize=1)
def record_shape() -> Shape:
    """Every key of a screening record, nested for objects and lists of objects (``ms``, ``therapies``...)."""
    return _shape(PatientRecord)


def _unknown(value: object, shape: Shape, path: str) -> list[str]:
    if isinstance(value, list):
        return [k for i, item in enumerate(value) for k in _unknown(item, shape, f"{path}[{i}]")]
    if not isinstance(value, dict):
        return []
    out = []
    for key, item in value.items():
        where = f"{path}.{key}" if path else str(key)
        if key not in shape:
            out.append(where)
            continue
        inner = shape[key]
        if inner is not None:
            out += _unknown(item, inner, where)
    return out


def unknown_keys(record: object) -> list[str]:
    """The paths (``nickname``, ``ms.note``, ``therapies[0].prescriber``) of keys the record model does not have."""
    return _unknown(record, record_shape(), "")


def check_stored_record(record: object) -> PatientRecord:
    """A record the EDC may store: only the model's keys, every value of the contract's type; else
    EligibilityInputError naming the field (an unknown key first)."""
    extra = unknown_keys(record)
    if extra:
        raise EligibilityInputError(extra[0], "unknown key: not a field of the screening record (patient.schema.json)"
                                              "; names, contact details and notes have no place in it")
    return parse_record(record)
