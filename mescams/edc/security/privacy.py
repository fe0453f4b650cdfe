"""De-identification of a trial snapshot: what every export gets unless an identifiable one is asked for.

The trial shares no individual participant data, so an export is de-identified by default:

- no names or contact details (the EDC stores none; participants are known by their trial ID only);
- no birth dates (the age at consent is kept);
- every date and time of a participant moved by the same number of days, so that the participant's day 1 (first
  infusion; screening for a screen failure) falls on :data:`REFERENCE_DAY_1`: the dates now carry the study day
  and nothing else (intervals, study days and windows are unchanged, calendar dates are gone);
- the audit trail's user names replaced by their role, free-text reasons for change removed, the dates inside
  its old and new values moved like every other date, and birth dates blanked there too.

An identifiable export (real dates, birth dates, user names) needs an explicit option and an allowed role; see
``mescams.edc.api.exports``.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from typing import Any

from mescams.interop.snapshot import Participant, TrialSnapshot

__all__ = ["REFERENCE_DAY_1", "deidentify", "restrict_to_sites"]

REFERENCE_DAY_1 = dt.date(2000, 1, 3)
"""The calendar date every participant's day 1 is moved to in a de-identified export."""


def _anchors(snapshot: TrialSnapshot) -> dict[str, dt.date]:
    anchors: dict[str, dt.date] = {}
    for p in snapshot.participants:
        anchors[p.participant_id] = snapshot.first_infusion(p.participant_id) or p.randomization_date \
            or p.screening_date
    return anchors


def _shift(value: Any, delta: dt.timedelta) -> Any:
    """``value`` moved by ``delta``; a date that cannot be moved (absurd years at the calendar's ends) is dropped."""
    if isinstance(value, dt.datetime | dt.date):
        try:
            return value + delta
        except OverflowError:
            return None
    return value


_ISO_DATE = re.compile(r"\b(\d{4})-(\d{2})-(\d{2})\b")
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


def _audit_changes(item: Any, delta: dt.timedelta) -> dict[str, Any]:
    blank = item.field in _IDENTIFYING_FIELDS
    return {"user": item.role, "reason": "", "old_value": None if blank else _shift_text(item.old_value, delta),
            "new_value": None if blank else _shift_text(item.new_value, delta)}


def _shifted(item: Any, delta: dt.timedelta, **extra: Any) -> Any:
    changes = {f.name: _shift(getattr(item, f.name), delta) for f in dataclasses.fields(item)
               if isinstance(getattr(item, f.name), dt.date)}
    if isinstance(item, Participant):
        changes["disposition"] = _shifted(item.disposition, delta)
        changes["birth_date"] = None
    changes.update(extra)
    return dataclasses.replace(item, **changes)


def deidentify(snapshot: TrialSnapshot) -> TrialSnapshot:
    """The snapshot with birth dates removed, dates as study days on a common calendar, and no staff identities."""
    anchors = _anchors(snapshot)
    deltas = {pid: REFERENCE_DAY_1 - day for pid, day in anchors.items()}
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
    changes = {f.name: tuple(x for x in getattr(snapshot, f.name) if getattr(x, "participant_id", None) in keep)
               for f in dataclasses.fields(snapshot) if isinstance(getattr(snapshot, f.name), tuple)}
    return dataclasses.replace(snapshot, **changes)
