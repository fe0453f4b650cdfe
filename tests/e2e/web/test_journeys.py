"""The trial's day-to-day journeys in a real browser (chromium), every role through its own pages.

A coordinator records a person's consent, then screens them (consent first: ICH E6), and the person fails E9 and
the page says why; records an eligible one's consent, screens and randomises; the
lab sees the product code and the computed dose; an investigator records an adverse event; a data manager
raises a query that the coordinator answers; an EDSS rater gets 403 on every page that shows sequence or
product.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.integration.edc.factories import PASSWORD

pytestmark = pytest.mark.browser
D = dt.timedelta
TODAY = dt.datetime.now(dt.UTC).date()


def iso(days_ago: int) -> str:
    return (TODAY - D(days=days_ago)).isoformat()


def log_in(context: Any, base: str, username: str) -> Any:
    page = context.new_page()
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_load_state()
    return page


def fill_screening(page: Any, *, recent_relapse: bool) -> None:
    """The screening form of a 35-year-old with RRMS who meets every criterion (unless a relapse 30 days ago)."""
    page.get_by_label("Screening date").fill(iso(20))
    page.get_by_label("Planned randomisation date (criteria are judged on it)").fill(iso(0))
    page.get_by_label("Sex").select_option("F")
    page.get_by_label("Date of birth").fill(iso(int(35 * 365.25)))
    page.get_by_label("MS course").select_option("RRMS")
    page.get_by_label("MS onset (first symptom)").fill(iso(int(8 * 365.25)))
    page.get_by_label("MS diagnosis").fill(iso(int(7 * 365.25)))
    page.get_by_label("CSF oligoclonal bands").select_option("true")
    page.locator("#id_relapses-0-onset_date").fill(iso(150))
    page.locator("#id_relapses-0-clinically_documented").select_option("true")
    if recent_relapse:
        page.locator("#id_relapses-1-onset_date").fill(iso(30))
        page.locator("#id_relapses-1-clinically_documented").select_option("true")
    page.locator("#id_mri-0-date").fill(iso(90))
    page.locator("#id_mri-0-gel_count").fill("2")
    page.locator("#id_edss-0-date").fill(iso(20))
    page.locator("#id_edss-0-score").fill("4")
    page.locator("#id_edss-1-date").fill(iso(300))
    page.locator("#id_edss-1-score").fill("3")
    page.locator("#id_therapies-0-drug").select_option("interferon_beta")
    page.locator("#id_therapies-0-start_date").fill(iso(1500))
    page.locator("#id_therapies-0-end_date").fill(iso(60))
    page.get_by_label("Medical history taken: none of these").check()
    page.get_by_label("Allergies (comma-separated substances; 'none' if none)").fill("none")
    page.get_by_label("eGFR (mL/min/1.73m2)").fill("95")
    page.get_by_label("eGFR date").fill(iso(20))
    page.get_by_label("White blood cells (10^9/L)").fill("6.1")
    page.get_by_label("WBC date").fill(iso(20))
    for label, value in (("Pregnant", "false"),
                         ("Of childbearing potential", "false"), ("Willing to use contraception", "true"),
                         ("Can undergo MRI", "true"), ("In another clinical trial", "false"),
                         ("Able to adhere to the protocol (investigator's judgement)", "true")):
        page.get_by_label(label, exact=True).select_option(value)


def record_consent(page: Any, base: str, *, days_ago: int = 21) -> str:
    """The first study act: the signed consent (ICF version, date and time, who took it) registers the person;
    the page then opens their screening record, the consent shown first."""
    page.goto(f"{base}/site/screen/")
    page.get_by_label("Date on the signed form").fill(iso(days_ago))
    page.get_by_label("Time on the signed form (site time)").fill("09:15")
    page.get_by_role("button", name="Record consent").click()
    page.wait_for_url(re.compile(r".*/site/p/OTT-\d+/screening/$"))
    consent = page.locator("#consent")
    expect(consent).to_contain_text("09:15")
    assert consent.bounding_box()["y"] < page.locator("#screening-form").bounding_box()["y"]  # consent first
    return page.url.rstrip("/").rsplit("/", 2)[1]


def consent_and_screen(page: Any, base: str, *, recent_relapse: bool, shoot: Any = None) -> str:
    participant_id = record_consent(page, base)
    fill_screening(page, recent_relapse=recent_relapse)
    page.get_by_label("Screening date").focus()  # a last change event: the live verdict catches up
    e9 = page.locator("#criterion-E9")
    if recent_relapse:
        expect(e9).to_contain_text("fails", timeout=15000)
        assert "60" in e9.inner_text() or "relapse" in e9.inner_text().lower()
        if shoot:
            shoot(page, "coordinator-screening-live-E9")
    else:
        expect(e9).to_contain_text("passes", timeout=15000)
    expect(page.locator("#criterion-I5")).to_contain_text("passes")  # judged on the recorded consent
    page.get_by_role("button", name="Register screening").click()
    page.wait_for_url(re.compile(rf".*/site/p/{participant_id}/$"))
    assert "screened" in page.locator("h1").inner_text()
    return participant_id


def test_a_day_at_the_trial(browser: Any, live_server: Any, trial: Any, shoot: Any) -> None:
    base = live_server.url
    coordinator = browser.new_context(viewport={"width": 1280, "height": 900})
    page = log_in(coordinator, base, "coord")
    shoot(page, "coordinator-dashboard-empty")

    # 1. A person with a relapse 30 days before randomisation fails E9, and the page says why.
    failing = consent_and_screen(page, base, recent_relapse=True, shoot=shoot)
    page.get_by_role("button", name="Assess eligibility").click()
    page.wait_for_load_state()
    assert "screen failed" in page.locator("h1").inner_text()
    assert "E9" in page.locator("#failed").inner_text()
    reason = page.locator("#criterion-E9").inner_text()
    assert "fails" in reason and iso(30) in reason, reason
    shoot(page, "coordinator-screen-failure")

    # 2. An eligible person: consent, weight at screening, eligibility, randomisation.
    eligible = consent_and_screen(page, base, recent_relapse=False)
    assert eligible != failing
    page.goto(f"{base}/site/p/{eligible}/forms/vital_signs/new/?visit=SCR")
    page.get_by_label("Assessment date").fill(iso(18))
    page.get_by_label("Weight (kg)").fill("70")
    page.get_by_role("button", name="Save").click()
    page.wait_for_url(re.compile(r".*/visit/SCR/$"))
    page.goto(f"{base}/site/p/{eligible}/")
    page.get_by_role("button", name="Assess eligibility").click()
    page.wait_for_load_state()
    assert "eligible" in page.locator("h1").inner_text()
    page.get_by_role("button", name="Randomise").click()
    page.wait_for_load_state()
    assert "randomised" in page.locator("h1").inner_text()
    product_code = page.locator("#product-code").inner_text().strip()
    assert product_code
    body = page.content()
    assert "MSC-PLACEBO" not in body and "PLACEBO-MSC" not in body  # the coordinator sees the code only
    shoot(page, "coordinator-participant-randomised")
    page.goto(f"{base}/site/p/{eligible}/forms/demographics/new/")
    page.get_by_label("Sex").select_option("F")
    page.get_by_label("Birth date").fill(iso(int(35 * 365.25)))
    page.get_by_label("Ms course").select_option("RRMS")
    page.get_by_role("button", name="Save").click()
    page.wait_for_url(re.compile(rf".*/site/p/{eligible}/$"))
    page.goto(f"{base}/site/")
    assert eligible in page.content()
    shoot(page, "coordinator-dashboard")
    tablet = log_in(browser.new_context(viewport={"width": 820, "height": 1180}, has_touch=True), base, "coord")
    tablet.goto(f"{base}/site/p/{eligible}/")
    shoot(tablet, "tablet-participant")

    # 3. The lab sees the product code with the computed dose (70 kg x 1.5e6 cells/kg, 50 mL).
    lab = log_in(browser.new_context(), base, "lab")
    row = lab.locator(f"#product-{product_code}")
    assert eligible in row.inner_text()
    assert "1.050e+08" in row.locator("#cells-to-infuse").inner_text()
    assert "50 mL" in row.locator("#final-volume").inner_text()
    assert re.search(r"W0 .*: (MSC|PLACEBO)", row.inner_text())
    shoot(lab, "lab-worklist")

    # 3b. The blinded EDSS rater enters the baseline EDSS (week 0) from their own list.
    rater = log_in(browser.new_context(), base, "rater")
    rater.get_by_role("link", name=eligible).click()
    rater.locator("tr", has_text="W0").get_by_role("link", name="Enter EDSS").click()
    rater.get_by_label("Assessment date").fill(iso(0))
    for label, score in (("Visual", "0"), ("Brainstem", "1"), ("Pyramidal", "2"), ("Cerebellar", "1"),
                         ("Sensory", "1"), ("Bowel bladder", "0"), ("Cerebral", "0"), ("Ambulation", "0")):
        rater.get_by_label(re.compile(rf"^{label}\b")).fill(score)
    rater.get_by_role("button", name="Save").click()
    rater.wait_for_url(re.compile(rf".*/rater/p/{eligible}/$"))
    assert "entered" in rater.locator("tr", has_text="W0").first.inner_text()
    assert "MSC" not in rater.content() and product_code not in rater.content()
    shoot(rater, "rater-edss")

    # 4. The investigator records an adverse event.
    investigator = log_in(browser.new_context(), base, "inv")
    investigator.goto(f"{base}/site/p/{eligible}/forms/adverse_event/new/")
    investigator.get_by_label("Term").fill("Headache")
    investigator.get_by_label("Onset date").fill(iso(1))
    investigator.get_by_label("CTCAE grade").select_option("2")
    investigator.get_by_label("Action").select_option("treatment_given")
    investigator.get_by_label("Outcome").select_option("recovering")
    investigator.get_by_role("button", name="Save").click()
    investigator.wait_for_load_state()
    investigator.goto(f"{base}/site/ae-review/")
    assert "Headache" in investigator.content() and eligible in investigator.content()
    shoot(investigator, "investigator-ae-review")

    # 5. The data manager raises a query; the coordinator answers it; the data manager sees the answer.
    dm = log_in(browser.new_context(), base, "dm")
    dm.goto(f"{base}/dm/queries/")
    dm.get_by_text("Open a query").click()
    dm.get_by_label("Participant").fill(eligible)
    dm.locator("#id_form").select_option("vital_signs")
    dm.get_by_label("Field").fill("weight_kg")
    dm.get_by_label("Question").fill("Please confirm the screening weight.")
    dm.get_by_role("button", name="Open query").click()
    dm.wait_for_load_state()
    assert "Please confirm the screening weight." in dm.content()
    page.goto(f"{base}/site/queries/")
    query_row = page.locator("tr", has_text="Please confirm the screening weight.")
    query_row.get_by_role("textbox").fill("Confirmed: 70 kg on the source document.")
    query_row.get_by_role("button", name="Send answer").click()
    page.wait_for_load_state()
    dm.goto(f"{base}/dm/queries/?status=answered")
    assert "Confirmed: 70 kg on the source document." in dm.content()
    shoot(dm, "datamanager-queries")

    # 6. The unblinded statistician's overview: one randomised, in the sequence the lab prepared for.
    statistician = log_in(browser.new_context(viewport={"width": 1280, "height": 900}), base, "statistician")
    assert "/oversight/" in statistician.url
    shoot(statistician, "statistician-overview")
    assert "not available" not in statistician.content(), statistician.locator("[role=alert]").inner_text()
    flow = statistician.locator("table", has_text="Randomised").inner_text()
    assert re.search(r"(MSC-PLACEBO|PLACEBO-MSC)[\s\S]*1", flow)
    statistician.goto(f"{base}/oversight/safety/")
    assert "Headache" in statistician.content()
    shoot(statistician, "statistician-safety")


def test_an_edss_rater_cannot_reach_sequence_or_product(browser: Any, live_server: Any, trial: Any,
                                                        shoot: Any) -> None:
    base = live_server.url
    rater = log_in(browser.new_context(), base, "rater")
    assert "/rater/" in rater.url
    for path in ("/lab/", "/lab/accountability/", "/lab/OTT-001/W0/", "/oversight/", "/oversight/safety/",
                 "/oversight/lesions/", "/oversight/reports/", "/site/p/OTT-001/unblind/",
                 "/api/randomisation/list", "/api/lab/products", "/api/export/analysis-data"):
        response = rater.goto(f"{base}{path}")
        assert response.status == 403, (path, response.status)
    shoot(rater, "rater-forbidden")
    for label in ("Worklist", "Accountability", "Overview", "Safety", "Reports"):
        assert rater.get_by_role("link", name=label).count() == 0
