"""Durations and periods read from registry free text, and placeholder site codes: worked cases from real records'
wording (tests/fixtures/interop/ctgov_corpus) and the edge cases the rules promise."""

from __future__ import annotations

import re

import pytest

from mescams.interop.ctgov_periods import period_bounds, weeks_in
from mescams.interop.ctgov_sites import site_codes


@pytest.mark.parametrize(
    ("text", "weeks"),
    [
        ("Week 16", 16),
        ("Baseline; Weeks 2, 4, 8, and 12", 12),  # NCT03064438: the last week named, not the first
        ("up to 56 days", 8),
        ("Half annually for three years", 156),  # NCT00973089: a number in words
        ("2 year/end of study", 104),
        ("Up to 9 months after the last subject enrolled.", 39),
        ("Day 2: end of infusion and 4 hours post end of infusion, Day 5: middle of infusion", 1),
        ("After 5 doses of medication...", None),  # NCT03418623: no duration at all
        ("Baseline (single timepoint only)", None),
    ],
)
def test_weeks_in_reads_the_longest_duration_named(text: str, weeks: int | None) -> None:
    assert weeks_in(text) == weeks


def test_crossover_periods_come_from_the_arm_descriptions() -> None:
    arms = ["Drug A 10 mg daily for 4 weeks, followed by a 2-week washout", "Placebo daily for 4 weeks"]
    assert period_bounds(True, arms, ["8 weeks"], []) == (
        [0, 6, 10],
        "treatment of 4 week(s) and a 2-week washout read from the arm descriptions",
    )
    named = period_bounds(True, ["MSC at week 0, placebo at week 24"], ["48 weeks"], [0, 24])
    assert named == ([0, 24, 48], "switch at week 24, named in the arm descriptions")
    halved = period_bounds(True, ["Drug A", "Placebo"], ["Week 12"], [])
    assert halved[0] == [0, 6, 12] and "halved" in halved[1]
    assert period_bounds(True, ["GET73 300 mg"], ["After 5 doses of medication..."], [])[0] is None
    assert period_bounds(False, ["Group A"], ["Baseline (single timepoint only)"], [])[0] is None
    assert period_bounds(False, ["Group A"], ["14 days", "2 hours"], [])[0] == [0, 2]


def test_site_codes_are_unique_however_many_sites_share_a_city() -> None:
    assert site_codes(["Anchorage"] * 3 + ["Zürich", "", "Ottawa", "O"]) == [
        "ANC",
        "ANCA",
        "ANCB",
        "ZUR",
        "SIT",
        "OTT",
        "OX",
    ]
    many = site_codes(["Las Vegas"] * 800 + ["Las Cruces"])  # more than a prefix's 703 codes
    assert len(set(many)) == len(many) == 801
    assert all(re.fullmatch(r"[A-Z]{2,5}", c) for c in many)
    assert many[:2] == ["LAS", "LASA"]
