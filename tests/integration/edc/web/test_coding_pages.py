"""The medical coder's pages: the queue, a term with dictionary search and each hit's whole hierarchy (primary
path marked), a decision remembered as a synonym, a query that reaches the site's inbox; no other role gets in."""

from __future__ import annotations

import datetime as dt
import tempfile
from pathlib import Path
from typing import Any

from mescams.edc.coding.models import CodedTerm
from mescams.edc.crfs.services import save_form
from tests.factories.edc import RANDOMISATION, screened


def _world(users: dict[str, Any]) -> tuple[str, CodedTerm]:
    from mescams.edc.audit.context import Actor
    from mescams.edc.coding.loading import load_meddra
    from mescams.interop.dictionaries.synthetic import write_synthetic_meddra

    with tempfile.TemporaryDirectory() as folder:
        load_meddra(write_synthetic_meddra(Path(folder)), actor=Actor.system("test"))
    pid = screened(users["coord"])
    ae = save_form(user=users["coord"], participant_id=pid, form="adverse_event",
                   values={"term": "waterworks infection", "onset_date": RANDOMISATION + dt.timedelta(days=2),
                           "severity_grade": 1})
    return pid, CodedTerm.objects.get(form="adverse_event", record_pk=ae.pk)


def test_the_coder_codes_from_the_queue_with_the_hierarchy_shown(users, client_for) -> None:
    pid, term = _world(users)
    coder = client_for("coder")
    queue = coder.get("/coding/")
    assert queue.status_code == 200 and b"waterworks infection" in queue.content and pid.encode() in queue.content
    page = coder.get(f"/coding/{term.pk}/?q=urinary")
    assert page.status_code == 200
    text = page.content.decode()
    assert "Urinary tract infection" in text and "UTI" in text
    # the whole hierarchy: the primary path (infections) and the secondary one (renal)
    assert "<strong>primary</strong> Infections and infestations" in text and "Renal and urinary disorders" in text
    decided = coder.post(f"/coding/{term.pk}/decide/", {"code": "90000002", "reason": "lay term", "remember": "on"})
    assert decided.status_code == 302
    term.refresh_from_db()
    assert (term.status, term.pt_name, term.soc_name, term.coded_by) == ("coded", "Urinary tract infection",
                                                                        "Infections and infestations", "coder")
    row = f'id="term-{term.pk}"'.encode()
    assert row not in coder.get("/coding/").content  # no longer waiting
    assert row in coder.get("/coding/?show=coded").content


def test_a_decision_needs_a_reason_and_a_current_llt(users, client_for) -> None:
    _, term = _world(users)
    coder = client_for("coder")
    for body in ({"code": "90000002", "reason": ""}, {"code": "90005003", "reason": "head ache"}):
        coder.post(f"/coding/{term.pk}/decide/", body)
        term.refresh_from_db()
        assert term.status == "uncoded"


def test_a_coding_query_reaches_the_site(users, client_for) -> None:
    pid, term = _world(users)
    sent = client_for("coder").post(f"/coding/{term.pk}/query/", {"text": "Which organ? Please give the diagnosis."})
    assert sent.status_code == 302
    term.refresh_from_db()
    assert term.status == "queried"
    inbox = client_for("coord").get("/site/queries/")
    assert b"Which organ? Please give the diagnosis." in inbox.content and pid.encode() in inbox.content


def test_only_the_coder_opens_the_coding_pages(users, client_for) -> None:
    _, term = _world(users)
    for name in ("coord", "inv", "dm", "dsmb", "statistician", "rater", "lab", "admin"):
        client = client_for(name)
        assert client.get("/coding/").status_code == 403, name
        assert client.get(f"/coding/{term.pk}/").status_code == 403, name
        assert client.post(f"/coding/{term.pk}/decide/", {"code": "90000002", "reason": "x"}).status_code == 403
    assert client_for("coder").get("/site/").status_code == 403


def test_the_dsmb_safety_page_tables_aes_by_soc_and_pt(users, allocation, client_for) -> None:
    """A coded AE after the infusion is counted under its primary SOC and PT in the treatment's column."""
    from mescams.edc.audit.context import Actor
    from mescams.edc.coding.loading import load_meddra
    from mescams.interop.dictionaries.synthetic import write_synthetic_meddra
    from tests.factories.edc import infuse, randomised

    with tempfile.TemporaryDirectory() as folder:
        load_meddra(write_synthetic_meddra(Path(folder)), actor=Actor.system("test"))
    pid = randomised(users["coord"])
    infuse(users["coord"], pid)
    save_form(user=users["coord"], participant_id=pid, form="adverse_event",
              values={"term": "UTI", "onset_date": RANDOMISATION + dt.timedelta(days=3), "severity_grade": 1})
    page = client_for("dsmb").get("/oversight/safety/")
    assert page.status_code == 200
    text = page.content.decode()
    assert '<th scope="row">Infections and infestations</th>' in text
    assert "&nbsp;&nbsp;Urinary tract infection</td>" in text
    assert "Urinary tract infection · Infections and infestations" in text  # the event listing shows its coding


def test_the_queue_shows_history_and_prior_therapies_by_their_form(users, client_for) -> None:
    _world(users)  # MedDRA only: the prior therapy (interferon beta) waits for a WHODrug release
    coder = client_for("coder")
    waiting = coder.get("/coding/").content.decode()
    assert "<td>interferon beta</td><td>Prior MS therapy</td>" in waiting
    assert "Multiple sclerosis" not in waiting  # coded on entry: not in the queue
    coded = coder.get("/coding/?show=coded").content.decode()
    assert "<td>Multiple sclerosis</td><td>Medical history</td>" in coded
