"""Repeated items of the screening page grow on demand: the "add a row" button (htmx) fetches one more blank,
labelled row numbered after the ones on the page and bumps the formset's row count, so a fifth relapse is saved.

Without JavaScript the same button is a plain submit button of the screening form: the server re-renders the whole
form with what was typed and one more blank row, storing nothing; the tests below post exactly what a browser
without JavaScript would post from the page (every control's value, plus the button pressed)."""

from __future__ import annotations

import datetime as dt
import re
from html.parser import HTMLParser

from mescams.edc.crfs.models import ScreeningRecord
from mescams.edc.web.screening_form import MAX_ROWS
from tests.factories.edc import RANDOMISATION, SCREENING, consented
from tests.integration.edc.web.test_form_validation import _screening_data

D = dt.timedelta


def _screening_url(users) -> str:
    """The screening page of a consented participant (screening comes after the consent)."""
    return f"/site/p/{consented(users['coord'])}/screening/"


def test_the_screening_page_offers_an_add_row_button_per_item(users, client_for) -> None:
    page = client_for("coord").get(_screening_url(users)).content.decode()
    for item in ("relapses", "mri", "edss", "therapies"):
        assert re.search(rf'<button type="submit" name="add_row" value="{item}" formnovalidate [^>]*'
                         rf'hx-post="/site/screen/row/" hx-target="#rows-{item}"', page)
    assert ">Add a row to Relapses</button>" in page
    form = _Form("screening-form")
    form.feed(page)
    # Enter in a field submits with the form's first submit button: it must register, not add a row
    assert form.buttons[0] == (None, None, "Register screening")
    assert form.buttons[-1] == (None, None, "Register screening")


def test_a_fifth_relapse_row_is_added_and_saved(users, client_for) -> None:
    client = client_for("coord")
    url = _screening_url(users)
    onsets = [(RANDOMISATION - D(days=100 + 90 * i)).isoformat() for i in range(5)]
    data = _screening_data(**{"relapses-TOTAL_FORMS": "4"})
    for i in range(4):
        data[f"relapses-{i}-onset_date"] = onsets[i]
    fragment = client.post("/site/screen/row/", {**data, "add_row": "relapses"})
    assert fragment.status_code == 200
    html = fragment.content.decode()
    assert '<label for="id_relapses-4-onset_date">Relapse onset</label>' in html
    assert 'aria-label="Relapses, row 5"' in html
    assert re.search(r'<input type="hidden" name="relapses-TOTAL_FORMS" value="5" id="id_relapses-TOTAL_FORMS" '
                     r'hx-swap-oob="true">', html)
    assert "relapses-3-" not in html  # only the new row comes back: the rows typed so far stay untouched

    data.update({"relapses-TOTAL_FORMS": "5", "relapses-4-onset_date": onsets[4],
                 "relapses-4-clinically_documented": "true"})
    response = client.post(url, data)
    assert response.status_code == 302
    relapses = ScreeningRecord.objects.get().record["relapses"]
    assert [r["onset_date"] for r in relapses] == onsets
    assert relapses[4]["clinically_documented"] is True


def test_no_row_past_the_limit_or_for_an_unknown_item(users, client_for) -> None:
    client = client_for("coord")
    assert client.post("/site/screen/row/", {"add_row": "mri", "mri-TOTAL_FORMS": str(MAX_ROWS)}).status_code == 400
    assert client.post("/site/screen/row/", {"add_row": "conditions", "conditions-TOTAL_FORMS": "1"}).status_code == 400
    assert client.post("/site/screen/row/", {"add_row": "mri"}).status_code == 400
    assert client.get("/site/screen/row/")["Location"] == "/site/screen/"  # back to the form, not a blank 405


