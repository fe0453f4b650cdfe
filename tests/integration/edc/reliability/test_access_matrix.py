"""Access control as data: role x route x method -> outcome, generated from the code and compared to a reviewed
matrix (access_matrix.json), with invariants checked over every cell, and the site rule walked over every route.

Outcomes: ``allowed`` (the handler ran: 2xx, or a redirect to a page), ``input`` (the handler ran and refused the
input or the state: 400/409/422/423), ``denied`` (403), ``absent`` (404), ``login`` (anonymous: 401, or a redirect
to the log-in page), ``method`` (405). Regenerate after a deliberate change with
``MESCAMS_UPDATE_ACCESS_MATRIX=1 pytest tests/integration/edc/reliability/test_access_matrix.py`` and review the diff.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path
from typing import Any

import pytest
from django.db import transaction
from django.test import Client

from mescams.core.blinding import BLINDING_POLICY, Role
from mescams.edc.crfs.models import FORMS
from mescams.edc.crfs.services import save_form
from mescams.edc.portal.middleware import SECOND_FACTOR_KEY
from mescams.edc.queries import services as queries
from mescams.edc.randomisation.models import AllocationSlot
from tests.integration.edc.reliability.routes import (
    PUBLIC_API,
    PUBLIC_PAGES,
    api_routes,
    fill_api,
    fill_page,
    page_routes,
)
from tests.integration.edc.test_blinding import _body

MATRIX = Path(__file__).with_name("access_matrix.json")
ALLOCATION_ROUTES = re.compile(r"^/api/(randomisation/list|lab/|export/|exports/|federated/)|^/(lab|oversight)/")
PAGE_POSTS = {"consent": {"consent_date": "2016-01-05", "consent_time": "10:00", "form_version": "v1"},
              "withdraw": {"reason": "test", "on": "2016-03-01"}, "answer_query": {"answer": "yes"},
              "unblind": {"reason": "test"}, "prescreening_not_screened": {"reason_not_screened": "declined"}}


def _outcome(response: Any) -> str:
    code = response.status_code
    if code == 401 or (code == 302 and "/accounts/login/" in response.get("Location", "")):
        return "login"
    return {403: "denied", 404: "absent", 405: "method"}.get(code) or (
        "allowed" if code < 400 else "input" if code in (400, 409, 422, 423) else f"status {code}")


def _world(users: dict[str, Any]) -> dict[str, dict[str, str]]:
    """A randomised participant at each site with a record and an open query; the values routes are filled with."""
    from mescams.edc.coding.models import CodedTerm
    from mescams.edc.crfs.models import MriScan
    from mescams.edc.monitoring.services import record_visit
    from mescams.edc.trial.consent import log_prescreening
    from tests.factories.edc import RANDOMISATION, randomised
    from tests.integration.edc.test_validation_rules import GOOD

    values = {}
    for site, coord in (("OTT", users["coord"]), ("WPG", users["coord_wpg"])):
        pid = randomised(coord, site=site)
        vitals = save_form(user=coord, participant_id=pid, form="vital_signs", values=GOOD["vital_signs"])
        save_form(user=coord, participant_id=pid, form="demographics", values=GOOD["demographics"])
        scan = save_form(user=coord, participant_id=pid, form="mri",
                         values={"visit_code": "W4", "scan_date": RANDOMISATION.replace(day=29)})
        query = queries.open_query(user=users["dm"], participant_id=pid, form="vital_signs", field="weight_kg",
                                   text="?")
        assert MriScan.objects.filter(pk=scan.pk).exists()
        entry = log_prescreening(user=coord, site_code=site, local_number="PS-1", logged_on=RANDOMISATION,
                                 age_band="30-39", ms_course="RRMS")
        ae = save_form(user=coord, participant_id=pid, form="adverse_event", values=GOOD["adverse_event"])
        term = CodedTerm.objects.get(form="adverse_event", record_pk=ae.pk)  # coded (or not) as it was saved
        values[site] = {"participant_id": pid, "record_id": str(vitals.pk), "record_pk": str(vitals.pk),
                        "term_id": str(term.pk),
                        "entry_id": str(entry.pk),
                        "visit_code": "W0", "form_name": "vital_signs", "scan_id": scan.scan_id,
                        "query_id": str(query.pk), "name": "x", "filename": "x",
                        # routes of the consent documents, labels and portal (ids that need not exist)
                        "pk": "999999", "report_id": "999999", "token": "x",
                        "product_code": AllocationSlot.objects.get(participant__participant_id=pid).product_code}
    # a monitoring visit at the monitor's site (OTT), for the report's route
    visit = record_visit(user=users["monitor"], site_code="OTT", visit_date=RANDOMISATION, findings="ok")
    for site in values:
        values[site]["visit_id"] = str(visit.pk)
    return values


def _clients(users: dict[str, Any]) -> dict[str, Client]:
    clients = {"anonymous": Client(raise_request_exception=False)}
    for role in Role:
        user = next(u for u in users.values() if u.role == role.value and u.username != "coord_wpg")
        clients[role.value] = Client(raise_request_exception=False)  # a crash is a cell of the matrix (5xx)
        clients[role.value].force_login(user)
        if role is Role.PARTICIPANT:  # past the portal's second factor, as a participant really is
            session = clients[role.value].session
            session[SECOND_FACTOR_KEY] = True
            session.save()
    return clients


def _call(client: Client, method: str, path: str, body: dict[str, Any] | None, *, form: bool = False) -> Any:
    with transaction.atomic():
        call = getattr(client, method.lower())
        if method == "GET":
            response = call(path)
        elif form:
            response = call(path, body or {})
        else:
            response = call(path, json.dumps(body or {}), content_type="application/json")
        transaction.set_rollback(True)
    return response


def _api_path(template: str, values: dict[str, str]) -> str:
    form = next((f for f in FORMS if f"/forms/{f}/" in template), None)
    if form and form != "vital_signs":
        record = FORMS[form].objects.filter(participant__participant_id=values["participant_id"]).first()
        values = {**values, "record_id": str(record.pk if record else 999999)}
    return fill_api(template, values)


def _generate(users: dict[str, Any], values: dict[str, str]) -> dict[str, dict[str, str]]:
    matrix: dict[str, dict[str, str]] = {}
    clients = _clients(users)
    for method, template in api_routes():
        path = _api_path(template, values)
        body = _body(method, template, values["participant_id"])
        used = _clients(users) if "logout" in path else clients  # logging out must not end the shared sessions
        matrix[f"{method} {template}"] = {name: _outcome(_call(c, method, path, body)) for name, c in used.items()}
    for name, route in page_routes():
        path = fill_page(route, values)
        for method in ("GET", "POST"):
            used = _clients(users) if "logout" in path else clients
            matrix[f"{method} /{route}"] = {
                role: _outcome(_call(c, method, path, PAGE_POSTS.get(name), form=True)) for role, c in used.items()}
    return matrix


@pytest.fixture()
def world(users, allocation) -> dict[str, dict[str, str]]:
    return _world(users)


def test_access_matrix_matches_the_reviewed_one(users, world, edc) -> None:
    if edc != "sqlite":
        pytest.skip("the matrix is a property of the code; the database is exercised by the site walk")
    matrix = _generate(users, world["OTT"])
    if os.environ.get("MESCAMS_UPDATE_ACCESS_MATRIX") == "1" or not MATRIX.exists():
        MATRIX.write_text(json.dumps(matrix, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    reviewed = json.loads(MATRIX.read_text(encoding="utf-8"))
    changed = {k: (reviewed.get(k), v) for k, v in matrix.items() if reviewed.get(k) != v}
    gone = sorted(set(reviewed) - set(matrix))
    assert not changed and not gone, f"access changed (review, then regenerate): {gone} " + \
        "; ".join(f"{k}: {v}" for k, v in list(changed.items())[:5])
    # invariants over every cell
    for key, cells in matrix.items():
        method, path = key.split(" ", 1)
        public = (method, path) in PUBLIC_API or path.lstrip("/") in PUBLIC_PAGES
        if path.startswith("/api/"):
            assert not any(o.startswith("status 5") for o in cells.values()), f"{key} crashes: {cells}"
        if not public:
            assert cells["anonymous"] in ("login", "method"), f"{key} is open to anonymous users: {cells}"
        if ALLOCATION_ROUTES.search(path):
            for role in BLINDING_POLICY.blinded_roles:
                assert cells[role.value] != "allowed" or role is Role.MRI_READER and "/mri/" in path, (key, role)
    outcomes = {o for cells in matrix.values() for o in cells.values()}
    assert {"allowed", "denied", "login"} <= outcomes


def _isolation_targets(users: dict[str, Any], values: dict[str, dict[str, str]]) -> list[tuple[str, str, Any]]:
    out = []
    for method, template in api_routes():
        if "{" in template:
            out.append((method, template, "api"))
    for name, route in page_routes():
        if "<" in route:
            out += [("GET", route, name), ("POST", route, name)]
    return out


def _normalise(response: Any, *ids: str) -> tuple[int, bytes]:
    body = response.content
    for value in ids:
        body = body.replace(value.encode(), b"<id>")
    body = re.sub(rb"[A-Za-z0-9]{32,64}", b"<token>", body)  # CSRF tokens differ per response
    return response.status_code, body


def test_a_site_user_reaches_no_other_site_participant_by_any_route_or_guessed_id(users, world) -> None:
    """OTT's coordinator (and rater), with WPG's IDs: never a success, and the same answer as for an ID that does
    not exist (so a guessed identifier does not even confirm that the participant exists)."""
    own, other = world["OTT"], world["WPG"]
    ghost = {**other, "participant_id": "WPG-999", "record_id": "999999", "record_pk": "999999",
             "query_id": "999999", "scan_id": "S-NONE", "entry_id": "999999"}
    mixed = {**own, "record_id": other["record_id"], "record_pk": other["record_pk"], "query_id": other["query_id"],
             "entry_id": other["entry_id"]}
    for username in ("coord", "rater"):
        client = Client()
        client.force_login(users[username])
        for method, route, kind in _isolation_targets(users, world):
            api = kind == "api"
            fill = fill_api if api else fill_page
            if "scan_id" in route or route.startswith("mri/"):
                continue  # scans are the MRI reader's, by scan ID, across sites (no participant context)
            body = _body(method, route, other["participant_id"]) if api else PAGE_POSTS.get(kind)
            if "{participant_id}" in route or "<str:participant_id>" in route:
                real = _call(client, method, fill(route, other), body, form=not api)
                guess = _call(client, method, fill(route, ghost), body, form=not api)
                # a GET on a POST-only address is sent back to its form page (never a success there)
                back_to_form = real.status_code == 302 and "login" not in real["Location"] \
                    and client.get(real["Location"]).status_code >= 400
                assert real.status_code >= 400 or real.status_code == 302 and "login" in real["Location"] \
                    or back_to_form, (username, method, route, real.status_code)
                assert _normalise(real, other["participant_id"], f"/{other['record_pk']}/") == \
                    _normalise(guess, "WPG-999", "/999999/"), \
                    (username, method, route, real.status_code, guess.status_code)
            for ids in ("record_id", "record_pk", "query_id", "entry_id"):
                if ids in route:
                    r = _call(client, method, fill(route, mixed), body, form=not api)
                    # Each form numbers its own records, so WPG's record number may also be one of OTT-001's
                    # records of another form: a read may succeed, but only ever with OTT's own data.
                    assert not (200 <= r.status_code < 300) or method == "GET" and \
                        other["participant_id"].encode() not in r.content, (username, method, route, r.status_code)
        listed = client.get("/api/participants").json()
        assert listed and all(p["site"] == "OTT" for p in listed)
        assert all(q["participant_id"].startswith("OTT") for q in client.get("/api/queries").json())
        if username == "coord":
            assert [e["site"] for e in client.get("/api/prescreening").json()] == ["OTT"]


def test_each_role_lists_only_what_its_work_needs(users, world) -> None:
    """Least privilege (finding 8 of issue 14): the API lists of each role hold what its pages show, as stated by
    :data:`mescams.edc.security.need_to_know.NEED_TO_KNOW`. The administrator reads no participants or query
    texts, the lab no queries, the blinded rater no deviations nor withdrawal reasons."""
    import datetime as dt

    from mescams.edc.security.need_to_know import ParticipantData, needs
    from mescams.edc.trial import services as trial
    from tests.factories.edc import RANDOMISATION
    from tests.integration.edc.test_validation_rules import GOOD

    pid = world["OTT"]["participant_id"]
    late = RANDOMISATION + dt.timedelta(weeks=12, days=9)  # out of window: the system records a deviation
    save_form(user=users["coord"], participant_id=pid, form="vital_signs",
              values={**GOOD["vital_signs"], "visit_code": "W12", "assessment_date": late})
    trial.withdraw(user=users["coord"], participant_id=pid, reason="moved away", on=late)
    queries.open_query(user=users["dm"], participant_id=pid, form="edss", field="ambulation", text="?")
    clients = _clients(users)
    for role in Role:
        c = clients[role.value]
        if role is Role.PARTICIPANT:  # the portal only: the API refuses a participant account outright
            assert c.get("/api/participants").status_code == 403 and c.get("/api/queries").status_code == 403
            continue
        listed = c.get("/api/participants").json()
        assert bool(listed) == needs(role, ParticipantData.PARTICIPANTS), (role, len(listed))
        query_texts = c.get("/api/queries").json()
        assert bool(query_texts) == needs(role, ParticipantData.QUERIES), (role, len(query_texts))
        deviations = c.get(f"/api/participants/{pid}/deviations")
        if needs(role, ParticipantData.DEVIATIONS):
            assert deviations.status_code == 200 and deviations.json(), role
        else:
            assert deviations.status_code in (403, 404), (role, deviations.status_code)
        if needs(role, ParticipantData.PARTICIPANTS):
            one = c.get(f"/api/participants/{pid}").json()
            reasons = needs(role, ParticipantData.REASONS)
            assert (one["withdrawal_reason"] == "moved away") == reasons, (role, one["withdrawal_reason"])
    assert not needs(Role.ADMINISTRATOR, ParticipantData.PARTICIPANTS)
    assert not needs(Role.CELL_LAB, ParticipantData.QUERIES)
    assert not needs(Role.EDSS_RATER, ParticipantData.DEVIATIONS)
    assert not needs(Role.EDSS_RATER, ParticipantData.REASONS)

