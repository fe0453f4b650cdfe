"""Pages as chromium lays them out (issue 18's rendering defects): nothing wider than a 390 px phone on the
screening form and the rater's EDSS table; the live verdict stays in view while the screening form scrolls; a
5,000-character query answer wraps inside its table; the heat map has its legend and the lesion chart a panel per
sequence with the medians. Screenshots go to the session's ``screenshots/`` folder."""

from __future__ import annotations

from typing import Any

import pytest

from tests.e2e.web.test_journeys import log_in

pytestmark = pytest.mark.browser
PHONE = {"width": 390, "height": 844}
WIDER_THAN_VIEWPORT = """() => Array.from(document.querySelectorAll('main *'))
  .filter(e => e.getBoundingClientRect().right > window.innerWidth + 0.5 && !e.closest('.scroll'))
  .map(e => e.tagName + (e.id ? '#' + e.id : '') + ' ' + Math.round(e.getBoundingClientRect().right))"""


def test_screening_form_fits_a_phone_and_its_verdict_stays_in_view(browser: Any, live_server: Any, trial: Any,
                                                                   shoot: Any) -> None:
    from tests.factories.edc import consented

    pid = consented(trial["coord"])
    phone = log_in(browser.new_context(viewport=PHONE), live_server.url, "coord")
    phone.goto(f"{live_server.url}/site/p/{pid}/screening/")
    shoot(phone, "coordinator-screening-390")
    assert phone.evaluate(WIDER_THAN_VIEWPORT) == []
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    assert phone.locator("#screening-form").bounding_box()["width"] <= 390
    assert phone.evaluate(WIDER_THAN_VIEWPORT) == []

    wide = log_in(browser.new_context(viewport={"width": 1280, "height": 800}), live_server.url, "coord")
    wide.goto(f"{live_server.url}/site/p/{pid}/screening/")
    wide.get_by_role("button", name="Register screening").last.scroll_into_view_if_needed()
    assert wide.evaluate("window.scrollY") > 800  # the form is longer than the screen
    panel = wide.locator("#eligibility-panel").bounding_box()
    assert 0 <= panel["y"] < 800, panel  # still in view beside the bottom of the form
    shoot(wide, "coordinator-screening-verdict-in-view")


def test_the_raters_edss_table_is_not_cut_off_on_a_phone(browser: Any, live_server: Any, trial: Any,
                                                         shoot: Any) -> None:
    from mescams.edc.crfs.services import save_form
    from tests.factories.edc import RANDOMISATION, randomised

    pid = randomised(trial["coord"])
    save_form(user=trial["rater"], participant_id=pid, form="edss",
              values={"visit_code": "W0", "assessment_date": RANDOMISATION, "visual": 1, "brainstem": 1,
                      "pyramidal": 3, "cerebellar": 2, "sensory": 2, "bowel_bladder": 1, "cerebral": 2,
                      "ambulation": 0})
    page = log_in(browser.new_context(viewport=PHONE), live_server.url, "rater")
    page.goto(f"{live_server.url}/rater/p/{pid}/")
    shoot(page, "rater-edss-390")
    assert page.evaluate(WIDER_THAN_VIEWPORT) == []
    consistent = page.locator("#edss-records td[data-label='Step consistent with FS']").first
    box = consistent.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= 390
    assert consistent.evaluate("e => getComputedStyle(e, '::before').content").startswith('"Step consistent')


def test_a_long_query_answer_wraps_inside_the_table(browser: Any, live_server: Any, trial: Any, shoot: Any) -> None:
    from mescams.edc.queries.services import answer_query, open_query
    from tests.factories.edc import randomised

    pid = randomised(trial["coord"])
    query = open_query(user=trial["dm"], participant_id=pid, form="vital_signs", text="Please confirm the weight.")
    answer_query(user=trial["coord"], query_id=query.pk, answer="x" * 5000)
    for name, path in (("dm", "/dm/queries/"), ("coord", "/site/queries/")):
        page = log_in(browser.new_context(viewport={"width": 1280, "height": 800}), live_server.url, name)
        page.goto(f"{live_server.url}{path}")
        shoot(page, f"{name}-long-answer")
        assert page.evaluate("document.documentElement.scrollWidth") <= 1280, path
        assert page.evaluate(WIDER_THAN_VIEWPORT) == [], path
        # nor does the table scroll sideways inside its box: the answer wraps
        assert page.evaluate("Array.from(document.querySelectorAll('.scroll'))"
                             ".filter(e => e.scrollWidth > e.clientWidth + 1).length") == 0, path


def test_heat_map_legend_and_lesion_panels_in_the_browser(browser: Any, live_server: Any, trial: Any,
                                                          shoot: Any) -> None:
    from tests.factories.edc import randomised

    randomised(trial["coord"])
    page = log_in(browser.new_context(viewport={"width": 1280, "height": 900}), live_server.url, "statistician")
    page.goto(f"{live_server.url}/oversight/")
    legend = page.locator("svg g.legend-item")
    assert legend.count() == 4
    assert "none of the due eCRFs entered" in " ".join(legend.all_text_contents())
    assert legend.first.bounding_box()["y"] > page.locator("svg rect[data-class]").last.bounding_box()["y"]
    shoot(page, "statistician-heat-map")
    page.goto(f"{live_server.url}/oversight/lesions/")
    assert page.locator("svg g.panel").count() == 2
    shoot(page, "statistician-lesions")
