"""A data cut-off: the snapshot as the trial stood at the end of a given day, before any export is built.

Why cut the snapshot and not the datasets: every domain, ADaM and the reviewer's guides must agree on what the
cut-off removed, so it is applied once to the one input they all read. Rules: a person consented after the
cut-off is not in the export; a record dated after it is dropped; an end date after it becomes unknown (the
event or medication is ongoing at the cut-off); a disposition after it makes the person ongoing; a randomisation
after it makes the person not yet assigned.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterable
from typing import TypeVar

from mescams.interop.snapshot import Disposition, Participant, TrialSnapshot

__all__ = ["apply_cutoff"]

T = TypeVar("T")


def _kept(records: Iterable[T], day: str, cutoff: dt.date, people: set[str]) -> tuple[T, ...]:
    return tuple(
        r
        for r in records
        if getattr(r, "participant_id") in people and (getattr(r, day) is None or getattr(r, day) <= cutoff)  # noqa: B009
    )


def _person(p: Participant, cutoff: dt.date) -> Participant:
    if p.disposition.date is not None and p.disposition.date > cutoff:
        p = dataclasses.replace(p, disposition=Disposition("ONGOING", None))
    if p.randomization_date is not None and p.randomization_date > cutoff:
        p = dataclasses.replace(p, randomization_date=None, sequence=None)
    return p


def _ended_by(record: T, field: str, cutoff: dt.date, **ongoing: object) -> T:
    end = getattr(record, field)
    if end is not None and end > cutoff:
        return dataclasses.replace(record, **{field: None}, **ongoing)  # type: ignore[type-var]
    return record


def apply_cutoff(snapshot: TrialSnapshot, cutoff: dt.date) -> TrialSnapshot:
    """The snapshot as of the end of ``cutoff`` (see the module's rules)."""
    people = tuple(_person(p, cutoff) for p in snapshot.participants if p.consent_date <= cutoff)
    ids = {p.participant_id for p in people}
    end_of_day = dt.datetime.combine(cutoff, dt.time(23, 59, 59), tzinfo=dt.UTC)
    return dataclasses.replace(
        snapshot,
        as_of=min(snapshot.as_of, end_of_day),
        participants=people,
        eligibility=_kept(snapshot.eligibility, "assessed_on", cutoff, ids),
        visits=_kept(snapshot.visits, "date", cutoff, ids),
        infusions=_kept(snapshot.infusions, "date", cutoff, ids),
        adverse_events=tuple(
            _ended_by(a, "end_date", cutoff, outcome="NOT RECOVERED/NOT RESOLVED")
            for a in _kept(snapshot.adverse_events, "onset_date", cutoff, ids)
        ),
        mri=_kept(snapshot.mri, "scan_date", cutoff, ids),
        edss=_kept(snapshot.edss, "date", cutoff, ids),
        relapses=tuple(_ended_by(r, "end_date", cutoff) for r in _kept(snapshot.relapses, "onset_date", cutoff, ids)),
        labs=_kept(snapshot.labs, "date", cutoff, ids),
        vitals=_kept(snapshot.vitals, "date", cutoff, ids),
        conmeds=tuple(
            _ended_by(c, "end_date", cutoff, ongoing=True) for c in _kept(snapshot.conmeds, "start_date", cutoff, ids)
        ),
        medical_history=_kept(snapshot.medical_history, "start_date", cutoff, ids),
        audit=tuple(a for a in snapshot.audit if a.participant_id in ids and a.at <= end_of_day),
    )
