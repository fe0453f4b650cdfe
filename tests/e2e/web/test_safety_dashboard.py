"""The safety officer's SUSAR work in chromium: an overdue candidate highlighted on the dashboard, the per-case
reveal with a reason, the verdict on the actual treatment, a report recorded, and the case forms offered."""

from __future__ import annotations

from typing import Any

from mescams.edc.randomisation.models import AllocationSlot
from tests.e2e.web.test_journeys import log_in
from tests.factories.edc import infuse, randomised
from tests.integration.edc import safety_world
from tests.integration.edc.safety_world import UNLISTED_PT, serious_case

coding = safety_world.coding


def test_the_safety_officer_reveals_a_candidate_and_records_its_report(browser: Any, live_server: Any, trial: Any,
                                                                       coding: Any, shoot: Any) -> None:
    pid = next(p for p in (randomised(trial["coord"]) for _ in range(6))
               if AllocationSlot.objects.get(participant__participant_id=p).sequence.startswith("MSC"))
    infuse(trial["coord"], pid)
    ae = serious_case(trial, pid=pid)  # life-threatening, aware in 2016: its 7-day report is long overdue
    coding.terms[ae.pk] = UNLISTED_PT
    base = live_server.url
    page = log_in(browser.new_context(), base, "safety")
    assert page.url.endswith("/safety/")
    row = page.locator("tr", has_text=f"{pid} AE {ae.ae_number}")
    assert "blocking" in (row.get_attribute("class") or "")  # overdue: highlighted
    assert "SUSAR candidate" in row.inner_text() and "OVERDUE" in row.inner_text()
    assert "1 case with an overdue report" in page.inner_text("main")
    shoot(page, "safety-dashboard")

    row.get_by_role("link").click()
    page.get_by_label("Why you need the treatment behind this case").fill("SUSAR candidate: verdict for HC")
    page.get_by_role("button", name="Reveal treatment for this case").click()
    page.wait_for_load_state()
    assert "SUSAR (MSC)" in page.inner_text("main")
    page.get_by_label("Report").select_option("initial_7_day")
    page.get_by_label("Sent to Health Canada on").fill(ae.awareness_date.isoformat())
    page.get_by_label("Health Canada reference").fill("HC-2016-0001")
    page.get_by_role("button", name="Record").click()
    page.wait_for_load_state()
    text = page.inner_text("main")
    assert "recorded as sent on" in text and "HC-2016-0001" in text
    offered = page.get_by_label("Report").locator("option").all_inner_texts()
    assert offered == ["Complete report (8 days after the 7-day report)"]  # only what is still to send
    assert page.get_by_role("link", name="CIOMS I (PDF)").is_visible()
    shoot(page, "safety-case")

    coordinator = log_in(browser.new_context(), base, "coord")
    coordinator.goto(f"{base}/safety/")
    assert "Not allowed" in coordinator.inner_text("main")
