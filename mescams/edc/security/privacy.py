"""De-identification of a trial snapshot: what every export gets unless an identifiable one is asked for.

The trial shares no individual participant data, so an export is de-identified by default:

- no names or contact details (the EDC stores none; participants are known by their trial ID only);
- no birth dates (the age at consent is kept);
- every date and time of a participant moved by the same number of days, so that the participant's day 1 (first
  infusion; screening for a screen failure) falls on :data:`REFERENCE_DAY_1`: the dates now carry the study day
  and nothing else (intervals, study days and windows are unchanged, calendar dates are gone);
- every timestamp of a participant (infusion times, the audit trail's entries, times inside its values) moved by
  the same number of days as the dates, so no real moment is left from which the shift could be worked out;
- the audit trail's user names replaced by their role, free-text reasons for change removed, the dates inside
  its old and new values moved like every other date, and birth dates blanked there too;
- free text (AE terms, medications and indications, medical-history terms, withdrawal reasons, and free text in
  the audit trail's values and in the screening record) passed through :func:`.free_text.scrub`: only words of
  the clinical vocabulary and short numbers are kept; names, e-mail addresses, card numbers and dates are not;
- a key of the screening record that the record model does not know (a record stored before the EDC refused
  them) is dropped from the audit trail's copy of the record.

An identifiable export (real dates, birth dates, user names) needs an explicit option and an allowed role; see
``mescams.edc.api.exports``.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import re
from typing import Any

from mescams.core.eligibility.record_keys import Shape, record_shape
from mescams.edc.security.free_text import scrub
from mescams.interop.snapshot import AdverseEvent, ConMed, Disposition, MedicalHistory, Participant, TrialSnapshot

__all__ = ["FREE_TEXT_FIELDS", "REFERENCE_DAY_1", "deidentify", "participant_offset", "restrict_to_sites"]

REFERENCE_DAY_1 = dt.date(2000, 1, 3)
"""The calendar date every participant's day 1 is moved to in a de-identified export."""


FREE_TEXT_FIELDS = frozenset({"term", "drug", "indication", "reactions", "withdrawal_reason", "derivation",
                              "read_by", "form_version", "reason", "description", "text", "answer", "meaning"})
"""Fields of the EDC's records typed as free text: their values in the audit trail go through the free-text rule."""

_SNAPSHOT_FREE_TEXT: dict[type, tuple[str, ...]] = {
    AdverseEvent: ("term", "body_system"), ConMed: ("drug", "indication"), MedicalHistory: ("term",),
    Disposition: ("reason",),
}


def participant_offset(first_infusion: dt.date | None, randomisation: dt.date | None,
                       screening: dt.date) -> dt.timedelta:
    """The one shift of a participant's dates and times: day 1 (first infusion, else randomisation, else
    screening) moved to :data:`REFERENCE_DAY_1`. Every de-identified export uses it, so they agree."""
    return REFERENCE_DAY_1 - (first_infusion or randomisation or screening)


def _offsets(snapshot: TrialSnapshot) -> dict[str, dt.timedelta]:
    return {p.participant_id: participant_offset(snapshot.first_infusion(p.participant_id), p.randomization_date,
                                                 p.screening_date)
            for p in snapshot.participants}


def _shift(value: Any, delta: dt.timedelta) -> Any:
    """``value`` moved by ``delta``; a date that cannot be moved (absurd years at the calendar's ends) is dropped."""
    if isinstance(value, dt.datetime | dt.date):
        try:
            return value + delta
        except OverflowError:
            return None
    return value


_ISO_DATE = re.compile(r"(?<!\d)(\d{4})-(\d{2})-(\d{2})(?!\d)")  # in a date or a timestamp (...T09:00)
_IDENTIFYING_FIELDS = ("birth_date",)


def _shift_text(text: str | None, delta: dt.timedelta) -> str | None:
    """Move every ISO date inside a value of the audit trail (a JSON text) by ``delta``."""
    if text is None:
        return None

    def move(match: re.Match[str]) -> str:
        try:
            return (dt.date.fromisoformat(match.group(0)) + delta).isoformat()
        except ValueError:
            return match.group(0)  # not a date (e.g. 2016-13-45): nothing to move
        except OverflowError:
            return ""

    return _ISO_DATE.sub(move, text)


