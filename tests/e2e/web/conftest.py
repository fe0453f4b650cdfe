"""Browser tests: Debian's chromium driven by Playwright against Django's live server (a temporary SQLite
database filled through the EDC's services). Screenshots go to the session's pytest temporary directory
(``screenshots/`` under ``--basetemp``, or pytest's numbered ``pytest-of-<user>`` folder), never into the checkout."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from mescams.edc.testing import configure_for_tests
from tests.conftest import require

configure_for_tests()
# Playwright's sync API runs an event loop in this thread; the ORM calls of the test set-up are still synchronous.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    require(Path(CHROMIUM).is_file() or shutil.which("chromium") is not None, f"chromium not found at {CHROMIUM}")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield browser
        browser.close()


@pytest.fixture()
def trial(transactional_db: None) -> dict[str, Any]:
    """Users of every role and an allocation list, entered through the services."""
    from mescams.edc.randomisation.services import generate_list
    from mescams.edc.trial.sites import sync_sites
    from tests.factories.edc import LIST_SEED, make_users

    sync_sites()
    users = make_users()
    generate_list(actor=users["statistician"], seed=LIST_SEED, slots_per_site=8)
    return users


@pytest.fixture(scope="session")
def screenshots(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One folder for the session's screenshots, named by page, to look at after a run."""
    return tmp_path_factory.mktemp("screenshots", numbered=False)


@pytest.fixture()
def shoot(screenshots: Path) -> Any:
    def take(page: Any, name: str) -> None:
        page.screenshot(path=str(screenshots / f"{name}.png"), full_page=True)

    return take
