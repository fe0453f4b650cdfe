"""Interop exports through the API: refused to blinded roles, de-identified by default, identifiable only when
asked by an allowed role with a reason, and every export audited."""

from __future__ import annotations

import datetime as dt
import io
import json
import zipfile

import pytest
from django.test import Client

from mescams.core.blinding import BLINDING_POLICY, Reveal
from mescams.edc.audit.models import AuditEntry
from mescams.edc.audit.verify import verify_audit_trail
from mescams.edc.crfs.services import save_form
from mescams.edc.security.privacy import REFERENCE_DAY_1
from tests.factories.edc import RANDOMISATION, SCREENING, infuse, randomised

KINDS = ["sdtm", "adam", "define", "odm", "ctgov-results", "tlf"]
# The exports read through the ORM and the rules here do not depend on the database: SQLite only (CI time).
pytestmark = pytest.mark.parametrize("edc", ["sqlite"], indirect=True)
BIRTH = "1979-03-17"


@pytest.fixture()
def trial(users, allocation) -> list[str]:
    pids = [randomised(users["coord"]), randomised(users["coord_wpg"], site="WPG")]
    for pid, coord in zip(pids, (users["coord"], users["coord_wpg"]), strict=True):
        save_form(user=coord, participant_id=pid, form="demographics",
                  values={"sex": "F", "birth_date": dt.date.fromisoformat(BIRTH), "ms_course": "RRMS",
                          "race": "WHITE", "ethnicity": "NOT HISPANIC OR LATINO",
                          "ms_onset_date": dt.date(2005, 1, 1)},
                  confirm_checks=["demographics_vs_screening"], reason="birth date as on the hospital chart")
        infuse(coord, pid)
    return pids


def _post(user, kind: str, **body):
    c = Client()
    c.force_login(user)
    return c.post(f"/api/exports/{kind}", json.dumps(body), content_type="application/json")


def _text(response) -> str:
    if response["Content-Type"] == "application/zip":
        with zipfile.ZipFile(io.BytesIO(response.content)) as zf:
            return "\n".join(zf.read(n).decode("utf-8") for n in zf.namelist() if n.endswith(".json"))
    return response.content.decode("utf-8")


@pytest.mark.parametrize("kind", KINDS)
def test_every_export_is_refused_to_every_blinded_role_in_the_same_words(kind: str, users, trial) -> None:
    allowed = set(BLINDING_POLICY.roles_seeing(Reveal.ANALYSIS_EXPORT))
    if kind == "tlf":  # tables by arm: arm summaries as well
        allowed &= set(BLINDING_POLICY.roles_seeing(Reveal.ARM_SUMMARIES))
    answers = set()
    for user in users.values():
        if user.role == "participant":  # refused at the door outside its portal, before any export is considered
            assert _post(user, kind).status_code == 403
            continue
        r = _post(user, kind)
        if user.role_enum in allowed:
            assert r.status_code == 200, (user.role, r.content[:300])
        else:
            assert r.status_code == 403 and r.json()["error"] == "blinded"
            answers.add(r.content.replace(user.role.encode(), b"ROLE"))
    assert len(answers) == 1  # one message, whatever the role and whatever the data


def test_exports_are_deidentified_by_default_and_audited(users, trial) -> None:
    before = AuditEntry.objects.filter(table="export").count()
    real_dates = {BIRTH, SCREENING.isoformat(), RANDOMISATION.isoformat()}
    for kind in KINDS:
        r = _post(users["statistician"], kind)
        assert r.status_code == 200, kind
        text = _text(r)
        leaked = [d for d in real_dates if d in text]
        assert not leaked, f"{kind} carries real dates {leaked}"
    sdtm = _text(_post(users["dsmb"], "sdtm"))
    assert REFERENCE_DAY_1.isoformat() in sdtm  # day 1 of every participant, on the reference calendar
    entries = AuditEntry.objects.filter(table="export").order_by("seq")
    assert entries.count() - before == 3 * (len(KINDS) + 1)  # kind, identifiable, participants per export
    last = {e.field: e.new for e in entries.filter(record_id=entries.last().record_id)}
    assert last == {"kind": "sdtm", "identifiable": "false", "participants": "2"}
    assert entries.last().username == "dsmb"
    verify_audit_trail()


