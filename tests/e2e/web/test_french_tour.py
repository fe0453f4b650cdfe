"""A French-speaking coordinator, participant (portal), medical coder and safety officer open their main pages
in a browser that asks for fr-CA: each page is in French (no English sentence left on it), and a screenshot of
each is kept for a person to look at (``french-<role>-<page>.png`` in the session's screenshot folder)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from django.core import mail

from tests.factories.edc import PASSWORD, enable_participant_portal, infuse, randomised

pytestmark = pytest.mark.browser
ENGLISH = re.compile(r"\b(the|and|with|your|from|Save|Search|Status|Open|Closed|overdue|none|yes|no|Week|Screening)\b")
"""Words of English running text or of a control's label that French would never contain (data and codes may
be English: a verbatim term, a user name, MedDRA's names)."""
NEW_PASSWORD = "une prairie tranquille 42"


def _english_words(page: Any, ignore: tuple[str, ...]) -> list[str]:
    text = page.locator("main").inner_text() if page.locator("main").count() else page.inner_text("body")
    for data in ignore:
        text = text.replace(data, "")
    return sorted({text[max(m.start() - 30, 0):m.end() + 30].replace("\n", " ") for m in ENGLISH.finditer(text)})


def _log_in(browser: Any, url: str, username: str) -> Any:
    context = browser.new_context(locale="fr-CA", viewport={"width": 1200, "height": 900})
    page = context.new_page()
    page.goto(f"{url}/accounts/login/")
    page.get_by_label("Nom d’utilisateur").fill(username)
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_load_state()
    return page


def _tour(page: Any, url: str, role: str, paths: dict[str, str], shoot: Any, ignore: tuple[str, ...] = ()) -> dict:
    found = {}
    for name, path in paths.items():
        page.goto(f"{url}{path}")
        page.wait_for_load_state()
        assert page.locator("html").get_attribute("lang") == "fr-ca", path
        shoot(page, f"french-{role}-{name}")
        words = _english_words(page, ignore)
        if words:
            found[path] = words
    return found


@pytest.fixture()
def portal_on(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Any:
    from mescams.protocols import default_protocol

    enable_participant_portal(tmp_path, monkeypatch)
    yield
    monkeypatch.delenv("MESCAMS_PROTOCOL", raising=False)
    default_protocol.cache_clear()


def test_main_pages_of_four_roles_are_french(browser: Any, live_server: Any, trial: Any, shoot: Any,
                                            portal_on: Any, settings: Any) -> None:
    from mescams.edc.crfs.services import save_form
    from mescams.edc.portal.access import invite
    from tests.integration.edc.safety_world import SERIOUS_AE

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    coord = trial["coord"]
    pid = randomised(coord)
    infuse(coord, pid)
    ae = save_form(user=coord, participant_id=pid, form="adverse_event", values=SERIOUS_AE)
    url = live_server.url
    verbatim = (SERIOUS_AE["term"],)
    found: dict[str, Any] = {}

    page = _log_in(browser, url, "coord")
    found |= _tour(page, url, "coordinator", {
        "dashboard": "/site/", "participant": f"/site/p/{pid}/", "visit": f"/site/p/{pid}/visit/W0/",
        "vital-signs": f"/site/p/{pid}/forms/vital_signs/new/", "calendar": "/site/calendar/",
        "queries": "/site/queries/", "prescreening": "/site/prescreening/", "notifications": "/account/notifications/",
    }, shoot, ignore=verbatim)
    page.context.close()

    page = _log_in(browser, url, "coder")
    # the autocoder's notes are stored in English and shown in the reader's language (edc/coding/notes.py)
    found |= _tour(page, url, "coder", {"queue": "/coding/"}, shoot, ignore=verbatim)
    page.context.close()

    page = _log_in(browser, url, "safety")
    found |= _tour(page, url, "safety", {"dashboard": "/safety/", "case": f"/safety/case/{ae.pk}/"}, shoot,
                   ignore=verbatim)
    page.context.close()

    mail.outbox.clear()
    invite(user=coord, participant_id=pid, email="marie@example.org", language="fr-ca", base_url=url)
    link = re.search(r"(/portal/activate/[^/\s]+/)", mail.outbox[-1].body).group(1)
    username = re.search(r"(?:nom d’utilisateur)\s*:\s*(\S+)", mail.outbox[-1].body, re.I).group(1)
    context = browser.new_context(locale="fr-CA", viewport={"width": 1000, "height": 900})
    page = context.new_page()
    page.goto(f"{url}{link}")
    shoot(page, "french-participant-activate")
    page.locator("#id_password1").fill(NEW_PASSWORD)
    page.locator("#id_password2").fill(NEW_PASSWORD)
    page.locator("form button[type=submit]").last.click()
    page.wait_for_load_state()
    page.goto(f"{url}/portal/login/")
    shoot(page, "french-participant-login")
    page.locator("#id_username").fill(username)
    page.locator("#id_password").fill(NEW_PASSWORD)
    page.locator("form button[type=submit]").last.click()
    page.wait_for_load_state()
    code = re.search(r"\b(\d{6})\b", mail.outbox[-1].body).group(1)
    page.locator("#id_code").fill(code)
    page.locator("form button[type=submit]").last.click()
    page.wait_for_load_state()
    found |= _tour(page, url, "participant", {"home": "/portal/", "symptoms": "/portal/symptoms/",
                                              "diary": "/portal/diary/W0/"}, shoot)
    context.close()
    assert found == {}
