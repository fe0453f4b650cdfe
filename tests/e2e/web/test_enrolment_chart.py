"""The enrolment chart's end labels as chromium lays them out: no two label boxes (``getBBox``) intersect or touch,
at the target and around it (boxes in the SVG's own units, so the same at any screen width)."""

from __future__ import annotations

from typing import Any

import pytest

from mescams.edc.web.charts import enrolment_chart
from tests.integration.edc.web.test_enrolment_chart import TARGET, _series

pytestmark = pytest.mark.browser

CLEAR = 1.0  # px between two label boxes at least: boxes that touch read as one line of text
BOXES = """() => Array.from(document.querySelectorAll('svg text'))
  .filter(t => Number(t.getAttribute('x')) > 570)
  .map(t => { const b = t.getBBox(); return [t.textContent, b.x, b.y, b.x + b.width, b.y + b.height]; })"""


@pytest.mark.parametrize(("screened", "randomised"), [(45, TARGET), (TARGET, TARGET), (TARGET + 1, TARGET),
                                                      (TARGET + 1, TARGET - 1), (33, 30), (1, 1), (60, 0)])
def test_end_label_boxes_do_not_intersect_in_the_browser(browser: Any, screened: int, randomised: int) -> None:
    page = browser.new_page(viewport={"width": 1280, "height": 800})
    page.set_content(f"<!doctype html><html lang='en'><body>"
                     f"{enrolment_chart(_series(screened), _series(randomised), TARGET)}</body></html>")
    boxes = page.evaluate(BOXES)
    page.close()
    assert len(boxes) == 1 + (screened > 0) + (randomised > 0)
    for i, (a, ax0, ay0, ax1, ay1) in enumerate(boxes):
        assert ax1 <= 720 and ay0 >= 0 and ay1 <= 300, f"{a!r} leaves the chart: {(ax0, ay0, ax1, ay1)}"
        for b, bx0, by0, bx1, by1 in boxes[i + 1:]:
            apart = ax1 + CLEAR <= bx0 or bx1 + CLEAR <= ax0 or ay1 + CLEAR <= by0 or by1 + CLEAR <= ay0
            assert apart, f"{a!r} {(ax0, ay0, ax1, ay1)} touches or intersects {b!r} {(bx0, by0, bx1, by1)}"
