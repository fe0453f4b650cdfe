"""Lists that scale (issue 18): participants, AE review, MRI scans, queries and the audit trail are searched,
filtered, sorted and paged on the server; the audit trail is searched by participant ID (never an internal number),
form, field, user and dates, and its form list comes from the models, not from the trail's rows."""

from __future__ import annotations

import datetime as dt
import re

from django.test import Client

from mescams.edc.audit.models import AuditEntry
from mescams.edc.crfs.services import save_form
from mescams.edc.queries.services import answer_query, follow_up_query, open_query
from mescams.edc.trial.models import Participant
from mescams.edc.trial.services import withdraw
from mescams.edc.web.listing import PER_PAGE
from tests.factories.edc import RANDOMISATION, randomised
from tests.integration.edc.test_validation_rules import GOOD

D = dt.timedelta


def _as(users, name: str) -> Client:
    client = Client()
    client.force_login(users[name])
    return client


def _ids(html: str) -> list[str]:
    return re.findall(r'<a href="/site/p/(OTT-\d+|WPG-\d+)/">', html)


def test_participants_are_searched_filtered_sorted_and_paged(users, allocation) -> None:
    pids = [randomised(users["coord"]) for _ in range(3)]
    withdraw(user=users["coord"], participant_id=pids[1], reason="moved away", on=RANDOMISATION + D(days=30))
    coord = _as(users, "coord")
    assert _ids(coord.get("/site/").content.decode()) == pids
    assert _ids(coord.get(f"/site/?q={pids[2][-3:]}").content.decode()) == [pids[2]]
    assert _ids(coord.get("/site/?status=withdrawn").content.decode()) == [pids[1]]
    assert _ids(coord.get("/site/?sort=status").content.decode())[-1] == pids[1]  # randomised < withdrawn
    assert _ids(coord.get("/site/?sort=nonsense").content.decode()) == pids  # an unknown sort: the default
    page = coord.get("/site/?status=randomised").content.decode()
    assert "1–2 of 2 participants" in page


