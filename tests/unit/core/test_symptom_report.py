"""A participant's symptom report: validated, and due for an unscheduled visit within the protocol's window of the
onset; a possible relapse needs symptoms over 24 hours without fever or infection (the relapse definition)."""

from __future__ import annotations

import datetime as dt

import pytest

from mescams.core.symptom_report import ParticipantPortal, SymptomReport, assess_report
from mescams.errors import InputValidationError

TODAY = dt.date(2017, 3, 10)
PORTAL = ParticipantPortal(enabled=True, unscheduled_visit_within_days=7)


def _assess(**changes: object):  # type: ignore[no-untyped-def]
    values = {"onset_date": dt.date(2017, 3, 8), "systems": frozenset({"visual"}), "lasted_24_hours": True,
              "fever_or_infection": False, **changes}
    return assess_report(SymptomReport(**values), portal=PORTAL, min_duration_hours=24,  # type: ignore[arg-type]
                         exclude_fever_or_infection=True, today=TODAY)


def test_the_visit_is_due_within_the_window_of_the_onset() -> None:
    result = _assess()
    assert result.possible_relapse and result.visit_by == dt.date(2017, 3, 15) and not result.overdue
    assert [m.id for m in result.messages] == ["portal.report.visit_by"]
    assert result.messages[0].english().endswith("on or before 2017-03-15.")


def test_a_late_report_asks_for_a_visit_as_soon_as_possible() -> None:
    result = _assess(onset_date=dt.date(2017, 2, 20))
    assert result.overdue and result.visit_by == TODAY and result.messages[0].id == "portal.report.visit_now"


@pytest.mark.parametrize(("changes", "possible"), [
    ({"lasted_24_hours": False}, False),
    ({"fever_or_infection": True}, False),
    ({}, True),
])
def test_a_possible_relapse_follows_the_protocol_definition(changes: dict[str, object], possible: bool) -> None:
    assert _assess(**changes).possible_relapse is possible


def test_fever_adds_the_advice_to_seek_care() -> None:
    assert [m.id for m in _assess(fever_or_infection=True).messages] == ["portal.report.visit_by",
                                                                         "portal.report.fever"]


@pytest.mark.parametrize(("changes", "field", "message_id"), [
    ({"onset_date": dt.date(2017, 3, 11)}, "onset_date", "portal.report.onset_future"),
    ({"onset_date": dt.date(2016, 3, 1)}, "onset_date", "portal.report.onset_old"),
    ({"systems": frozenset()}, "systems", "portal.report.no_system"),
])
def test_bad_reports_name_the_field_with_a_message_id(changes: dict[str, object], field: str,
                                                      message_id: str) -> None:
    with pytest.raises(InputValidationError) as caught:
        _assess(**changes)
    assert caught.value.field == field and caught.value.message.id == message_id  # type: ignore[attr-defined]


def test_the_portal_is_off_by_default() -> None:
    assert ParticipantPortal().enabled is False
