"""The query pages: a query on a field the form lacks is refused naming it; the whole thread shows, follow-ups
included, on the data manager's page and in the site's inbox."""

from __future__ import annotations

from django.test import Client

from mescams.edc.queries.models import Query
from tests.factories.edc import randomised
from tests.integration.edc.web.test_form_validation import field_errors


def _as(users, name: str) -> Client:
    client = Client()
    client.force_login(users[name])
    return client


def test_the_query_page_refuses_a_field_the_form_lacks(users, allocation) -> None:
    pid = randomised(users["coord"])
    response = _as(users, "dm").post("/dm/queries/", {"participant_id": pid, "form": "vital_signs",
                                                      "field": "weight_pounds", "text": "Weight?"})
    assert "weight_pounds" in field_errors(response.content.decode(), "field")
    assert not Query.objects.exists()


def test_the_pages_show_the_whole_thread(users, allocation) -> None:
    pid = randomised(users["coord"])
    dm, coord = _as(users, "dm"), _as(users, "coord")
    assert dm.post("/dm/queries/", {"participant_id": pid, "form": "vital_signs", "field": "weight_kg",
                                    "text": "Weight 7 kg?"}).status_code == 302
    query = Query.objects.get()
    assert coord.post(f"/queries/{query.pk}/answer/", {"answer": "Typo, 70 kg"}).status_code == 302
    assert dm.post(f"/dm/queries/{query.pk}/follow-up/", {"text": "Correct the form too."}).status_code == 302
    assert coord.post(f"/queries/{query.pk}/answer/", {"answer": "Corrected."}).status_code == 302
    for page in (dm.get("/dm/queries/").content.decode(), coord.get("/site/queries/").content.decode()):
        positions = [page.index(text) for text in ("Weight 7 kg?", "Typo, 70 kg", "Correct the form too.",
                                                   "Corrected.")]
        assert positions == sorted(positions)
