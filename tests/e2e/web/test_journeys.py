"""The trial's day-to-day journeys in a real browser (chromium), every role through its own pages.

A coordinator records a person's consent, then screens them (consent first: ICH E6), and the person fails E9 and
the page says why; records an eligible one's consent, screens and randomises; the
lab sees the product code and the computed dose; an investigator records an adverse event; a data manager
raises a query that the coordinator answers; an EDSS rater gets 403 on every page that shows sequence or
product. Data a trial can trust at entry: a second week-0 vital-signs record is refused with a link to the
existing one; an EDSS dated outside its visit window is saved as a protocol deviation with a query the data
manager sees; a change after the investigator signed invalidates the signature, naming the audit entry.
Screenshots go to the session's pytest temporary directory (``screenshots/``).
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.factories.edc import PASSWORD

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


def enrol(page: Any, base: str) -> tuple[str, str]:
    """The coordinator's whole enrolment, in the order ICH E6 asks: consent, screening (with the weight at
    screening), eligibility, randomisation on today's date (week 0). Returns the participant and product code."""
    participant_id = consent_and_screen(page, base, recent_relapse=False)
    page.goto(f"{base}/site/p/{participant_id}/visit/SCR/")
    page.get_by_role("link", name="Enter Vital signs").click()
    page.get_by_label("Assessment date").fill(iso(18))
    page.get_by_label("Weight (kg)").fill("70")
    page.get_by_role("button", name="Save").click()
    page.wait_for_url(re.compile(r".*/visit/SCR/$"))
    page.get_by_role("link", name=f"← {participant_id}").click()
    page.get_by_role("button", name="Assess eligibility").click()
    page.wait_for_load_state()
    assert "eligible" in page.locator("h1").inner_text()
    page.get_by_role("button", name="Randomise").click()
    page.wait_for_load_state()
    assert "randomised" in page.locator("h1").inner_text()
    product_code = page.locator("#product-code").inner_text().strip()
    assert product_code
    return participant_id, product_code


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

    # 2. An eligible person: consent, screening, weight at screening, eligibility, randomisation.
    eligible, product_code = enrol(page, base)
    assert eligible != failing
    body = page.content()
    assert "MSC-PLACEBO" not in body and "PLACEBO-MSC" not in body  # the coordinator sees the code only
    shoot(page, "coordinator-participant-randomised")
    page.goto(f"{base}/site/p/{eligible}/forms/demographics/new/")
    page.get_by_label("Sex").select_option("F")
    page.get_by_label("Birth date").fill(iso(int(35 * 365.25)))
    page.get_by_label("MS course").select_option("RRMS")
    page.get_by_label("Race").select_option("NOT REPORTED")  # the participant does not say: an answer too
    page.get_by_label("Ethnicity").select_option("NOT HISPANIC OR LATINO")
    shoot(page, "coordinator-demographics")
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
    assert "1.05 × 10⁸" in row.locator("#cells-to-infuse").inner_text()
    assert "50 mL" in row.locator("#final-volume").inner_text()
    assert re.search(r"W0 .*: (MSC|PLACEBO)", row.inner_text())
    shoot(lab, "lab-worklist")

    # 3b. The blinded EDSS rater enters the baseline EDSS (week 0) from their own list.
    rater = log_in(browser.new_context(), base, "rater")
    rater.get_by_role("link", name=eligible).click()
    rater.locator("tr", has_text="W0").get_by_role("link", name="Enter EDSS").click()
    rater.get_by_label("Assessment date").fill(iso(0))
    for label, score in (("Visual", "0"), ("Brainstem", "1"), ("Pyramidal", "2"), ("Cerebellar", "1"),
                         ("Sensory", "1"), ("Bowel and bladder", "0"), ("Cerebral", "0"), ("Ambulation", "0")):
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
    investigator.get_by_label("Severity (intensity)").select_option("moderate")
    investigator.get_by_label("Action taken").select_option("treatment_given")
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
    dm.locator("#id_participant_id").fill(eligible)
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


