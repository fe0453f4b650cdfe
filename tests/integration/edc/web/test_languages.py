"""English and Canadian French: the browser's language before log-in, the switch on every page, the account's
stored (and audited) choice after, dates and numbers in the language's format."""

from __future__ import annotations

import datetime as dt

from django.test import Client
from django.utils import formats, translation

from mescams.edc.audit.models import AuditEntry

FRENCH_BROWSER = {"HTTP_ACCEPT_LANGUAGE": "fr-CA,fr;q=0.9,en;q=0.5"}


def test_the_browser_language_decides_before_log_in(users: dict[str, object]) -> None:
    english = Client().get("/accounts/login/")
    french = Client().get("/accounts/login/", **FRENCH_BROWSER)
    assert '<html lang="en">' in english.text and "<h1>Log in</h1>" in english.text
    assert '<html lang="fr-ca">' in french.text and "<h1>Se connecter</h1>" in french.text
    assert french.headers["Content-Language"] == "fr-ca"


def test_a_plain_french_browser_gets_canadian_french(users: dict[str, object]) -> None:
    page = Client().get("/accounts/login/", HTTP_ACCEPT_LANGUAGE="fr")
    assert "<h1>Se connecter</h1>" in page.text


def test_the_switch_before_log_in_is_remembered_in_a_cookie(users: dict[str, object]) -> None:
    client = Client()
    switched = client.post("/language/", {"language": "fr-ca", "next": "/accounts/login/"})
    assert switched.status_code == 302 and switched.headers["Location"] == "/accounts/login/"
    assert "<h1>Se connecter</h1>" in client.get("/accounts/login/").text


def test_the_switch_refuses_an_unknown_language_and_a_foreign_next_page(users: dict[str, object]) -> None:
    assert Client().post("/language/", {"language": "de"}).status_code == 400
    away = Client().post("/language/", {"language": "fr-ca", "next": "https://evil.example/"})
    assert away.headers["Location"] == "/"


def test_every_page_offers_the_other_language(client_for) -> None:  # type: ignore[no-untyped-def]
    page = client_for("coord").get("/site/")
    assert 'name="language" value="fr-ca"' in page.text and "Français canadien" in page.text


def test_a_user_choice_is_stored_audited_and_wins_over_the_browser(users: dict[str, object],
                                                                   client_for) -> None:  # type: ignore[no-untyped-def]
    client_for("coord").post("/language/", {"language": "fr-ca", "next": "/site/"})
    coord = users["coord"]
    coord.refresh_from_db()  # type: ignore[attr-defined]
    assert coord.language == "fr-ca"  # type: ignore[attr-defined]
    entry = AuditEntry.objects.get(field="language", record_id=str(coord.pk))  # type: ignore[attr-defined]
    assert (entry.username, entry.old, entry.new) == ("coord", None, '"fr-ca"')  # stored as JSON
    # a new session from an English browser still gets the account's French
    fresh = Client()
    fresh.force_login(coord)  # type: ignore[arg-type]
    page = fresh.get("/site/", HTTP_ACCEPT_LANGUAGE="en")
    assert '<html lang="fr-ca">' in page.text and "Se déconnecter" in page.text
    # and choosing English again is one more audited change
    fresh.post("/language/", {"language": "en", "next": "/site/"})
    assert list(AuditEntry.objects.filter(field="language").values_list("old", "new").order_by("seq")) == [
        (None, '"fr-ca"'), ('"fr-ca"', '"en"')]


def test_role_and_navigation_are_translated(users: dict[str, object], client_for) -> None:  # type: ignore[no-untyped-def]
    client = client_for("coord")
    client.post("/language/", {"language": "fr-ca", "next": "/site/"})
    page = client.get("/site/").text
    assert "Coordonnateur de site" in page and ">Présélection</a>" in page


def test_numbers_take_a_decimal_comma_and_dates_stay_iso_in_french() -> None:
    with translation.override("fr-ca"):
        assert formats.number_format(2.5, 1) == "2,5"
        assert formats.date_format(dt.date(2016, 1, 4)) == "2016-01-04"
        assert formats.number_format(12345.6, 1, use_l10n=True, force_grouping=True) == "12\u202f345,6"
    with translation.override("en"):
        assert formats.number_format(2.5, 1) == "2.5"
