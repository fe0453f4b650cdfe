"""The enrolment chart's end labels ("target 31", "screened 45", "randomised 31") never overlap and keep the lines'
order, whatever the counts: their text boxes, from the rendered SVG and the font's metrics, are disjoint.

The box of a text at baseline ``y`` in a ``s`` px sans-serif font runs from ``y - 0.93 s`` to ``y + 0.24 s``
(DejaVu Sans, chromium's default sans font here: ascent 0.928 em, descent 0.236 em); the browser's own boxes are
checked in ``tests/e2e/web/test_enrolment_chart.py``.
"""

from __future__ import annotations

import datetime as dt
import re
from html import unescape

import pytest

from mescams.edc.web.charts import enrolment_chart, spread_labels

TARGET = 31  # the protocol's target enrolment
START = dt.date(2015, 3, 1)
ASCENT, DESCENT = 0.93, 0.24
TEXT = re.compile(r'<text x="([\d.]+)" y="([\d.]+)" font-size="(\d+)" fill="[^"]+">([^<]*)</text>')


def _series(last: int, days: int = 600) -> list[tuple[dt.date, int]]:
    return [(START + dt.timedelta(days=round(i * days / max(last, 1))), i) for i in range(1, last + 1)]


def end_labels(svg: str) -> list[tuple[str, float, float]]:
    """(text, top, bottom) of each end label: the texts right of the plot, where the lines end."""
    out = []
    for x, y, size, text in TEXT.findall(svg):
        if float(x) > 570:
            baseline, s = float(y), int(size)
            out.append((unescape(text), baseline - ASCENT * s, baseline + DESCENT * s))
    return out


def assert_readable(svg: str, values: dict[str, int]) -> None:
    labels = end_labels(svg)
    assert sorted(text for text, _, _ in labels) == sorted(f"{name} {n}" for name, n in values.items())
    height = float(re.search(r'viewBox="0 0 \d+ (\d+)"', svg).group(1))
    for text, top, bottom in labels:
        assert 0 <= top and bottom <= height, f"{text!r} leaves the chart"
    for i, (a, a_top, a_bottom) in enumerate(labels):
        for b, b_top, b_bottom in labels[i + 1:]:
            assert a_bottom <= b_top or b_bottom <= a_top, f"{a!r} ({a_top:.1f}-{a_bottom:.1f}) overlaps {b!r} " \
                                                           f"({b_top:.1f}-{b_bottom:.1f})"
    value = {text: int(text.rsplit(" ", 1)[1]) for text, _, _ in labels}
    for a, a_top, _ in labels:
        for b, b_top, _ in labels:
            if value[a] > value[b]:
                assert a_top < b_top, f"{a!r} is drawn below {b!r}: out of the lines' order"

def test_randomised_at_the_target_is_not_drawn_over_the_target_label() -> None:
    svg = str(enrolment_chart(_series(45), _series(TARGET), TARGET))
    assert_readable(svg, {"target": TARGET, "screened": 45, "randomised": TARGET})


@pytest.mark.parametrize("randomised", range(0, TARGET + 1))
@pytest.mark.parametrize("extra_screened", [0, 1, 2, 5, 14])
def test_no_two_end_labels_overlap_as_enrolment_grows(randomised: int, extra_screened: int) -> None:
    screened = randomised + extra_screened
    svg = str(enrolment_chart(_series(screened), _series(randomised), TARGET))
    values = {"target": TARGET, "screened": screened, "randomised": randomised}
    values = {name: n for name, n in values.items() if n or name == "target"}  # an empty line has no label
    assert_readable(svg, values)


def test_labels_above_the_target_stay_above_it() -> None:
    """Screened one above the target: its label stays above the target's, not pushed below it."""
    labels = end_labels(str(enrolment_chart(_series(TARGET + 1), _series(TARGET), TARGET)))
    tops = {text.split()[0]: top for text, top, _ in labels}
    assert tops["screened"] < tops["target"] < tops["randomised"]


def test_spread_labels_keeps_order_and_room_and_stays_above_the_axis() -> None:
    assert spread_labels([100, 100, 100], gap=16, lowest=260) == [100, 116, 132]
    assert spread_labels([10, 80, 200], gap=16, lowest=260) == [10, 80, 200]  # apart already: untouched
    assert spread_labels([250, 258, 260], gap=16, lowest=260) == [228, 244, 260]  # pushed back up from the axis