def test_a_second_week0_vital_signs_record_is_refused_with_a_link_to_the_first(
        browser: Any, live_server: Any, trial: Any, shoot: Any) -> None:
    """Two browser tabs on the week-0 vital signs: the first saves 71 kg; the second (90 kg) is refused, naming
    the existing record, with a link that opens it for a change (one vital-signs record per visit)."""
    base = live_server.url
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = log_in(context, base, "coord")
    participant_id, _ = enrol(page, base)
    page.get_by_role("link", name="W0").click()
    page.get_by_role("link", name="Enter Vital signs").click()
    entry_url = page.url
    second_tab = context.new_page()
    second_tab.goto(entry_url)  # the same entry page, still open in another tab

    page.get_by_label("Assessment date").fill(iso(0))
    page.get_by_label("Weight (kg)").fill("71")
    page.get_by_role("button", name="Save").click()
    page.wait_for_url(re.compile(rf".*/site/p/{participant_id}/visit/W0/$"))
    expect(page.locator(".messages")).to_contain_text("Vital signs and weight saved.")
    expect(page.get_by_role("link", name="Enter Vital signs")).to_have_count(0)  # entered once per visit
    shoot(page, "coordinator-w0-vital-signs-entered")

    second_tab.get_by_label("Assessment date").fill(iso(0))
    second_tab.get_by_label("Weight (kg)").fill("90")
    second_tab.get_by_role("button", name="Save").click()
    second_tab.wait_for_load_state()
    refusal = second_tab.locator("#duplicate")
    expect(refusal).to_contain_text(f"Not saved: Vital signs and weight is already recorded for {participant_id} "
                                     "at visit W0. Change that record instead of entering a second one.")
    shoot(second_tab, "coordinator-second-w0-vital-signs-refused")
    refusal.get_by_role("link", name="Change the existing record").click()
    second_tab.wait_for_url(re.compile(rf".*/site/p/{participant_id}/forms/vital_signs/\d+/$"))
    expect(second_tab.locator("h1")).to_contain_text("(change)")
    assert float(second_tab.get_by_label("Weight (kg)").input_value()) == 71  # the first record, unchanged
    second_tab.get_by_role("link", name="← back").click()
    assert second_tab.locator("tr", has_text="90").count() == 0  # nothing of the refused entry was stored


def test_an_out_of_window_edss_is_saved_as_a_deviation_with_a_query(
        browser: Any, live_server: Any, trial: Any, shoot: Any) -> None:
    """The baseline EDSS dated two days before week 0 (W0's window is the day itself): the rater's entry is kept
    (the data are real), the page says it is a protocol deviation, and the data manager finds the visit present
    and deviating, and a query opened on it."""
    base = live_server.url
    coordinator = log_in(browser.new_context(), base, "coord")
    participant_id, product_code = enrol(coordinator, base)

    rater = log_in(browser.new_context(viewport={"width": 1280, "height": 900}), base, "rater")
    rater.get_by_role("link", name=participant_id).click()
    w0 = rater.locator("tr", has_text="W0")
    assert iso(0) in w0.inner_text()  # the window shown: week 0, the day itself
    w0.get_by_role("link", name="Enter EDSS").click()
    rater.get_by_label("Assessment date").fill(iso(2))
    for label, score in (("Visual", "0"), ("Brainstem", "1"), ("Pyramidal", "2"), ("Cerebellar", "1"),
                         ("Sensory", "1"), ("Bowel and bladder", "0"), ("Cerebral", "0"), ("Ambulation", "0")):
        rater.get_by_label(re.compile(rf"^{label}\b")).fill(score)
    rater.get_by_role("button", name="Save").click()
    rater.wait_for_url(re.compile(rf".*/rater/p/{participant_id}/$"))
    expect(rater.locator(".messages")).to_contain_text("recorded as a protocol deviation")
    w0_status = rater.locator("tr", has_text="W0").first.inner_text()
    assert "entered" in w0_status and "out of window" in w0_status  # saved: the data are real
    assert iso(2) in rater.locator("tr", has_text="W0").last.inner_text()
    assert "MSC" not in rater.content() and product_code not in rater.content()
    shoot(rater, "rater-edss-out-of-window")

    dm = log_in(browser.new_context(viewport={"width": 1280, "height": 900}), base, "dm")
    dm.goto(f"{base}/dm/missing/")
    row = dm.locator("tr", has_text=participant_id).filter(has_text="EDSS")
    expect(row).to_have_count(1)
    assert "W0" in row.inner_text() and "out of window" in row.inner_text().lower()
    shoot(dm, "datamanager-missing-out-of-window")
    dm.goto(f"{base}/dm/status/")
    expect(dm.locator("tr", has_text=participant_id)).to_contain_text("(out of window)")
    dm.goto(f"{base}/dm/queries/")
    query = dm.locator("tr", has_text=participant_id).filter(has_text="edss")
    expect(query).to_have_count(1)
    assert "open" in query.inner_text()
    assert iso(2) in query.inner_text()
    shoot(dm, "datamanager-queries-out-of-window")


