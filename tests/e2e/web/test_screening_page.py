"""The screening page in a real browser: a repeated item grows by one labelled row from the keyboard (htmx), and a
basal cell carcinoma's remission date decides E10 live (six months: excluded; two years: passes) and is stored.
With JavaScript off, the same button adds the row through a page load, and Enter in a field still registers. The
screening record belongs to a consented participant: the consent is recorded first."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.e2e.web.test_journeys import fill_screening, iso, log_in, record_consent

pytestmark = pytest.mark.browser


def test_rows_are_added_from_the_keyboard_and_remission_decides_e10(browser: Any, live_server: Any, trial: Any,
                                                                    shoot: Any) -> None:
    from mescams.edc.crfs.models import ScreeningRecord

    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = log_in(context, live_server.url, "coord")
    record_consent(page, live_server.url)
    fill_screening(page, recent_relapse=False)

    add = page.get_by_role("button", name="Add a row to Relapses")
    page.evaluate("window.stillThisPage = true")
    add.focus()
    page.keyboard.press("Enter")
    new_onset = page.locator("#id_relapses-3-onset_date")
    expect(new_onset).to_be_visible(timeout=15000)
    expect(new_onset).to_be_focused()
    assert page.evaluate("window.stillThisPage === true")  # htmx inserted the row: no page load
    expect(page.get_by_role("group", name="Relapses, row 4")).to_be_visible()
    assert page.locator("#id_relapses-TOTAL_FORMS").input_value() == "4"
    new_onset.fill(iso(400))
    page.locator("#id_relapses-3-clinically_documented").select_option("true")

    page.get_by_label("Basal cell carcinoma: start date").fill(iso(1200))
    page.get_by_label("Basal cell carcinoma: remission date").fill(iso(182))
    page.get_by_label("Basal cell carcinoma: active now").select_option("false")
    e10 = page.locator("#criterion-E10")
    expect(e10).to_contain_text("fails", timeout=15000)
    shoot(page, "coordinator-screening-E10-recent-remission")
    page.get_by_label("Basal cell carcinoma: remission date").fill(iso(730))
    page.get_by_label("Screening date").focus()
    expect(e10).to_contain_text("passes", timeout=15000)

    page.get_by_role("button", name="Register screening").click()
    page.wait_for_url(re.compile(r".*/site/p/OTT-\d+/$"))
    record = ScreeningRecord.objects.get().record
    assert len(record["relapses"]) == 2 and record["relapses"][1]["onset_date"] == iso(400)
    assert record["conditions"] == [{"code": "basal_cell_carcinoma", "start_date": iso(1200),
                                     "remission_date": iso(730), "active": False}]
    context.close()


def test_without_javascript_rows_are_added_by_the_server_and_enter_registers(browser: Any, live_server: Any,
                                                                             trial: Any) -> None:
    from mescams.edc.crfs.models import ScreeningRecord

    context = browser.new_context(viewport={"width": 1280, "height": 900}, java_script_enabled=False)
    page = log_in(context, live_server.url, "coord")
    record_consent(page, live_server.url)
    fill_screening(page, recent_relapse=False)
    for expected in (4, 5):
        page.get_by_role("button", name="Add a row to Relapses").click()
        page.wait_for_load_state()
        new_onset = page.locator(f"#id_relapses-{expected - 1}-onset_date")
        expect(new_onset).to_be_visible()
        expect(new_onset).to_be_focused()  # autofocus: the keyboard carries on in the new row
        assert page.locator("#id_relapses-TOTAL_FORMS").input_value() == str(expected)
    assert page.locator("#id_relapses-0-onset_date").input_value() == iso(150)  # what was typed is kept
    assert page.get_by_label("MS course").input_value() == "RRMS"
    assert ScreeningRecord.objects.count() == 0
    page.locator("#id_relapses-4-onset_date").fill(iso(400))
    page.locator("#id_relapses-4-clinically_documented").select_option("true")
    page.get_by_label("Allergies (comma-separated substances; 'none' if none)").fill("none")
    page.keyboard.press("Enter")  # implicit submission: the form's default button registers
    page.wait_for_url(re.compile(r".*/site/p/OTT-\d+/$"))
    relapses = ScreeningRecord.objects.get().record["relapses"]
    assert [r["onset_date"] for r in relapses] == [iso(150), iso(400)]
    context.close()
