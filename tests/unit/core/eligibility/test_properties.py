"""Properties that must hold for every record (hypothesis), not just the worked cases."""

from __future__ import annotations

import dataclasses
import datetime as dt

from hypothesis import given, settings
from hypothesis import strategies as st

from mescams.core.eligibility import Status, assess
from mescams.core.eligibility.record import Condition, LabResult, PatientRecord, Relapse, Therapy
from mescams.core.eligibility.rules import covered_days
from tests.factories.eligibility import CRITERIA
from tests.factories.eligibility_strategies import ON, near, records, therapies

SETTINGS = settings(max_examples=80, deadline=None)


def statuses(rec: PatientRecord, on: dt.date = ON) -> dict[str, Status]:
    return {v.id: v.status for v in assess(rec, on, CRITERIA).criteria}


def _add(rec: PatientRecord, field: str, item: object) -> PatientRecord:
    current = getattr(rec, field)
    if current is None:
        return rec  # adding to an unrecorded list would record it: that is not "unrelated"
    return dataclasses.replace(rec, **{field: (*current, item)})


@SETTINGS
@given(rec=records(), start=near(before=3000))
def test_adding_an_unrelated_item_never_changes_a_verdict(rec: PatientRecord, start: dt.date) -> None:
    before = statuses(rec)
    unrelated = [
        ("therapies", Therapy("vitamin_d", start, None, None)),
        ("conditions", Condition("asthma", start, None, True)),
        ("allergies", "penicillin"),
        ("labs", LabResult(ON + dt.timedelta(days=1), "egfr", 10.0, None, True)),  # after ON: not yet known
        ("relapses", Relapse(ON + dt.timedelta(days=3), True)),
    ]
    for field, item in unrelated:
        assert statuses(_add(rec, field, item)) == before, field


@SETTINGS
@given(rec=records(), days=st.integers(0, 400))
def test_a_later_on_never_brings_a_relapse_back_into_the_60_day_window(rec: PatientRecord, days: int) -> None:
    past = tuple(r for r in rec.relapses or () if r.onset_date <= ON)
    rec = dataclasses.replace(rec, relapses=past)
    later = ON + dt.timedelta(days=days)
    if statuses(rec)["E9"] is Status.NOT_MET:
        assert statuses(rec, later)["E9"] is Status.NOT_MET


@SETTINGS
@given(rec=records())
def test_order_of_list_items_does_not_matter(rec: PatientRecord) -> None:
    flipped = dataclasses.replace(rec, **{f: tuple(reversed(getattr(rec, f))) for f in
                                          ("relapses", "mri", "edss", "therapies", "conditions", "allergies", "labs")
                                          if getattr(rec, f) is not None})
    assert statuses(flipped) == statuses(rec)


@SETTINGS
@given(rec=records())
def test_eligible_is_the_contract_rule(rec: PatientRecord) -> None:
    result = assess(rec, ON, CRITERIA)
    blocked = any((v.kind == "inclusion" and v.status is Status.NOT_MET) or
                  (v.kind == "exclusion" and v.status is Status.MET) for v in result.criteria)
    open_ = any(v.status is Status.UNKNOWN for v in result.criteria)
    assert result.eligible is (False if blocked else None if open_ else True)


@SETTINGS
@given(rec=records())
def test_forgetting_a_list_never_decides_a_criterion_the_other_way(rec: PatientRecord) -> None:
    """Removing data can only make a verdict unknown, never flip met to not met or back."""
    before = statuses(rec)
    for field in ("relapses", "mri", "edss", "therapies", "conditions", "allergies", "labs"):
        after = statuses(dataclasses.replace(rec, **{field: None}))
        for cid, status in after.items():
            assert status is before[cid] or status is Status.UNKNOWN, (field, cid, before[cid], status)


@SETTINGS
@given(items=st.lists(therapies(), max_size=6))
def test_covered_days_is_the_number_of_distinct_days(items: list[Therapy]) -> None:
    drugs = frozenset({"interferon_beta", "fingolimod", "teriflunomide"})
    days: set[dt.date] = set()
    for t in items:
        if t.drug in drugs and t.start_date <= ON:
            end = min(t.end_date or ON, ON)
            days.update(t.start_date + dt.timedelta(days=k) for k in range((end - t.start_date).days + 1))
    assert covered_days(items, drugs, ON) == len(days)