class _Form(HTMLParser):
    """What a browser without JavaScript submits from the form ``form_id``: each control's name and value (ticked
    boxes only; a select's selected option, else its first), and the form's submit buttons as (name, value, text).
    """

    def __init__(self, form_id: str) -> None:
        super().__init__()
        self.form_id, self.inside, self.data = form_id, False, []
        self.buttons: list[tuple[str | None, str | None, str]] = []
        self.autofocus: list[str] = []
        self._select: tuple[str, list[str], list[str]] | None = None
        self._option: str | None = None
        self._button: list[str | None] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "form":
            self.inside = a.get("id") == self.form_id
        if not self.inside:
            return
        if "autofocus" in a:
            self.autofocus.append(a.get("name") or "")
        if tag == "input" and a.get("name"):
            if a.get("type") not in ("checkbox", "radio") or "checked" in a:
                self.data.append((a["name"], a.get("value") or ""))
        elif tag == "select":
            self._select = (a["name"], [], [])
        elif tag == "option" and self._select is not None:
            value = a.get("value") or ""
            self._select[1].append(value)
            if "selected" in a:
                self._select[2].append(value)
        elif tag == "button" and a.get("type") == "submit":
            self._button = [a.get("name"), a.get("value"), ""]

    def handle_data(self, data: str) -> None:
        if self._button is not None:
            self._button[2] = (self._button[2] or "") + data

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self.inside = False
        elif tag == "select" and self._select is not None:
            name, options, selected = self._select
            self.data.append((name, (selected or options)[0]))
            self._select = None
        elif tag == "button" and self._button is not None:
            name, value, text = self._button
            self.buttons.append((name, value, (text or "").strip()))
            self._button = None

    def submit(self, button: tuple[str, str] | None = None) -> dict[str, list[str]]:
        out: dict[str, list[str]] = {}
        for name, value in [*self.data, *([button] if button else [])]:
            out.setdefault(name, []).append(value)
        return out


def _page_form(html: str) -> _Form:
    form = _Form("screening-form")
    form.feed(html)
    return form


def test_without_javascript_add_a_row_re_renders_the_form_with_what_was_typed(users, client_for) -> None:
    client = client_for("coord")
    url = _screening_url(users)
    form = _page_form(client.get(url).content.decode())
    assert form.submit()["relapses-TOTAL_FORMS"] == ["3"]
    typed = form.submit()
    onsets = [(RANDOMISATION - D(days=100 + 90 * i)).isoformat() for i in range(5)]
    typed.update({"screening_date": [""], "sex": ["F"], "allergies": ["penicillin, latex"],
                  "basal_cell_carcinoma_start_date": ["2010-01-01"],
                  **{f"relapses-{i}-onset_date": [onsets[i]] for i in range(3)}})
    page = client.post(url, {**typed, "add_row": "relapses"})
    assert page.status_code == 200
    html = page.content.decode()
    assert ScreeningRecord.objects.count() == 0  # adding a row stores nothing
    assert 'aria-label="Relapses, row 4"' in html and '<label for="id_relapses-3-onset_date">' in html
    again = _page_form(html)
    sent = again.submit()
    assert sent["relapses-TOTAL_FORMS"] == ["4"] and sent["mri-TOTAL_FORMS"] == ["3"]
    assert again.autofocus == ["relapses-3-onset_date"]  # the keyboard carries on in the new row
    for name in ("sex", "allergies", "basal_cell_carcinoma_start_date", "relapses-0-onset_date",
                 "relapses-2-onset_date"):
        assert sent[name] == typed[name], name  # nothing typed is lost
    assert sent["relapses-3-onset_date"] == [""]
    # the empty screening date is not flagged yet (this was no submission); the live panel lists it
    form_html, panel = html.split('id="screening-form"', 1)[1].split("</form>", 1)
    assert 'class="errorlist"' not in form_html
    assert re.search(r'id="eligibility".*Screening date: This field is required', panel, re.S)

    # a second row the same way, then "Register screening": all five relapses are stored
    sent["relapses-3-onset_date"] = [onsets[3]]
    html = client.post(url, {**sent, "add_row": "relapses"}).content.decode()
    final = _page_form(html).submit()
    assert final["relapses-TOTAL_FORMS"] == ["5"] and final["relapses-3-onset_date"] == [onsets[3]]
    final.update({"screening_date": [SCREENING.isoformat()], "on": [RANDOMISATION.isoformat()],
                  "relapses-4-onset_date": [onsets[4]],
                  "relapses-4-clinically_documented": ["true"]})
    response = client.post(url, final)
    assert response.status_code == 302
    record = ScreeningRecord.objects.get().record
    assert [r["onset_date"] for r in record["relapses"]] == onsets
    assert record["allergies"] and record["sex"] == "F"


def test_without_javascript_no_row_past_the_limit_or_for_an_unknown_item(users, client_for) -> None:
    client = client_for("coord")
    url = _screening_url(users)
    full = client.post(url, _screening_data(**{"mri-TOTAL_FORMS": str(MAX_ROWS), "add_row": "mri"}))
    assert full.status_code == 400
    assert f"No row can be added to MRI scans (at most {MAX_ROWS} rows)." in full.content.decode()
    unknown = client.post(url, _screening_data(add_row="conditions"))
    assert unknown.status_code == 400 and "not a repeated item" in unknown.content.decode()
    assert client.post(url, {"add_row": "mri"}).status_code == 400  # no row count posted
    assert ScreeningRecord.objects.count() == 0
