"""The command line on a real SQLite file: migrate, export exactly the contract's folder, audit and allocation
verification that name what was tampered with."""

from __future__ import annotations

import csv
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from mescams.core.analysis_contract import COLUMNS
from tests.conftest import REPO

CONTRACT_COLUMNS = {name: list(columns) for name, columns in COLUMNS.items()}
"""The contract's columns (checked against the contract document in tests/unit/stats/test_analysis_folder.py)."""

POPULATE = """
import datetime as dt
from mescams.edc.settings import configure
configure()
from mescams.edc.trial.sites import sync_sites
from mescams.edc.randomisation.services import generate_list
from mescams.edc.crfs.services import save_form, read_scan
from tests.factories.edc import make_users, randomised, infuse, RANDOMISATION
from tests.integration.edc.test_validation_rules import GOOD
sync_sites()
users = make_users()
generate_list(actor=users["statistician"], seed="ab" * 32, slots_per_site=4)
for _ in range(2):
    pid = randomised(users["coord"])
    infuse(users["coord"], pid)
    save_form(user=users["coord"], participant_id=pid, form="demographics", values=GOOD["demographics"])
    save_form(user=users["coord"], participant_id=pid, form="adverse_event", values=GOOD["adverse_event"])
    save_form(user=users["rater"], participant_id=pid, form="edss",
              values={**GOOD["edss"], "visit_code": "W0", "assessment_date": RANDOMISATION})
    save_form(user=users["rater"], participant_id=pid, form="edss", values=GOOD["edss"])
    scan = save_form(user=users["coord"], participant_id=pid, form="mri", values=GOOD["mri"])
    read_scan(user=users["mri"], scan_id=scan.scan_id, values={"gel_count": 1, "new_enlarging_t2_count": 0,
                                                                "cua_count": 1, "gel_volume_mm3": 50.0,
                                                                "black_hole_volume_mm3": 800.0})
"""


def run(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(REPO / ".venv" / "bin" / "mescams"), *args], env=env, cwd=REPO, text=True,
                          capture_output=True, timeout=120, check=False)


@pytest.fixture(scope="module")
def trial(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict[str, str], Path]:
    data = tmp_path_factory.mktemp("edc-cli")
    env = {**os.environ, "MESCAMS_DEMO": "1", "MESCAMS_DATA_DIR": str(data)}
    env.pop("MESCAMS_DATABASE_URL", None)
    assert run(env, "migrate").returncode == 0
    populated = subprocess.run([sys.executable, "-c", POPULATE], env=env, cwd=REPO, text=True, capture_output=True,
                               timeout=120, check=False)
    assert populated.returncode == 0, populated.stderr
    return env, data


def test_secret_required_outside_demo_mode(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("MESCAMS_")}
    env["MESCAMS_DATA_DIR"] = str(tmp_path)
    result = run(env, "migrate")
    assert result.returncode == 2 and "MESCAMS_SECRET_KEY" in result.stderr


def test_export_writes_exactly_the_contract_folder(trial, tmp_path: Path) -> None:
    env, _ = trial
    out = tmp_path / "analysis"
    result = run(env, "export", "analysis-data", str(out))
    assert result.returncode == 0, result.stderr
    assert sorted(p.name for p in out.iterdir()) == sorted(CONTRACT_COLUMNS)
    for name, columns in CONTRACT_COLUMNS.items():
        with (out / name).open(encoding="utf-8", newline="") as fh:
            rows = list(csv.reader(fh))
        assert rows[0][: len(columns)] == columns, name
    participants = list(csv.DictReader((out / "participants.csv").open(encoding="utf-8")))
    assert len(participants) == 2
    assert {p["sequence"] for p in participants} <= {"MSC-PLACEBO", "PLACEBO-MSC"}
    assert participants[0]["infusion1_date"] == participants[0]["randomization_date"] == "2016-02-01"
    # born 1981-01-01 (as the screening record says), consented 2016-01-05: 35 whole years
    assert participants[0]["infusion2_date"] == "" and participants[0]["age"] == "35"
    mri = list(csv.DictReader((out / "mri.csv").open(encoding="utf-8")))
    assert [(m["week"], m["gel_count"], m["cua_count"]) for m in mri] == [("4", "1", "1")] * 2
    ae = list(csv.DictReader((out / "adverse_events.csv").open(encoding="utf-8")))
    assert (ae[0]["ae_id"], ae[0]["serious"], ae[0]["related"], ae[0]["end_date"]) == ("1", "false", "false", "")
    try:
        from mescams.stats.analysis_data import read_analysis_data
    except ImportError:  # pragma: no cover - the statistics reader is another area's
        return
    from mescams.protocols import default_protocol

    read_analysis_data(out, default_protocol())  # the statistics side accepts the folder


