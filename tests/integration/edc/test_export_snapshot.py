"""The EDC's export snapshot of its demo trial: the snapshot's SDTM is conformant, and the analysis data reached
through SDTM -> ADaM -> converter equals the EDC's own analysis-data export, file by file (contract columns)."""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

import pytest

from mescams.core.analysis_contract import COLUMNS, EXPORT_COLUMNS
from mescams.core.protocol import Protocol
from mescams.edc.testing import configure_for_tests
from mescams.interop.adam import build_adam
from mescams.interop.adam.to_analysis_data import analysis_tables_from_adam
from mescams.interop.conformance import check_sdtm, format_issues
from mescams.interop.conformance_adam import check_adam
from mescams.interop.odm import build_odm, validate_odm, write_odm
from mescams.interop.sdtm import build_sdtm
from mescams.interop.sdtm.mapping import armcd
from mescams.stats.analysis_folder import write_analysis_folder

configure_for_tests()

#: AE rules fixed on other branches (MedDRA coding; seriousness criteria): the lead empties this at merge
FIXED_ELSEWHERE: set[str] = set()  # coding and seriousness are in: every SDTM rule must pass on the EDC export


def _rows(path: Path, columns: tuple[str, ...]) -> list[tuple[object, ...]]:
    def norm(v: str) -> object:
        try:
            return float(v)
        except ValueError:
            return v

    with path.open(encoding="utf-8") as fh:
        return sorted(tuple(norm(r[c]) for c in columns) for r in csv.DictReader(fh))


@pytest.mark.django_db
def test_demo_database_exports_through_sdtm_and_adam(protocol: Protocol, tmp_path: Path) -> None:
    from mescams.edc.demo.loader import load_demo
    from mescams.edc.export.analysis_data import write_analysis_data
    from mescams.edc.export.snapshot import snapshot_from_database
    from mescams.edc.trial.sites import sync_sites

    sync_sites()
    load_demo(seed=20150601)
    snapshot = snapshot_from_database(protocol)
    assert len(snapshot.participants) == 45 and len(snapshot.randomised) == 31
    assert snapshot.audit and all(a.user and a.at.tzinfo is not None for a in snapshot.audit)

    sdtm = build_sdtm(protocol, snapshot)
    issues = [i for i in check_sdtm(sdtm) if i.rule not in FIXED_ELSEWHERE]
    assert [i for i in issues if i.severity == "error"] == [], format_issues(issues)
    dm = next(d for d in sdtm if d.name == "DM")
    assert all(r["RACE"] and r["ETHNIC"] for r in dm.rows)  # issue 17: empty for all 45
    assert "NOT REPORTED" in {r["RACE"] for r in dm.rows} | {r["ETHNIC"] for r in dm.rows}
    adam = build_adam(protocol, sdtm)
    assert check_adam(adam, sdtm, {armcd(s): s.code for s in protocol.design.sequences}) == []

    ours = tmp_path / "via_adam"
    write_analysis_folder(analysis_tables_from_adam(build_adam(protocol, sdtm)), ours, columns=EXPORT_COLUMNS)
    theirs = tmp_path / "edc"
    write_analysis_data(theirs)
    for name, columns in COLUMNS.items():
        assert _rows(ours / name, columns) == _rows(theirs / name, columns), name

    path = write_odm(
        build_odm(protocol, snapshot, created=dt.datetime(2026, 1, 1, tzinfo=dt.UTC)), tmp_path / "odm.xml"
    )
    validate_odm(path)
