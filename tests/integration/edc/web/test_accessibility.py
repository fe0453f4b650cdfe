"""Accessibility basics of the forms: every visible input, select and text area has a label tied to it (a
<label for=...> or an enclosing <label>), and every page has one <h1> and a language."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest
from django.test import Client

from mescams.edc.crfs.models import FORMS
from tests.factories.edc import randomised

SITE_FORMS = [f for f in FORMS if f not in ("screening", "consent", "edss")]


class _Controls(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.labelled: set[str] = set()
        self.controls: list[str] = []
        self.unlabelled_wrapped = 0
        self.h1 = 0
        self.lang = ""
        self._label_depth = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "html":
            self.lang = a.get("lang") or ""
        if tag == "h1":
            self.h1 += 1
        if tag == "label":
            self._label_depth += 1
            if a.get("for"):
                self.labelled.add(a["for"] or "")
        if tag in ("input", "select", "textarea") and a.get("type") not in ("hidden", "submit"):
            if self._label_depth:
                return
            self.controls.append(a.get("id") or f"<{tag} name={a.get('name')} without id>")

    def handle_endtag(self, tag: str) -> None:
        if tag == "label":
            self._label_depth -= 1


def _check(html: str) -> None:
    parser = _Controls()
    parser.feed(html)
    missing = [c for c in parser.controls if c not in parser.labelled]
    assert not missing, f"controls without a label: {missing}"
    assert parser.h1 == 1 and parser.lang == "en"


@pytest.mark.parametrize("form", SITE_FORMS)
def test_every_ecrf_field_has_a_label(users, allocation, form) -> None:
    pid = randomised(users["coord"])
    client = Client()
    client.force_login(users["coord"])
    _check(client.get(f"/site/p/{pid}/forms/{form}/new/").content.decode())


def test_screening_participant_and_management_pages_are_labelled(users, allocation) -> None:
    pid = randomised(users["coord"])
    from tests.factories.edc import consented

    fresh = consented(users["coord"])
    pages = {"coord": ["/site/", "/site/screen/", "/site/prescreening/", "/site/reconsent/",
                       f"/site/p/{fresh}/screening/", f"/site/p/{fresh}/", f"/site/p/{pid}/", "/site/queries/"],
             "inv": [f"/site/p/{pid}/", "/site/ae-review/"], "rater": [f"/site/p/{pid}/forms/edss/new/"],
             "dm": ["/dm/queries/", "/dm/locks/", "/dm/audit/"], "lab": [f"/lab/{pid}/W0/"]}
    for name, paths in pages.items():
        client = Client()
        client.force_login(users[name])
        for path in paths:
            _check(client.get(path).content.decode())
    _check(Client().get("/accounts/login/").content.decode())