def test_audit_verify_passes_then_names_a_tampered_data_row(trial) -> None:
    env, data = trial
    ok = run(env, "audit", "verify")
    assert ok.returncode == 0 and "audit trail intact" in ok.stdout
    db = sqlite3.connect(data / "mescams.sqlite3")
    (pk, weight), = db.execute("SELECT id, weight_kg FROM crfs_vitalsigns ORDER BY id LIMIT 1").fetchall()
    db.execute("UPDATE crfs_vitalsigns SET weight_kg = 123.0 WHERE id = ?", (pk,))
    db.commit()
    bad = run(env, "audit", "verify")
    assert bad.returncode == 2
    assert f"crfs_vitalsigns/{pk}" in bad.stderr and "field weight_kg" in bad.stderr and "123.0" in bad.stderr
    db.execute("UPDATE crfs_vitalsigns SET weight_kg = ? WHERE id = ?", (weight, pk))
    db.commit()
    assert run(env, "audit", "verify").returncode == 0


def test_audit_verify_names_a_tampered_audit_entry(trial) -> None:
    env, data = trial
    db = sqlite3.connect(data / "mescams.sqlite3")
    (seq, reason), = db.execute("SELECT seq, reason FROM audit_auditentry WHERE seq = 40").fetchall()
    db.execute("UPDATE audit_auditentry SET reason = 'nothing to see' WHERE seq = 40")
    db.commit()
    bad = run(env, "audit", "verify")
    assert bad.returncode == 2 and "audit chain broken at entry 40" in bad.stderr
    db.execute("UPDATE audit_auditentry SET reason = ? WHERE seq = ?", (reason, seq))
    db.commit()
    assert run(env, "audit", "verify").returncode == 0


def test_randomisation_verify_rederives_the_list(trial) -> None:
    env, data = trial
    ok = run(env, "randomisation", "verify")
    assert ok.returncode == 0 and "re-derived from the seed" in ok.stdout
    db = sqlite3.connect(data / "mescams.sqlite3")
    (pk, sequence), = db.execute("SELECT id, sequence FROM randomisation_allocationslot WHERE site_code = 'WPG' "
                                 "AND number = 3").fetchall()
    flipped = "PLACEBO-MSC" if sequence == "MSC-PLACEBO" else "MSC-PLACEBO"
    db.execute("UPDATE randomisation_allocationslot SET sequence = ? WHERE id = ?", (flipped, pk))
    db.commit()
    bad = run(env, "randomisation", "verify")
    assert bad.returncode == 2 and "slot WPG-3" in bad.stderr
    server = subprocess.run([sys.executable, "-c", "from mescams.edc.wsgi import create_application as c; c()"],
                            env=env, cwd=REPO, text=True, capture_output=True, timeout=120, check=False)
    assert server.returncode != 0 and "slot WPG-3" in server.stderr  # the server refuses to start on it
    db.execute("UPDATE randomisation_allocationslot SET sequence = ? WHERE id = ?", (sequence, pk))
    db.commit()


def test_randomisation_import_then_verify_against_the_recorded_file(tmp_path: Path) -> None:
    import hashlib

    from tests.integration.edc.test_allocation_import import GOOD_ROWS, csv_of

    data = tmp_path / "data"
    env = {**os.environ, "MESCAMS_DEMO": "1", "MESCAMS_DATA_DIR": str(data)}
    env.pop("MESCAMS_DATABASE_URL", None)
    assert run(env, "migrate").returncode == 0
    bad = tmp_path / "bad.csv"
    bad.write_bytes(csv_of([*GOOD_ROWS, "OTT,5,MSC-PLACEBO,OTTA0001"]))
    refused = run(env, "randomisation", "import", str(bad))
    assert refused.returncode == 2 and "row 8, column product_code" in refused.stderr
    good = tmp_path / "list.csv"
    good.write_bytes(csv_of(GOOD_ROWS))
    digest = hashlib.sha256(good.read_bytes()).hexdigest()
    imported = run(env, "randomisation", "import", str(good))
    assert imported.returncode == 0 and f"6 slots imported, SHA-256 {digest}" in imported.stdout
    verified = run(env, "randomisation", "verify")
    assert verified.returncode == 0 and f"checked against the imported file (SHA-256 {digest}" in verified.stdout
    assert run(env, "randomisation", "import", str(good)).returncode == 2  # never over an existing list
