"""A second entry of a single form on the pages: not saved, and the page offers to change the existing record."""

from __future__ import annotations

from django.test import Client

from mescams.edc.crfs.models import VitalSigns
from tests.factories.edc import randomised


def _as(users, name: str) -> Client:
    client = Client()
    client.force_login(users[name])
    return client


def test_second_week0_vital_signs_links_to_the_first(users, allocation) -> None:
    pid = randomised(users["coord"])
    coord = _as(users, "coord")
    url = f"/site/p/{pid}/forms/vital_signs/new/?visit=W0"
    first = {"visit_code": "W0", "assessment_date": "2016-02-01", "weight_kg": "71"}
    assert coord.post(url, first).status_code == 302
    existing = VitalSigns.objects.get(participant__participant_id=pid, visit_code="W0")
    page = coord.post(url, {**first, "weight_kg": "90"})
    html = page.content.decode()
    assert page.status_code == 200 and 'id="duplicate"' in html
    assert f"Vital signs and weight is already recorded for {pid} at visit W0." in html  # the page's words
    assert f'href="/site/p/{pid}/forms/vital_signs/{existing.pk}/"' in html
    assert list(VitalSigns.objects.filter(participant__participant_id=pid, visit_code="W0")
                .values_list("weight_kg", flat=True)) == [71.0]
    edit = coord.get(f"/site/p/{pid}/forms/vital_signs/{existing.pk}/")
    assert edit.status_code == 200 and 'value="71.0"' in edit.content.decode()


def test_visit_page_offers_change_not_a_second_entry(users, allocation) -> None:
    pid = randomised(users["coord"])  # vital signs entered at screening
    page = _as(users, "coord").get(f"/site/p/{pid}/visit/SCR/").content.decode()
    assert "Entered once per visit: change it above." in page
    assert f"/site/p/{pid}/forms/vital_signs/new/" not in page
    assert f"/site/p/{pid}/forms/demographics/new/" in page  # not entered yet
