"""The visit calendar of a site: every visit of its active participants that is overdue (window closed, eCRFs
missing), due now (window open) or coming within the horizon, with its planned date and window, soonest first.
Blinded: a visit plan depends on week 0 and the protocol only."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from mescams.edc.web.services import visit_statuses

SHOWN = ("overdue", "due", "partial", "upcoming")


@dataclass(frozen=True)
class CalendarEntry:
    participant_id: str
    site: str
    visit: str
    name: str
    planned: dt.date
    window_start: dt.date
    window_end: dt.date
    state: str  # overdue, due (window open, some or no forms yet), upcoming
    missing: int


def calendar(participants: Any, *, on: dt.date, horizon_days: int = 42) -> list[CalendarEntry]:
    """Visits overdue, open or opening within ``horizon_days`` of ``on``, by window start."""
    entries = []
    for p in participants:
        if p.week0_date is None:
            continue
        for s in visit_statuses(p, on=on):
            if s.plan is None or s.state not in SHOWN:
                continue
            if s.state == "upcoming" and s.plan.window_start > on + dt.timedelta(days=horizon_days):
                continue
            state = "due" if s.state in ("due", "partial") else s.state
            entries.append(CalendarEntry(p.participant_id, p.site.code, s.code, s.name, s.plan.planned_date,
                                         s.plan.window_start, s.plan.window_end, state, len(s.missing)))
    return sorted(entries, key=lambda e: (e.window_start, e.participant_id, e.visit))
