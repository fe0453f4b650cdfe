"""Automatic coding: when an AE, a medication or a screening record (its medical history and prior therapies) is
saved, and for every record by ``mescams coding autocode``.

Each run is the system acting (``autocoder``), audited with the rule that matched. A coder's decision, an open
query and a term awaiting review are left alone while the verbatim stays the same; a changed verbatim is coded
again from the start (the earlier decision was about other words).
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction

from mescams.edc.audit.context import Actor, acting
from mescams.edc.coding.decision import apply_code
from mescams.edc.coding.items import screening_entries
from mescams.edc.coding.loading import active_release
from mescams.edc.coding.matching import match_verbatim
from mescams.edc.coding.models import DICTIONARY_OF_FORM, RECORD_FORM, VERBATIM_FIELD, CodedTerm
from mescams.edc.coding.notes import note
from mescams.errors import DataLocked

__all__ = ["AUTOCODER", "AutocodeReport", "autocode_all", "code_record"]

AUTOCODER = Actor.system("autocoder")
_SETTLED = ("coded", "queried", "review", "ambiguous")
SCREENING_FORMS = tuple(form for form, record_form in RECORD_FORM.items() if record_form == "screening")


def code_record(record: Any) -> list[CodedTerm]:
    """Code one saved record: an AE or a medication (one term), or a screening record (one term per history entry
    and prior therapy, :func:`~mescams.edc.coding.items.screening_entries`; the terms of entries no longer in it
    are deleted, audited). Any other form: nothing. Runs inside the caller's transaction."""
    form = record.form
    if form == "screening":
        return _code_screening(record)
    if form not in DICTIONARY_OF_FORM:
        return []
    verbatim = str(getattr(record, VERBATIM_FIELD[form])).strip()
    return [_code_entry(record.participant_id, form, record.pk, "", verbatim)]


def _code_screening(record: Any) -> list[CodedTerm]:
    stored = json.loads(record.record) if isinstance(record.record, str) else record.record
    entries = screening_entries(stored if isinstance(stored, dict) else {})
    kept = {(e.form, e.item) for e in entries}
    for stale in CodedTerm.objects.filter(form__in=SCREENING_FORMS, record_pk=record.pk).order_by("pk"):
        if (stale.form, stale.item) not in kept:
            with acting(AUTOCODER, reason=f"the {stale.form} entry {stale.verbatim!r} left the screening record"):
                stale.delete()
    return [_code_entry(record.participant_id, e.form, record.pk, e.item, e.verbatim) for e in entries]


def _code_entry(participant_pk: int, form: str, record_pk: int, item: str, verbatim: str) -> CodedTerm:
    dictionary = DICTIONARY_OF_FORM[form]
    verbatim = verbatim[:200]
    term: CodedTerm | None = CodedTerm.objects.filter(form=form, record_pk=record_pk, item=item,
                                                      dictionary=dictionary).first()
    release = active_release(dictionary)
    if term is not None and term.verbatim == verbatim and (term.status in _SETTLED or release is None):
        return term
    changed = term is not None and term.verbatim != verbatim
    if term is None:
        term = CodedTerm(participant_id=participant_pk, form=form, record_pk=record_pk, item=item,
                         dictionary=dictionary)
    term.verbatim = verbatim
    match = match_verbatim(release, verbatim) if release is not None else None
    reason = "verbatim changed: coded again; " if changed else ""
    if match is not None and match.status == "coded":
        apply_code(term, release, match.code, status="coded", method=match.method,  # type: ignore[arg-type]
                   by=AUTOCODER.username, note=match.note)
        reason += f"autocoded: {match.method} match in {release.label}"  # type: ignore[union-attr]
    else:
        term.clear_codes()
        term.release, term.method, term.coded_by, term.coded_at = release, "", "", None
        term.status = match.status if match is not None else "uncoded"
        term.note = (match.note if match is not None else note("no_release", dictionary=dictionary))[:300]
        reason += f"not autocoded: {term.status}" + (f" ({term.note})" if term.note else "")
    with acting(AUTOCODER, reason=reason[:2000]):
        term.save()
    return term


@dataclass
class AutocodeReport:
    counts: Counter[str] = field(default_factory=Counter)
    locked: list[str] = field(default_factory=list)

    def lines(self) -> list[str]:
        out = [f"{k}: {v}" for k, v in sorted(self.counts.items())]
        out += [f"skipped (data locked): {who}" for who in self.locked]
        return out


def autocode_all() -> AutocodeReport:
    """Code every AE, medication and screening record's history and prior therapies not yet settled, each record
    in its own transaction."""
    from mescams.edc.crfs.models import (  # the crfs call code_record on save
        AdverseEvent,
        ConcomitantMedication,
        ScreeningRecord,
    )

    report = AutocodeReport()
    for model in (AdverseEvent, ConcomitantMedication, ScreeningRecord):
        for record in model.objects.select_related("participant").order_by("participant_id", "pk"):
            try:
                with transaction.atomic():
                    terms = code_record(record)
            except DataLocked:
                report.locked.append(f"{record.participant.participant_id} {model.form} {record.pk}")
                continue
            for term in terms:
                report.counts[f"{term.dictionary} {term.status}"] += 1
    return report
