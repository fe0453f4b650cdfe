"""ODM 1.3.2 of the eCRF metadata and clinical data: XSD-valid, metadata round trip, data and audit complete."""

from __future__ import annotations

import datetime as dt
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from mescams.core.protocol import Protocol
from mescams.interop.errors import ExportError
from mescams.interop.odm import build_odm, load_odm, validate_odm, write_odm
from mescams.interop.snapshot import TrialSnapshot

NS = {"odm": "http://www.cdisc.org/ns/odm/v1.3"}
CREATED = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)


@pytest.fixture(scope="module")
def full(protocol: Protocol, snapshot: TrialSnapshot, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_odm(build_odm(protocol, snapshot, created=CREATED), tmp_path_factory.mktemp("odm") / "odm.xml")


def test_metadata_round_trips_export_import_export(protocol: Protocol, tmp_path: Path) -> None:
    first = write_odm(build_odm(protocol, None, created=CREATED), tmp_path / "meta.xml")
    validate_odm(first)
    second = write_odm(load_odm(first), tmp_path / "meta2.xml")
    assert second.read_text(encoding="utf-8") == first.read_text(encoding="utf-8")
    root = ET.parse(first).getroot()
    events = [e.get("OID") for e in root.iterfind(".//odm:StudyEventDef", NS)]
    assert events == [f"SE.{v.code}" for v in protocol.visits] + ["SE.LOG"]
    w24 = next(e for e in root.iterfind(".//odm:StudyEventDef", NS) if e.get("OID") == "SE.W24")
    assert {f.get("FormOID") for f in w24.iterfind("odm:FormRef", NS)} >= {"F.INF", "F.MRI", "F.EDSS"}


def test_clinical_data_is_valid_and_complete(full: Path, snapshot: TrialSnapshot) -> None:
    validate_odm(full)
    root = ET.parse(full).getroot()
    subjects = root.findall(".//odm:SubjectData", NS)
    assert len(subjects) == len(snapshot.participants)
    groups = root.findall(".//odm:ItemGroupData", NS)
    by_form = {}
    for g in groups:
        by_form[g.get("ItemGroupOID")] = by_form.get(g.get("ItemGroupOID"), 0) + 1
    assert by_form["IG.AE"] == len(snapshot.adverse_events)
    assert by_form["IG.MRI"] == len(snapshot.mri)
    assert by_form["IG.INF"] == len(snapshot.infusions)
    assert by_form["IG.LAB"] == len(snapshot.labs)
    audit = root.findall(".//odm:AuditRecords/odm:AuditRecord", NS)
    assert len(audit) == len(snapshot.audit)
    first = audit[0]
    assert first.find("odm:UserRef", NS).get("UserOID") == f"USR.{snapshot.audit[0].user}"
    assert first.find("odm:ReasonForChange", NS).text == snapshot.audit[0].reason
    gel = [i.get("Value") for i in root.iterfind(".//odm:ItemData[@ItemOID='IT.MRI.GELCNT']", NS)]
    assert sorted(map(int, gel)) == sorted(m.gel_count for m in snapshot.mri)


def test_xsd_catches_a_broken_document(full: Path, tmp_path: Path) -> None:
    broken = tmp_path / "broken.xml"
    broken.write_text(
        full.read_text(encoding="utf-8").replace('ODMVersion="1.3.2"', 'ODMVersion="9.9"', 1), encoding="utf-8"
    )
    with pytest.raises(ExportError, match="ODMVersion|9.9"):
        validate_odm(broken)
