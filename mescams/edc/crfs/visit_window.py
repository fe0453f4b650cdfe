"""A visit-dated eCRF against the participant's visit plan: its window, and the dates that can belong to its visit.

The rules are the core's (``visit_plan_for`` and ``visit_date_bounds`` of :mod:`mescams.core.schedule`); this
module finds what they need in the database (week 0, the date the previous visit was held) and records the
consequence of a date outside the window: a protocol deviation, written once per record.
"""

from __future__ import annotations

import datetime as dt

from mescams.core.schedule import PlannedVisit, visit_date_bounds, visit_plan_for
from mescams.edc.crfs.base import ParticipantRecord
from mescams.edc.crfs.models import FORMS
from mescams.edc.trial.models import Participant, ProtocolDeviation
from mescams.protocols import default_protocol

__all__ = ["admissible_dates", "planned_window", "record_deviation", "visit_date_of"]


def planned_window(participant: Participant, record: ParticipantRecord) -> PlannedVisit | None:
    """The window of the record's scheduled visit; None for an undated form, screening or before randomisation."""
    if not record.date_field or participant.week0_date is None:
        return None
    try:
        visit = default_protocol().visit(record.visit_code)
    except KeyError:
        return None
    if visit.week is None or not isinstance(getattr(record, record.date_field), dt.date):
        return None
    return visit_plan_for(visit, participant.week0_date)


def visit_date_of(participant: Participant, visit_code: str, *, exclude: ParticipantRecord | None = None
                  ) -> dt.date | None:
    """The date a visit was held: the earliest date recorded on any visit-dated eCRF of that visit."""
    dates: list[dt.date] = []
    for model in FORMS.values():
        if not model.date_field or model.form == "consent":
            continue
        qs = model.objects.filter(participant=participant, visit_code=visit_code)
        if exclude is not None and isinstance(exclude, model) and exclude.pk is not None:
            qs = qs.exclude(pk=exclude.pk)
        first = qs.order_by(model.date_field).values_list(model.date_field, flat=True).first()
        if first is not None:
            dates.append(first)
    return min(dates, default=None)


def admissible_dates(participant: Participant, record: ParticipantRecord) -> tuple[dt.date, dt.date | None] | None:
    """(earliest, latest) dates that can belong to the record's visit at all, or None when no window applies."""
    window = planned_window(participant, record)
    if window is None or participant.week0_date is None:
        return None
    protocol = default_protocol()
    scheduled = sorted((v for v in protocol.visits if v.week is not None), key=lambda v: v.week or 0)
    codes = [v.code for v in scheduled]
    i = codes.index(record.visit_code)
    previous = visit_date_of(participant, codes[i - 1], exclude=record) if i > 0 else None
    return visit_date_bounds(protocol, record.visit_code, participant.week0_date, previous)


def record_deviation(participant: Participant, record: ParticipantRecord) -> ProtocolDeviation | None:
    """A saved record dated outside its window: the protocol deviation (written once per record), else None."""
    window = planned_window(participant, record)
    if window is None or record.date_field is None:  # a window is planned only for a dated form
        return None
    actual = getattr(record, record.date_field)
    if window.contains(actual):
        return None
    existing = ProtocolDeviation.objects.filter(participant=participant, kind="out_of_window", form=record.form,
                                                record_id=str(record.pk)).first()
    if existing is not None:
        return existing
    deviation = ProtocolDeviation(
        participant=participant, kind="out_of_window", visit_code=record.visit_code, form=record.form,
        record_id=str(record.pk), actual_date=actual,
        description=f"{record.form} at {record.visit_code} dated {actual}, {window.days_outside(actual):+d} days "
                    f"outside the window {window.window_start} to {window.window_end}",
    )
    deviation.save()
    return deviation