def test_lists_are_paged_on_the_server(users, allocation) -> None:
    weeks = {"W0": 0, "W4": 4, "W12": 12, "W24": 24, "W28": 28, "W36": 36, "W48": 48}
    scans = [(visit, week) for visit, week in weeks.items()] * 8
    pids = [randomised(users["coord"] if i < 4 else users["coord_wpg"], site="OTT" if i < 4 else "WPG")
            for i in range(8)]
    for i, (visit, week) in enumerate(scans[:PER_PAGE + 5]):
        coord = users["coord"] if i // 7 < 4 else users["coord_wpg"]
        save_form(user=coord, participant_id=pids[i // 7], form="mri",
                  values={"visit_code": visit, "scan_date": RANDOMISATION + D(weeks=week)})
    reader = _as(users, "mri")
    first = reader.get("/mri/").content.decode()
    assert f"1–{PER_PAGE} of {PER_PAGE + 5} scans" in first and 'rel="next"' in first
    assert len(re.findall(r"href=\"/mri/[^/\"?]+/\"", first)) == PER_PAGE  # the rows of one page only
    second = reader.get("/mri/?page=2").content.decode()
    assert f"{PER_PAGE + 1}–{PER_PAGE + 5} of {PER_PAGE + 5} scans" in second and 'rel="prev"' in second
    assert reader.get("/mri/?page=999").status_code == 200  # past the end: the last page
    assert reader.get("/mri/?page=x").status_code == 200


def test_ae_review_filters_serious_and_unassessed_events(users, allocation) -> None:
    pid = randomised(users["coord"])
    save_form(user=users["coord"], participant_id=pid, form="adverse_event", values=GOOD["adverse_event"])
    save_form(user=users["coord"], participant_id=pid, form="adverse_event",
              values={**GOOD["adverse_event"], "term": "Pneumonia", "serious": True,
                      "serious_criteria": ["hospitalisation"], "severity_grade": 3,
                      "severity": "severe", "awareness_date": RANDOMISATION + dt.timedelta(days=4)})
    inv = _as(users, "inv")
    serious = inv.get("/site/ae-review/?serious=yes").content.decode()
    assert "Pneumonia" in serious and "Headache" not in serious
    assert "Headache" in inv.get("/site/ae-review/?q=head").content.decode()
    assert "1–2 of 2 adverse events" in inv.get("/site/ae-review/?assessed=no").content.decode()


def test_queries_show_every_message_with_the_field_label_and_a_link_to_the_field(users, allocation) -> None:
    pid = randomised(users["coord"])
    record = save_form(user=users["coord"], participant_id=pid, form="vital_signs", values=GOOD["vital_signs"])
    query = open_query(user=users["dm"], participant_id=pid, form="vital_signs", record_id=str(record.pk),
                       field="weight_kg", text="Weight dropped 9 kg since screening?")
    answer_query(user=users["coord"], query_id=query.pk, answer="Typo: 79 kg, corrected.")
    follow_up_query(user=users["dm"], query_id=query.pk, text="Please also check the height.")
    inbox = _as(users, "coord").get("/site/queries/").content.decode()
    for text in ("Weight dropped 9 kg since screening?", "Typo: 79 kg, corrected.", "Please also check the height."):
        assert text in inbox  # the whole thread, not only the latest answer
    assert f'href="/site/p/{pid}/forms/vital_signs/{record.pk}/#id_weight_kg"' in inbox
    assert "Vital signs and weight: Weight (kg)" in inbox and "vital_signs.weight_kg" not in inbox
    dm = _as(users, "dm").get("/dm/queries/?status=open&participant=" + pid).content.decode()
    assert "Please also check the height." in dm and f"/dm/audit/?participant={pid}&amp;form=vital_signs" in dm
    assert "No queries" in _as(users, "dm").get("/dm/queries/?status=closed").content.decode()
    assert "Weight dropped" in _as(users, "dm").get("/dm/queries/?q=height").content.decode()


def test_the_audit_trail_is_searched_by_participant_form_field_user_and_dates(users, allocation) -> None:
    first, second = randomised(users["coord"]), randomised(users["coord"])
    record = save_form(user=users["coord"], participant_id=first, form="vital_signs", values=GOOD["vital_signs"])
    save_form(user=users["coord"], participant_id=first, form="vital_signs", record_pk=record.pk,
              values={**GOOD["vital_signs"], "weight_kg": 71.5}, reason="transcription error")
    dm = _as(users, "dm")
    page = dm.get(f"/dm/audit/?participant={first}&field=Weight+(kg)").content.decode()
    rows = re.findall(r"<tr><td>\d+</td>.*?</tr>", page, flags=re.S)
    assert len(rows) == 3  # screening weight, week-4 weight, its correction
    assert all(first in row for row in rows) and second not in page
    assert "transcription error" in page and "71.5" in page
    assert f"participant_id {Participant.objects.get(participant_id=first).pk}" not in page
    only_vitals = dm.get(f"/dm/audit/?participant={first}&table=crfs_vitalsigns").content.decode()
    assert "Vital signs and weight" in only_vitals and "Screening" not in re.sub(r"<select.*?</select>", "",
                                                                                   only_vitals, flags=re.S)
    assert "No entries match" in dm.get(f"/dm/audit/?user=nobody&participant={first}").content.decode()
    today = dt.datetime.now(dt.UTC).date()
    assert "No entries match" in dm.get(f"/dm/audit/?date_to={today - D(days=1)}").content.decode()
    assert "No entries match" not in dm.get(f"/dm/audit/?date_from={today}&user=coord").content.decode()
    assert "the end date is before the start date" in dm.get(
        f"/dm/audit/?date_from={today}&date_to={today - D(days=1)}").content.decode()
    # the form list is the models', not one option per entry
    options = re.findall(r"<option ", page.split('name="table"')[1].split("</select>")[0])
    assert len(options) < 40 and AuditEntry.objects.count() > 40
    assert "randomisation_allocationslot" not in page  # blinded: no allocation tables


def test_the_audit_search_of_an_unknown_participant_finds_nothing(users, allocation) -> None:
    randomised(users["coord"])
    assert "No entries match" in _as(users, "dm").get("/dm/audit/?participant=OTT-999").content.decode()