_CODE_KEYS = frozenset({"id", "site", "sex", "course", "test", "unit", "accelerated_elimination", "kind", "status"})
"""Keys of the screening record and of the eligibility verdict whose values are codes the EDC set or validated."""


def _clean_json(value: Any, shape: Shape | None, delta: dt.timedelta) -> Any:
    """A JSON value of the audit trail: birth dates and (inside the screening record) unknown keys dropped, dates
    moved, codes kept, every other text scrubbed."""
    if isinstance(value, dict):
        return {k: v if k in _CODE_KEYS and isinstance(v, str) else _clean_json(v, shape.get(k) if shape else None,
                                                                                 delta)
                for k, v in value.items() if k not in _IDENTIFYING_FIELDS and (shape is None or k in shape)}
    if isinstance(value, list):
        return [_clean_json(v, shape, delta) for v in value]
    if isinstance(value, str):
        moved = _shift_text(value, delta)
        return moved if _ISO_DATE.fullmatch(value[:10]) and len(value) <= 32 else scrub(moved)
    return value


def _audit_value(field: str, text: str | None, delta: dt.timedelta) -> str | None:
    """One old or new value of the audit trail (a JSON text) as a de-identified export carries it."""
    if text is None or field in _IDENTIFYING_FIELDS:
        return None
    if field not in FREE_TEXT_FIELDS and field not in ("record", "criteria"):
        return _shift_text(text, delta)  # a code, number, date or time the EDC validated: dates moved only
    try:
        value = json.loads(text)
    except ValueError:
        return scrub(_shift_text(text, delta))
    shape = record_shape() if field == "record" else None
    return json.dumps(_clean_json(value, shape, delta), sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def _audit_changes(item: Any, delta: dt.timedelta) -> dict[str, Any]:
    return {"user": item.role, "reason": "", "old_value": _audit_value(item.field, item.old_value, delta),
            "new_value": _audit_value(item.field, item.new_value, delta)}


def _shifted(item: Any, delta: dt.timedelta, **extra: Any) -> Any:
    """``item`` with every date and timestamp moved by ``delta`` and its free text scrubbed."""
    changes = {f.name: _shift(getattr(item, f.name), delta) for f in dataclasses.fields(item)
               if isinstance(getattr(item, f.name), dt.date)}
    changes |= {name: scrub(getattr(item, name)) for name in _SNAPSHOT_FREE_TEXT.get(type(item), ())}
    if isinstance(item, Participant):
        changes["disposition"] = _shifted(item.disposition, delta)
        changes["birth_date"] = None
    changes.update(extra)
    return dataclasses.replace(item, **changes)


def deidentify(snapshot: TrialSnapshot) -> TrialSnapshot:
    """The snapshot with birth dates removed, dates and times as study days on a common calendar, free text
    scrubbed and no staff identities."""
    deltas = _offsets(snapshot)
    zero = dt.timedelta(0)
    changes: dict[str, Any] = {}
    for f in dataclasses.fields(snapshot):
        value = getattr(snapshot, f.name)
        if not isinstance(value, tuple):
            continue
        items = []
        for item in value:
            delta = deltas.get(getattr(item, "participant_id", ""), zero)
            extra = _audit_changes(item, delta) if f.name == "audit" else {}
            items.append(_shifted(item, delta, **extra))
        changes[f.name] = tuple(items)
    return dataclasses.replace(snapshot, **changes)


def restrict_to_sites(snapshot: TrialSnapshot, sites: set[str]) -> TrialSnapshot:
    """Only the participants of ``sites`` (and their data): what a site-bound role may export."""
    keep = {p.participant_id for p in snapshot.participants if p.site in sites}
    changes: dict[str, Any] = {
        f.name: tuple(x for x in getattr(snapshot, f.name) if getattr(x, "participant_id", None) in keep)
        for f in dataclasses.fields(snapshot) if isinstance(getattr(snapshot, f.name), tuple)}
    return dataclasses.replace(snapshot, **changes)
