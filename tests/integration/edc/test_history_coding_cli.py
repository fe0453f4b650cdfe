"""Medical history and prior therapies coded as a sponsor runs it, on a real SQLite file: a participant screened
with migraine and a basal cell carcinoma in their history and interferon beta then teriflunomide before the trial;
``coding write-synthetic``, ``load-meddra``, ``load-whodrug``, ``autocode`` and ``export sdtm`` give MH the MedDRA
path of multiple sclerosis and migraine (MHDECOD the PT, MHBODSYS the primary SOC) and CM the WHODrug preferred name
and ATC class of interferon beta (CMCAT PRIOR MS THERAPY); the verbatims the dictionary lacks stay uncoded, as
before, and wait in the coder's queue under their form's name."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import REPO
from tests.factories.edc import RANDOMISATION
from tests.integration.edc.test_cli import run

POPULATE = """
import datetime as dt
from mescams.edc.settings import configure
configure()
from mescams.edc.trial.sites import sync_sites
from mescams.edc.crfs.services import save_form
from tests.factories.edc import RANDOMISATION, eligible_record, make_users, screened
from tests.integration.edc.test_validation_rules import GOOD
sync_sites()
users = make_users()
days = lambda n: (RANDOMISATION - dt.timedelta(days=n)).isoformat()
record = eligible_record(
    conditions=[{"code": "migraine", "start_date": days(4000), "active": True},
                {"code": "basal_cell_carcinoma", "start_date": days(900), "remission_date": days(700),
                 "active": False}],
    therapies=[{"drug": "interferon_beta", "start_date": days(2000), "end_date": days(1200)},
               {"drug": "teriflunomide", "start_date": days(1100), "end_date": days(60)}])
pid = screened(users["coord"], record=record)
save_form(user=users["coord"], participant_id=pid, form="demographics", values=GOOD["demographics"])
print(pid)
"""

QUEUE = """
from mescams.edc.settings import configure
configure()
from mescams.edc.accounts.models import User
from mescams.edc.coding.services import coding_queue
for t in coding_queue(User.objects.get(username="coder")):
    print(t.form, t.dictionary, t.status, repr(t.verbatim), t.item)