def test_identifiable_export_needs_the_option_an_allowed_role_and_a_reason(users, trial) -> None:
    refused = _post(users["dsmb"], "sdtm", identifiable=True, reason="safety review")
    assert refused.status_code == 403 and "identifiable" in refused.json()["detail"]
    no_reason = _post(users["statistician"], "sdtm", identifiable=True)
    assert no_reason.status_code == 422 and no_reason.json()["field"] == "reason"
    r = _post(users["statistician"], "sdtm", identifiable=True, reason="source data verification")
    assert r.status_code == 200
    text = _text(r)
    assert BIRTH in text and RANDOMISATION.isoformat() in text
    entry = AuditEntry.objects.filter(table="export", field="identifiable").order_by("seq").last()
    assert entry.new == "true" and entry.reason == "source data verification" and entry.username == "statistician"


def test_deidentification_survives_dates_at_the_ends_of_the_calendar(edc) -> None:
    """Found by the fuzz bench: a screening date in year 1 or 9999 made the shift overflow (500)."""
    import dataclasses

    from mescams.edc.security.privacy import deidentify
    from mescams.interop.snapshot import Disposition, Participant, TrialSnapshot

    odd = [Participant(participant_id=f"OTT-00{i}", site="OTT", sex="F", birth_date=None, age_at_consent=30,
                       ms_course="RRMS", ms_onset_date=dt.date(1, 1, 1), screening_date=day, consent_date=day,
                       disposition=Disposition("SCREEN FAILURE", day))
           for i, day in enumerate((dt.date(1, 1, 2), dt.date(9999, 12, 30)))]
    snapshot = TrialSnapshot(study_id="NCT02239393", as_of=dt.datetime(2020, 1, 1, tzinfo=dt.UTC),
                             participants=tuple(odd))
    out = deidentify(snapshot)
    assert [p.screening_date for p in out.participants] == [REFERENCE_DAY_1, REFERENCE_DAY_1]
    assert out.participants[1].ms_onset_date is None  # 9998 years before day 1: not representable, dropped
    assert dataclasses.asdict(out)


def test_tables_and_listings_come_as_numbered_rtf_with_their_index(users, trial) -> None:
    r = _post(users["dsmb"], "tlf")
    assert r.status_code == 200 and r["Content-Type"] == "application/zip"
    with zipfile.ZipFile(io.BytesIO(r.content)) as zf:
        names = set(zf.namelist())
        index = json.loads(zf.read("tlf/tlf.json"))
        disposition = zf.read("tlf/t-14-1-1.rtf").decode("ascii")
    assert {"tlf/t-14-1-1.rtf", "tlf/t-14-3-1-2.rtf", "tlf/l-16-2-7.rtf", "tlf/tlf.json"} <= names
    assert not any(n.endswith(".pdf") for n in names)  # PDFs only when asked
    assert disposition.startswith("{\\rtf1") and "Disposition of participants" in disposition
    disposition_rows = next(o["rows"] for o in index["outputs"] if o["number"] == "14.1.1")
    randomised = next(row for row in disposition_rows if row[0] == "Randomised")
    assert randomised[-1] == str(len(trial))


def test_the_sdtm_conformance_report_is_beside_the_dataset_folder(users, trial) -> None:
    """Issue 17: a conformance.json inside the SDTM folder broke CORE's reader (it reads every .json as a dataset)."""
    r = _post(users["statistician"], "sdtm", format="json")
    assert r.status_code == 200
    names = zipfile.ZipFile(io.BytesIO(r.content)).namelist()
    assert "sdtm-conformance.json" in names
    inside = [n for n in names if n.startswith("sdtm/")]
    assert inside and all(n.removeprefix("sdtm/") != "conformance.json" for n in inside)
    assert all(json.loads(zipfile.ZipFile(io.BytesIO(r.content)).read(n))["itemGroupOID"].startswith("IG.")
               for n in inside if n.endswith(".json"))
