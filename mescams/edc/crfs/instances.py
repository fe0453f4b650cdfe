"""How many instances of each eCRF a participant may have, as the protocol file declares (``forms``).

A *single* form is unique per participant and its declared ``unique_by`` fields (vital signs once per visit,
a safety lab once per test and visit, demographics once per participant); a *log* (adverse events, medications,
relapses) is not limited. The rule is enforced twice, on purpose:

- here, before the insert, so a second entry is refused with :class:`~mescams.errors.DuplicateRecord` naming the
  record already there (the API answers 409 with its URL, the page offers to change it);
- by the database's unique constraint on the same columns (``Meta.constraints`` of each model), so two writers
  racing past the first check still leave one row: the loser's IntegrityError becomes the same DuplicateRecord
  (:func:`duplicate_after_integrity_error`) and its transaction is rolled back whole.

:func:`declaration_problems` checks that the models' constraints match the protocol, so an amended protocol
without the matching migration is caught at start-up (``mescams migrate`` / ``manage.py check``) and in tests.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeAlias

from django.db.models import UniqueConstraint

from mescams.errors import DuplicateRecord
from mescams.protocols import default_protocol

# crfs.base's ParticipantRecord, not imported: base calls this module on every save (a Django model is Any to mypy)
ParticipantRecord: TypeAlias = Any

__all__ = ["constraint_name", "declaration_problems", "duplicate_after_integrity_error", "ensure_new_instance",
           "existing_instance", "unique_fields"]


def constraint_name(form: str) -> str:
    """The database name of a single form's unique constraint."""
    return f"crfs_one_{form}"


def unique_fields(form: str) -> list[str] | None:
    """The columns a single form is unique on (participant first), or None for a log form. A record that is not one
    of the protocol's eCRFs (the lab's product preparation) keeps its own constraint and is not governed here."""
    if form not in {f.code for f in default_protocol().forms}:
        return None
    spec = default_protocol().form(form)
    return ["participant", *spec.unique_by] if spec.unique_by is not None else None


def existing_instance(record: ParticipantRecord) -> ParticipantRecord | None:
    """The other record of a single form holding the same key as ``record``, if any (None for log forms)."""
    fields = unique_fields(record.form)
    if fields is None:
        return None
    columns = ["participant_id" if name == "participant" else name for name in fields]
    others = type(record)._base_manager.filter(**{c: getattr(record, c) for c in columns})
    if record.pk is not None:
        others = others.exclude(pk=record.pk)
    return others.order_by("pk").first()


def _duplicate(record: ParticipantRecord, existing: ParticipantRecord) -> DuplicateRecord:
    fields = unique_fields(record.form) or []
    return DuplicateRecord(form=record.form, participant_id=existing.participant.participant_id,
                           record_id=int(existing.pk),
                           key={name: str(getattr(existing, name)) for name in fields if name != "participant"})


def ensure_new_instance(record: ParticipantRecord) -> None:
    """Raise DuplicateRecord if saving ``record`` would make a second instance of a single form."""
    existing = existing_instance(record)
    if existing is not None:
        raise _duplicate(record, existing)


def duplicate_after_integrity_error(record: ParticipantRecord) -> DuplicateRecord | None:
    """After the database refused ``record`` (a concurrent writer got there first), the DuplicateRecord naming
    that writer's record; None when the IntegrityError had another cause."""
    existing = existing_instance(record)
    return _duplicate(record, existing) if existing is not None else None


def declaration_problems(forms: Mapping[str, Any]) -> list[str]:
    """Where the eCRF models (``forms``: code -> model, :data:`mescams.edc.crfs.models.FORMS`, which builds on this
    module) and the protocol's ``forms`` disagree: an undeclared model, a declared field the model lacks, or a single
    form whose unique constraint is missing or on other columns."""
    protocol = default_protocol()
    declared = {f.code for f in protocol.forms}
    problems = [f"form {code}: not declared in the protocol's forms" for code in forms if code not in declared]
    problems += [f"forms.{code}: no such eCRF in the EDC" for code in declared if code not in forms]
    for code, model in forms.items():
        if code not in declared:
            continue
        wanted = unique_fields(code)
        names = {f.name for f in model._meta.concrete_fields}
        problems += [f"forms.{code}.unique_by: {name} is not a field of {code}"
                     for name in wanted or [] if name not in names]
        constraints: dict[str, Any] = {c.name: c for c in model._meta.constraints if isinstance(c, UniqueConstraint)}
        found = constraints.get(constraint_name(code))
        if wanted is None and found is not None:
            problems.append(f"forms.{code}: declared a log, but the database holds {constraint_name(code)}")
        elif wanted is not None and (found is None or list(found.fields) != wanted):
            have = list(found.fields) if found is not None else None
            problems.append(f"forms.{code}: declared single on {wanted}, but the database constraint is {have} "
                            "(a migration is needed)")
    return problems
