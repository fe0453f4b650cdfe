"""The monitor (clinical research associate): blinded, read-only on its own sites' data, verifies source data
record by record (the mark clears when the record changes afterwards, and every mark is in the audit trail),
raises queries on a record's field, and records monitoring visits with their report."""

from __future__ import annotations

import datetime as dt
import re

from django.test import Client

from mescams.edc.audit.models import AuditEntry
from mescams.edc.crfs.services import save_form
from mescams.edc.monitoring.models import MonitoringVisit, SourceVerification
from tests.factories.edc import infuse, randomised
from tests.integration.edc.test_validation_rules import GOOD


def _as(users, name: str) -> Client:
    client = Client()
    client.force_login(users[name])
    return client


def _record_section(page: str, form: str, pk: int) -> str:
    start = page.index(f'id="record-{form}-{pk}"')
    return page[start:page.index("</article>", start)]


def test_a_mark_clears_when_the_record_changes_afterwards_and_is_audited(users, allocation) -> None:
    pid = randomised(users["coord"])
    record = save_form(user=users["coord"], participant_id=pid, form="vital_signs", values=GOOD["vital_signs"])
    monitor = _as(users, "monitor")
    page = monitor.get(f"/monitor/p/{pid}/").content.decode()
    assert "not yet verified" in _record_section(page, "vital_signs", record.pk)
    assert "Weight (kg)" in page and "70.0" in page
    monitor.post(f"/monitor/p/{pid}/verify/", {"form": "vital_signs", "record_id": str(record.pk)})
    assert "✓ verified" in _record_section(monitor.get(f"/monitor/p/{pid}/").content.decode(), "vital_signs",
                                           record.pk)
    mark = SourceVerification.objects.get()
    assert mark.verified_by == "monitor"
    assert AuditEntry.objects.filter(table="monitoring_sourceverification", record_id=str(mark.pk),
                                     username="monitor", reason="source data verification").exists()
    save_form(user=users["coord"], participant_id=pid, form="vital_signs", record_pk=record.pk,
              values={**GOOD["vital_signs"], "weight_kg": 71.0}, reason="source says 71 kg")
    changed = _record_section(monitor.get(f"/monitor/p/{pid}/").content.decode(), "vital_signs", record.pk)
    assert "changed since verification" in changed and "✓ verified" not in changed
    home = monitor.get("/monitor/").content.decode()
    assert re.search(r'data-label="Changed since verification" class="warn">1<', home)
    monitor.post(f"/monitor/p/{pid}/verify/", {"form": "vital_signs", "record_id": str(record.pk)})
    assert "✓ verified" in _record_section(monitor.get(f"/monitor/p/{pid}/").content.decode(), "vital_signs",
                                           record.pk)


def test_the_monitor_is_read_only_blinded_and_bound_to_its_sites(users, allocation) -> None:
    ott, wpg = randomised(users["coord"]), randomised(users["coord_wpg"], site="WPG")
    infuse(users["coord"], ott)
    monitor = _as(users, "monitor")
    assert monitor.get(f"/monitor/p/{wpg}/").status_code == 404  # not one of its sites
    assert wpg not in monitor.get("/monitor/").content.decode()
    assert monitor.post(f"/monitor/p/{wpg}/verify/", {"form": "vital_signs", "record_id": "1"}).status_code == 404
    assert not SourceVerification.objects.exists()
    assert monitor.get(f"/site/p/{ott}/").status_code == 403
    assert monitor.post(f"/site/p/{ott}/forms/vital_signs/new/", GOOD["vital_signs"]).status_code == 403
    page = monitor.get(f"/monitor/p/{ott}/").content.decode()
    assert "Infusion" in page
    for hidden in ("Cells infused", "Viability", "MSC-PLACEBO", "PLACEBO-MSC", "placebo"):
        assert hidden.lower() not in page.lower()


def test_a_query_raised_on_a_field_reaches_the_site_with_its_label(users, allocation) -> None:
    pid = randomised(users["coord"])
    record = save_form(user=users["coord"], participant_id=pid, form="vital_signs", values=GOOD["vital_signs"])
    _as(users, "monitor").post(f"/monitor/p/{pid}/query/", {"form": "vital_signs", "record_id": str(record.pk),
                                                           "field": "weight_kg", "text": "Source says 71 kg?"})
    inbox = _as(users, "coord").get("/site/queries/").content.decode()
    assert "Source says 71 kg?" in inbox and "Vital signs and weight: Weight (kg)" in inbox
    assert "Source says 71 kg?" in _as(users, "monitor").get("/monitor/queries/").content.decode()


def test_a_monitoring_visit_report_keeps_the_figures_of_its_day(users, allocation) -> None:
    pid = randomised(users["coord"])
    record = save_form(user=users["coord"], participant_id=pid, form="vital_signs", values=GOOD["vital_signs"])
    monitor = _as(users, "monitor")
    monitor.post(f"/monitor/p/{pid}/verify/", {"form": "vital_signs", "record_id": str(record.pk)})
    future = (dt.datetime.now(dt.UTC).date() + dt.timedelta(days=2)).isoformat()
    refused = monitor.post("/monitor/visits/", {"site": "OTT", "visit_date": future, "findings": "x"})
    assert refused.status_code == 422 and "not a future date" in refused.content.decode()
    assert monitor.post("/monitor/visits/", {"site": "WPG", "visit_date": "2016-03-01",
                                             "findings": "x"}).status_code == 422  # not its site
    response = monitor.post("/monitor/visits/", {"site": "OTT", "visit_date": "2016-03-01",
                                                 "findings": "ICF v2 filed; one weight transcribed wrongly.",
                                                 "actions": "Site to correct W4 weight."})
    visit = MonitoringVisit.objects.get()
    assert response["Location"] == f"/monitor/visits/{visit.pk}/"
    report = monitor.get(response["Location"]).content.decode()
    assert "ICF v2 filed" in report and "Site to correct W4 weight." in report
    assert visit.summary["verified"] == 1 and visit.summary["participants"] == 1
    assert AuditEntry.objects.filter(table="monitoring_monitoringvisit", username="monitor").exists()
    assert _as(users, "coord").get(f"/monitor/visits/{visit.pk}/").status_code == 403
