"""Repeated items of the screening page grow on demand: the "add a row" button (htmx) fetches one more blank,
labelled row numbered after the ones on the page and bumps the formset's row count, so a fifth relapse is saved."""

from __future__ import annotations

import datetime as dt
import re

from mescams.edc.crfs.models import ScreeningRecord
from mescams.edc.web.screening_form import MAX_ROWS
from tests.integration.edc.factories import RANDOMISATION
from tests.integration.web.test_form_validation import _screening_data

D = dt.timedelta


def test_the_screening_page_offers_an_add_row_button_per_item(users, client_for) -> None:
    page = client_for("coord").get("/site/screen/").content.decode()
    for item in ("relapses", "mri", "edss", "therapies"):
        assert re.search(rf'<button type="button"[^>]*"add_row": "{item}"[^>]*hx-post="/site/screen/row/"', page)
    assert ">Add a row to Relapses</button>" in page


def test_a_fifth_relapse_row_is_added_and_saved(users, client_for) -> None:
    client = client_for("coord")
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
    response = client.post("/site/screen/", data)
    assert response.status_code == 302
    relapses = ScreeningRecord.objects.get().record["relapses"]
    assert [r["onset_date"] for r in relapses] == onsets
    assert relapses[4]["clinically_documented"] is True


def test_no_row_past_the_limit_or_for_an_unknown_item(users, client_for) -> None:
    client = client_for("coord")
    assert client.post("/site/screen/row/", {"add_row": "mri", "mri-TOTAL_FORMS": str(MAX_ROWS)}).status_code == 400
    assert client.post("/site/screen/row/", {"add_row": "conditions", "conditions-TOTAL_FORMS": "1"}).status_code == 400
    assert client.post("/site/screen/row/", {"add_row": "mri"}).status_code == 400
    assert client.get("/site/screen/row/").status_code == 405