def test_a_change_after_signing_invalidates_the_signature(
        browser: Any, live_server: Any, trial: Any, shoot: Any) -> None:
    """The investigator signs the (incomplete) casebook anyway, with a reason; a coordinator then changes the
    screening vital signs with a reason; the signature shows "invalidated by change (audit entry N)" and the
    casebook needs signing again."""
    base = live_server.url
    coordinator = log_in(browser.new_context(), base, "coord")
    participant_id, _ = enrol(coordinator, base)

    investigator = log_in(browser.new_context(viewport={"width": 1280, "height": 900}), base, "inv")
    investigator.goto(f"{base}/site/")
    investigator.get_by_role("link", name=participant_id).first.click()
    casebook = investigator.locator("#casebook")
    expect(casebook.locator("h2")).to_contain_text("unsigned")
    expect(casebook).to_contain_text("This casebook is incomplete")
    casebook.get_by_label("Your password (re-authentication)").fill(PASSWORD)
    casebook.get_by_role("button", name="Sign casebook").click()
    investigator.wait_for_load_state()
    expect(investigator.locator("#casebook")).to_contain_text("sign anyway")  # refused: incomplete, no reason
    casebook = investigator.locator("#casebook")
    casebook.get_by_label("Your password (re-authentication)").fill(PASSWORD)
    casebook.get_by_label("Sign anyway, although the casebook is incomplete").check()
    casebook.get_by_label("Reason for signing an incomplete casebook").fill(
        "Signing the eligibility and randomisation part now; the later visits are months away.")
    casebook.get_by_role("button", name="Sign casebook").click()
    investigator.wait_for_url(re.compile(rf".*/site/p/{participant_id}/$"))
    casebook = investigator.locator("#casebook")
    expect(casebook.locator("h2")).to_contain_text("signed")
    expect(casebook.locator(".signature")).to_contain_text("valid")
    expect(casebook.locator(".signature")).to_contain_text("Signed although incomplete")
    shoot(investigator, "investigator-casebook-signed")

    coordinator.goto(f"{base}/site/p/{participant_id}/visit/SCR/")
    coordinator.locator("table", has_text="Weight").get_by_role("link", name="change").click()
    coordinator.get_by_label(re.compile(r"^Heart rate")).fill("72")
    coordinator.get_by_label("Reason for change").fill("Heart rate was on the source document, missed at entry.")
    coordinator.get_by_role("button", name="Save").click()
    coordinator.wait_for_url(re.compile(r".*/visit/SCR/$"))
    expect(coordinator.locator(".messages")).to_contain_text("changed (audited)")

    investigator.reload()
    casebook = investigator.locator("#casebook")
    expect(casebook.locator("h2")).to_contain_text("needs re-signing")
    expect(casebook.get_by_role("alert")).to_contain_text("needs signing again")
    state = casebook.locator(".signature").inner_text()
    assert re.search(r"invalidated by change \(audit entry \d+\)", state), state
    shoot(investigator, "investigator-casebook-invalidated")
    casebook.get_by_label("Your password (re-authentication)").fill(PASSWORD)
    casebook.get_by_label("Sign anyway, although the casebook is incomplete").check()
    casebook.get_by_label("Reason for signing an incomplete casebook").fill("Re-signing after the heart-rate fix.")
    casebook.get_by_role("button", name="Sign casebook").click()
    investigator.wait_for_url(re.compile(rf".*/site/p/{participant_id}/$"))
    expect(investigator.locator("#casebook h2")).to_contain_text("signed")
    assert "needs re-signing" not in investigator.locator("#casebook h2").inner_text()
    expect(investigator.locator("#casebook .signature")).to_have_count(2)
