"""The AE form's severity, seriousness and awareness date, its edit check, and migration crfs 0007's backfill, on
SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
import importlib

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from mescams.edc.audit.models import AuditEntry
from mescams.edc.audit.verify import verify_audit_trail
from mescams.edc.crfs.models import AdverseEvent
from mescams.edc.crfs.services import save_form
from mescams.edc.queries.models import Query
from mescams.errors import InputValidationError
from tests.factories.edc import RANDOMISATION, randomised
from tests.integration.edc.safety_world import SERIOUS_AE

D = dt.timedelta
FUTURE = dt.date.today() + D(days=30)


@pytest.mark.parametrize(("changes", "field", "words"), [
    ({"severity": "extreme"}, "severity", "mild, moderate, severe"),
    ({"awareness_date": None}, "awareness_date", "serious event needs the date"),
    ({"awareness_date": RANDOMISATION}, "awareness_date", "before the onset"),
    ({"awareness_date": FUTURE}, "awareness_date", "future"),
    ({"serious_criteria": []}, "serious_criteria", "at least one criterion"),
    ({"serious_criteria": ["bad_luck"]}, "serious_criteria", "unknown criteria"),
    ({"serious": False}, "serious", "must be true when seriousness criteria are given"),
    ({"serious_criteria": ["death"]}, "outcome", "has the outcome 'fatal'"),
])
def test_bad_values_are_refused_naming_field_and_rule(users, allocation, changes, field, words) -> None:
    pid = randomised(users["coord"])
    before = (AdverseEvent.objects.count(), AuditEntry.objects.count())
    with pytest.raises(InputValidationError) as caught:
        save_form(user=users["coord"], participant_id=pid, form="adverse_event", values={**SERIOUS_AE, **changes})
    assert caught.value.field == field and words in caught.value.rule
    assert (AdverseEvent.objects.count(), AuditEntry.objects.count()) == before


def test_a_non_serious_event_needs_no_awareness_date(users, allocation) -> None:
    pid = randomised(users["coord"])
    ae = save_form(user=users["coord"], participant_id=pid, form="adverse_event",
                   values={**SERIOUS_AE, "serious": False, "serious_criteria": [], "awareness_date": None})
    assert ae.awareness_date is None and ae.severity == "severe"


@pytest.mark.parametrize(("severity", "message"), [
    ("", "severity is missing; CTCAE grade 4 reads 'severe'"),
    ("mild", "severity 'mild' differs from 'severe' that CTCAE grade 4 describes"),
    ("severe", None),
])
def test_severity_against_the_grade_is_queried(users, allocation, severity, message) -> None:
    pid = randomised(users["coord"])
    ae = save_form(user=users["coord"], participant_id=pid, form="adverse_event",
                   values={**SERIOUS_AE, "severity": severity})
    queries = Query.objects.filter(record_id=str(ae.pk), edit_check="ae_severity_vs_grade")
    if message is None:
        assert not queries.exists()
    else:
        (query,) = queries
        assert query.field == "severity" and message in query.text


def test_migration_0007_backfills_legacy_events_with_an_audited_reason(users, allocation) -> None:
    """Rows as they stood before 0007 (no severity, no awareness) get the grade's severity and, when serious, the
    day they were entered; each value is in the audit trail, which still verifies."""
    pid = randomised(users["coord"])
    serious = save_form(user=users["coord"], participant_id=pid, form="adverse_event", values=SERIOUS_AE)
    mild = save_form(user=users["coord"], participant_id=pid, form="adverse_event",
                     values={**SERIOUS_AE, "serious": False, "serious_criteria": [], "awareness_date": None,
                             "severity_grade": 1, "severity": "mild", "action": "none"})
    state = MigrationExecutor(connection).loader.project_state(("crfs", "0007_ae_seriousness"))
    legacy = state.apps.get_model("crfs", "AdverseEvent")
    legacy.objects.filter(pk__in=[serious.pk, mild.pk]).update(severity="", awareness_date=None)  # as before 0007
    # the audit trail too: the rows' create entries carried the fields' values; the backfill records them anew
    migration = importlib.import_module("mescams.edc.crfs.migrations.0007_ae_seriousness")
    first = AuditEntry.objects.order_by("-seq").values_list("seq", flat=True).first()
    migration.backfill(state.apps, None)
    serious.refresh_from_db()
    mild.refresh_from_db()
    assert (serious.severity, serious.awareness_date) == ("severe", max(serious.onset_date,
                                                                        serious.created_at.date()))
    assert (mild.severity, mild.awareness_date) == ("mild", None)
    new = AuditEntry.objects.filter(seq__gt=first).order_by("seq")
    assert [(e.record_id, e.field) for e in new] == [(str(serious.pk), "severity"), (str(serious.pk), "awareness_date"),
                                                     (str(mild.pk), "severity")]
    assert all("migration crfs 0007" in e.reason for e in new)
    assert verify_audit_trail().records > 0  # raises AuditChainBroken if a row differs from its trail


def test_the_export_snapshot_and_sdtm_carry_severity_and_seriousness(users, allocation) -> None:
    from mescams.edc.export.snapshot import snapshot_from_database
    from mescams.interop.sdtm import build_sdtm
    from mescams.protocols import default_protocol
    from tests.integration.edc.test_validation_rules import GOOD

    pid = randomised(users["coord"])
    save_form(user=users["coord"], participant_id=pid, form="demographics", values=GOOD["demographics"])
    save_form(user=users["coord"], participant_id=pid, form="adverse_event", values=SERIOUS_AE)
    protocol = default_protocol()
    snapshot = snapshot_from_database(protocol)
    (event,) = [e for e in snapshot.adverse_events if e.participant_id == pid]
    assert (event.severity, event.serious_criteria) == ("SEVERE", ("life_threatening", "hospitalisation"))
    (row,) = [r for d in build_sdtm(protocol, snapshot) if d.name == "AE" for r in d.rows if r["AESPID"] == "1"]
    assert (row["AESEV"], row["AESER"], row["AESLIFE"], row["AESHOSP"], row["AESDTH"]) == ("SEVERE", "Y", "Y", "Y",
                                                                                           "N")


def test_the_api_takes_and_gives_severity_and_awareness(users, allocation) -> None:
    import json

    from django.test import Client

    pid = randomised(users["coord"])
    client = Client()
    client.force_login(users["coord"])
    path = f"/api/participants/{pid}/forms/adverse_event"
    body = {k: (v.isoformat() if isinstance(v, dt.date) else v) for k, v in SERIOUS_AE.items()}
    refused = client.post(path, json.dumps({**body, "awareness_date": None}), content_type="application/json")
    assert refused.status_code == 422 and refused.json()["field"] == "awareness_date"
    created = client.post(path, json.dumps(body), content_type="application/json")
    assert created.status_code == 201, created.json()
    assert (created.json()["severity"], created.json()["awareness_date"]) == ("severe", body["awareness_date"])
    schema = client.get("/api/openapi.json").json()["components"]["schemas"]
    assert {"severity", "awareness_date"} <= set(schema["AdverseEventIn"]["properties"])
