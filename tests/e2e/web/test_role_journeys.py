"""Every role's journey through the pages issue 18 added or changed, in chromium, with axe-core run on every page
each role can open: 0 serious or critical violations, counted per page in the test output (run with ``-s`` to read
the lines; the summary is printed at the end).

Coordinator: finds a participant by ID, reads the visit calendar, sees a lock on the participant page before
saving. Investigator: filters serious adverse events, downloads the casebook PDF. Data manager: searches the audit
trail by participant ID and field, locks a participant after the confirmation page. Monitor: verifies a record,
raises a query on its field, records a monitoring visit and reads its report. Rater, MRI reader, lab, statistician,
DSMB and administrator: their pages, checked by axe."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.e2e.web.axe import AxeTally, axe_available
from tests.factories.edc import PASSWORD

pytestmark = pytest.mark.browser


def _world(users: dict[str, Any]) -> dict[str, Any]:
    from mescams.edc.crfs.services import save_form
    from mescams.edc.monitoring.services import record_visit
    from mescams.edc.queries.services import answer_query, open_query
    from tests.factories.edc import RANDOMISATION, consented, infuse, randomised
    from tests.integration.edc.test_validation_rules import GOOD

    pid, locked = randomised(users["coord"]), randomised(users["coord"])
    infuse(users["coord"], pid)
    vitals = save_form(user=users["coord"], participant_id=pid, form="vital_signs", values=GOOD["vital_signs"])
    save_form(user=users["coord"], participant_id=pid, form="adverse_event",
              values={**GOOD["adverse_event"], "term": "Pneumonia", "serious": True,
                      "serious_criteria": ["hospitalisation"], "severity_grade": 3, "severity": "severe",
                      "awareness_date": GOOD["adverse_event"]["onset_date"]})
    save_form(user=users["coord"], participant_id=pid, form="adverse_event", values=GOOD["adverse_event"])
    save_form(user=users["rater"], participant_id=pid, form="edss", values=GOOD["edss"])
    scan = save_form(user=users["coord"], participant_id=pid, form="mri", values=GOOD["mri"])
    query = open_query(user=users["dm"], participant_id=pid, form="vital_signs", record_id=str(vitals.pk),
                       field="weight_kg", text="Weight as on the source?")
    answer_query(user=users["coord"], query_id=query.pk, answer="Yes: 70 kg on the worksheet.")
    open_query(user=users["dm"], participant_id=pid, form="edss", text="Confirm the EDSS date.")
    visit = record_visit(user=users["monitor"], site_code="OTT", visit_date=RANDOMISATION, findings="All filed.")
    return {"pid": pid, "locked": locked, "screening": consented(users["coord"]), "vitals": vitals.pk,
            "scan": scan.scan_id, "visit": visit.pk}


PAGES: dict[str, list[str]] = {
    "coord": ["/site/", "/site/calendar/?weeks=26", "/site/p/{pid}/", "/site/p/{pid}/visit/W4/",
              "/site/p/{pid}/forms/vital_signs/new/?visit=W12", "/site/p/{screening}/screening/", "/site/queries/",
              "/site/prescreening/", "/site/screen/", "/site/reconsent/", "/account/notifications/"],
    "inv": ["/site/ae-review/", "/site/p/{pid}/", "/site/calendar/"],
    "rater": ["/rater/", "/rater/p/{pid}/", "/rater/queries/", "/site/p/{pid}/forms/edss/new/?visit=W12"],
    "mri": ["/mri/", "/mri/{scan}/"],
    "lab": ["/lab/", "/lab/accountability/", "/lab/{pid}/W0/"],
    "dm": ["/dm/queries/", "/dm/status/", "/dm/missing/", "/dm/audit/?participant={pid}", "/dm/locks/",
           "/dm/locks/confirm/?participant_id={pid}", "/dm/access-log/"],
    "statistician": ["/oversight/", "/oversight/safety/", "/oversight/lesions/", "/oversight/reports/"],
    "dsmb": ["/oversight/", "/oversight/lesions/"],
    "monitor": ["/monitor/", "/monitor/p/{pid}/", "/monitor/queries/", "/monitor/visits/", "/monitor/visits/{visit}/"],
    "admin": ["/admin/", "/admin/accounts/user/"],
}


def _log_in(browser: Any, base: str, username: str) -> Any:
    context = browser.new_context(viewport={"width": 1280, "height": 900}, bypass_csp=True, accept_downloads=True)
    page = context.new_page()
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_load_state()
    return page


def test_every_role_journey_with_axe_on_every_page(browser: Any, live_server: Any, trial: Any, shoot: Any) -> None:
    axe_available()
    base, w = live_server.url, _world(trial)
    tally = AxeTally()
    anonymous = browser.new_context(bypass_csp=True).new_page()
    anonymous.goto(f"{base}/accounts/login/")
    tally.check(anonymous, "anonymous /accounts/login/")
    pages = {name: _log_in(browser, base, name) for name in PAGES}
    for name, paths in PAGES.items():
        page = pages[name]
        for path in paths:
            page.goto(base + path.format(**w))
            page.wait_for_load_state()
            assert page.url.startswith(base + path.format(**w).split("?")[0]), (name, path, page.url)
            tally.check(page, f"{name} {path}")

    # the coordinator finds a participant by ID and reads the calendar
    coord = pages["coord"]
    coord.goto(f"{base}/site/")
    coord.get_by_label("Participant ID").fill(w["pid"])
    coord.get_by_role("button", name="Show").click()
    expect(coord.locator("#pager-summary")).to_have_text(re.compile(r"1–1 of 1 participants"))
    coord.get_by_role("link", name="Visit calendar").click()
    expect(coord.locator("#calendar")).to_be_visible()
    shoot(coord, "journey-coordinator-calendar")

    # the investigator filters serious events and downloads the casebook
    inv = pages["inv"]
    inv.goto(f"{base}/site/ae-review/")
    inv.get_by_label("Serious").select_option("yes")
    inv.get_by_role("button", name="Show").click()
    expect(inv.locator("main")).to_contain_text("Pneumonia")
    expect(inv.locator("main")).not_to_contain_text("Headache")
    inv.goto(f"{base}/site/p/{w['pid']}/")
    link = inv.locator("#casebook-pdf").get_attribute("href")
    pdf = inv.context.request.get(base + link, timeout=180_000)  # printing takes seconds on a busy machine
    assert pdf.ok and pdf.headers["content-type"] == "application/pdf" and pdf.body().startswith(b"%PDF-")
    assert pdf.headers["content-disposition"] == f'attachment; filename="casebook-{w["pid"]}.pdf"'

    # the data manager searches the audit trail and locks a participant after confirming
    dm = pages["dm"]
    dm.goto(f"{base}/dm/audit/")
    dm.get_by_label("Participant ID").fill(w["pid"])
    dm.get_by_label("Field").fill("Weight (kg)")
    dm.get_by_role("button", name="Search").click()
    expect(dm.locator("#audit-entries tbody tr")).not_to_have_count(0)
    assert all(w["pid"] in row for row in dm.locator("#audit-entries tbody tr").all_inner_texts())
    tally.check(dm, "dm /dm/audit/ (searched)")
    dm.goto(f"{base}/dm/locks/")
    dm.get_by_role("link", name=f"Lock {w['locked']}…").click()
    expect(dm.locator("h1")).to_have_text(f"Lock {w['locked']}?")
    dm.get_by_role("button", name=f"Yes, lock {w['locked']}").click()
    expect(dm.locator(".messages")).to_contain_text(f"{w['locked']} locked.")
    coord.goto(f"{base}/site/p/{w['locked']}/")
    expect(coord.locator("#lock-banner")).to_contain_text("data are locked")
    tally.check(coord, "coord /site/p/<locked>/")

    # the monitor verifies a record, raises a query on its field and records a visit
    monitor = pages["monitor"]
    monitor.goto(f"{base}/monitor/p/{w['pid']}/")
    record = monitor.locator(f"#record-vital_signs-{w['vitals']}")
    record.get_by_role("button", name=re.compile("Mark .* verified")).click()
    expect(monitor.locator(f"#record-vital_signs-{w['vitals']}")).to_contain_text("✓ verified")
    record = monitor.locator(f"#record-vital_signs-{w['vitals']}")
    record.locator("summary", has_text="Raise a query").click()
    record.get_by_label("Field").select_option(label="Weight (kg)")
    record.get_by_label("Question").fill("The source shows 71 kg?")
    record.get_by_role("button", name="Raise query").click()
    expect(monitor.locator(".messages")).to_contain_text("raised")
    tally.check(monitor, "monitor /monitor/p/<pid>/ (after verifying)")
    monitor.goto(f"{base}/monitor/visits/")
    monitor.locator("summary", has_text="Record a visit").click()
    monitor.get_by_label("Findings").fill("ICF versions filed; one weight queried.")
    monitor.get_by_role("button", name="Record the visit").click()
    expect(monitor.locator("h1")).to_contain_text("Monitoring visit report")
    tally.check(monitor, "monitor report (new)")
    shoot(monitor, "journey-monitor-report")
    coord.goto(f"{base}/site/queries/")
    expect(coord.locator("main")).to_contain_text("The source shows 71 kg?")

    print("\n" + tally.summary())
    assert tally.blocking() == {}, tally.blocking()
