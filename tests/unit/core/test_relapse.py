"""Relapse classification by the protocol's relapse_definition: new or worsening symptoms lasting > 24 h,
>= 30 days after the previous relapse onset, without fever or infection (protocol ``relapse_definition``)."""

from __future__ import annotations

import datetime as dt

import pytest

from mescams.core.protocol import RelapseDefinition
from mescams.core.relapse import RelapseEpisode, RelapseInputError, classify_relapse

D = dt.date
ONSET = D(2016, 5, 10)


def episode(**overrides):
    base = dict(onset=ONSET, new_or_worsening_symptoms=True, duration_hours=72, fever_or_infection=False,
                previous_onsets=(D(2016, 1, 5),))
    base.update(overrides)
    return RelapseEpisode(**base)


@pytest.fixture()
def rule(protocol):
    return protocol.relapse_definition


def test_typical_relapse(rule):
    v = classify_relapse(episode(), definition=rule)
    assert v.status == "relapse" and v.is_relapse is True
    assert "lasted 72 h (> 24 h)" in v.reason and "126 days after previous onset 2016-01-05" in v.reason


def test_exactly_24_hours_is_not_enough_25_is(rule):
    """"Lasting more than 24 h": 24 h is not a relapse, 24.5 h is."""
    assert classify_relapse(episode(duration_hours=24), definition=rule).status == "not_relapse"
    assert classify_relapse(episode(duration_hours=24.5), definition=rule).status == "relapse"


def test_30_days_after_previous_onset_is_a_new_relapse_29_is_not(rule):
    """">= 30 days after a previous relapse onset": day 30 counts, day 29 belongs to the previous relapse."""
    v30 = classify_relapse(episode(previous_onsets=(ONSET - dt.timedelta(days=30),)), definition=rule)
    v29 = classify_relapse(episode(previous_onsets=(ONSET - dt.timedelta(days=29),)), definition=rule)
    assert v30.status == "relapse"
    assert v29.status == "not_relapse" and "same relapse" in v29.reason


def test_the_latest_earlier_onset_is_the_reference_and_later_ones_are_ignored(rule):
    prev = (D(2015, 1, 1), ONSET - dt.timedelta(days=10), ONSET + dt.timedelta(days=5))
    assert classify_relapse(episode(previous_onsets=prev), definition=rule).status == "not_relapse"
    assert classify_relapse(episode(previous_onsets=(ONSET + dt.timedelta(days=5),)),
                            definition=rule).status == "relapse"


def test_fever_or_infection_makes_a_pseudo_relapse(rule):
    v = classify_relapse(episode(fever_or_infection=True), definition=rule)
    assert v.status == "not_relapse" and "pseudo-relapse" in v.reason


def test_fever_is_not_excluded_when_the_protocol_says_so():
    lenient = RelapseDefinition(min_duration_hours=24, min_days_since_previous_onset=30,
                                exclude_fever_or_infection=False)
    assert classify_relapse(episode(fever_or_infection=True), definition=lenient).status == "relapse"


def test_no_new_symptoms_is_not_a_relapse(rule):
    assert classify_relapse(episode(new_or_worsening_symptoms=False), definition=rule).status == "not_relapse"


@pytest.mark.parametrize("missing", ["duration_hours", "fever_or_infection", "new_or_worsening_symptoms"])
def test_missing_items_give_undetermined_never_not_relapse(rule, missing):
    v = classify_relapse(episode(**{missing: None}), definition=rule)
    assert v.status == "undetermined" and v.is_relapse is None


def test_a_failing_condition_beats_a_missing_one(rule):
    v = classify_relapse(episode(duration_hours=None, fever_or_infection=True), definition=rule)
    assert v.status == "not_relapse"


def test_parameters_come_from_the_protocol():
    longer = RelapseDefinition(min_duration_hours=48, min_days_since_previous_onset=30, exclude_fever_or_infection=True)
    assert classify_relapse(episode(duration_hours=47), definition=longer).status == "not_relapse"


@pytest.mark.parametrize(("field", "value"), [("duration_hours", -1), ("duration_hours", float("nan")),
                                               ("onset", "2016-05-10")])
def test_bad_input_names_the_field(field, value):
    with pytest.raises(RelapseInputError, match=f"^{field}:"):
        episode(**{field: value})