"""


def _python(env: dict[str, str], code: str) -> str:
    done = subprocess.run([sys.executable, "-c", code], env=env, cwd=REPO, text=True, capture_output=True,  # noqa: S603
                          timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    return done.stdout


def _rows(path: Path) -> list[dict[str, object]]:
    doc = json.loads(path.read_text(encoding="utf-8"))
    names = [c["name"] for c in doc["columns"]]
    return [dict(zip(names, row, strict=True)) for row in doc["rows"]]


@pytest.fixture(scope="module")
def coded_trial(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict[str, str], Path]:
    data = tmp_path_factory.mktemp("history-coding")
    env = {**os.environ, "MESCAMS_DEMO": "1", "MESCAMS_DATA_DIR": str(data)}
    env.pop("MESCAMS_DATABASE_URL", None)
    assert run(env, "migrate").returncode == 0
    _python(env, POPULATE)
    written = run(env, "coding", "write-synthetic", str(data / "dictionaries"))
    assert written.returncode == 0, written.stderr
    for dictionary in ("meddra", "whodrug"):
        loaded = run(env, "coding", f"load-{dictionary}", str(data / "dictionaries" / dictionary))
        assert loaded.returncode == 0, loaded.stderr
    return env, data


def test_history_and_prior_therapies_are_autocoded_and_exported(coded_trial: tuple[dict[str, str], Path],
                                                                 tmp_path: Path) -> None:
    env, _ = coded_trial
    coded = run(env, "coding", "autocode")
    assert coded.returncode == 0, coded.stderr
    # MedDRA: multiple sclerosis and migraine coded, the carcinoma not; WHODrug: interferon beta, not teriflunomide
    assert coded.stdout.split("\n")[:4] == ["meddra coded: 2", "meddra uncoded: 1", "whodrug coded: 1",
                                            "whodrug uncoded: 1"], coded.stdout
    out = tmp_path / "sdtm"
    exported = run(env, "export", "sdtm", str(out), "--format", "json")
    assert "MH." not in exported.stdout and "CM." not in exported.stdout, exported.stdout  # no MH or CM finding
    mh = {r["MHTERM"]: r for r in _rows(out / "mh.json")}
    ms = mh["Multiple sclerosis"]
    assert (ms["MHCAT"], ms["MHDECOD"], ms["MHPTCD"], ms["MHLLT"], ms["MHLLTCD"]) == (
        "PRIMARY DIAGNOSIS", "Multiple sclerosis", 90000018, "Multiple sclerosis", 90000018)
    assert (ms["MHHLT"], ms["MHHLGT"], ms["MHBODSYS"], ms["MHBDSYCD"], ms["MHSOC"], ms["MHSOCCD"]) == (
        "Multiple sclerosis acute and progressive", "Demyelinating disorders", "Nervous system disorders", 90100002,
        "Nervous system disorders", 90100002)
    assert isinstance(ms["MHHLTCD"], int) and isinstance(ms["MHHLGTCD"], int)
    assert (mh["migraine"]["MHDECOD"], mh["migraine"]["MHPTCD"], mh["migraine"]["MHHLT"]) == (
        "Migraine", 90000019, "Migraine headaches")
    carcinoma = mh["basal cell carcinoma"]  # not in the dictionary: today's behaviour, the verbatim upper-cased
    assert (carcinoma["MHDECOD"], carcinoma["MHBODSYS"], carcinoma["MHPTCD"], carcinoma["MHLLT"]) == (
        "BASAL CELL CARCINOMA", None, None, None)
    cm = {r["CMTRT"]: r for r in _rows(out / "cm.json")}
    beta, teri = cm["interferon beta"], cm["teriflunomide"]
    assert (beta["CMCAT"], beta["CMDECOD"], beta["CMCLAS"], beta["CMCLASCD"]) == (
        "PRIOR MS THERAPY", "INTERFERON BETA", "INTERFERONS", "L03AB")
    assert (teri["CMCAT"], teri["CMDECOD"], teri["CMCLAS"], teri["CMCLASCD"]) == (
        "PRIOR MS THERAPY", "TERIFLUNOMIDE", None, None)


def test_the_unmatched_entries_wait_in_the_coder_s_queue(coded_trial: tuple[dict[str, str], Path]) -> None:
    env, _ = coded_trial
    assert run(env, "coding", "autocode").returncode == 0
    queue = _python(env, QUEUE).splitlines()
    started = (RANDOMISATION - dt.timedelta(days=1100)).isoformat()
    assert queue == ["medical_history meddra uncoded 'basal cell carcinoma' condition:basal_cell_carcinoma",
                     f"prior_therapy whodrug uncoded 'teriflunomide' therapy:teriflunomide@{started}"]


def test_an_upgrade_reports_the_history_entries(coded_trial: tuple[dict[str, str], Path]) -> None:
    env, data = coded_trial
    assert run(env, "coding", "autocode").returncode == 0
    write = ("from mescams.interop.dictionaries.synthetic import write_synthetic_meddra as w; import sys; "
             "w(sys.argv[1], version='SYNTHETIC 2.0', retired=frozenset({'Migraine'}))")
    subprocess.run([sys.executable, "-c", write, str(data / "v2")], cwd=REPO, check=True)  # noqa: S603
    assert run(env, "coding", "load-meddra", str(data / "v2")).returncode == 0
    upgraded = run(env, "coding", "upgrade", "meddra", "SYNTHETIC 2.0")
    assert upgraded.returncode == 0, upgraded.stderr
    # multiple sclerosis keeps its LLT; migraine's LLT is retired and nothing current matches: the coder reviews it
    assert "2 unchanged" not in upgraded.stdout and "1 unchanged" in upgraded.stdout, upgraded.stdout
    assert "non-current: medical_history" in upgraded.stdout and "condition:migraine 'migraine'" in upgraded.stdout
    queue = _python(env, QUEUE)
    assert "medical_history meddra review 'migraine' condition:migraine" in queue
