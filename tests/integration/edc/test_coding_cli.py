"""The coding commands as a sponsor runs them, on a real SQLite file: AEs entered before any dictionary, then
``coding load-meddra DIR``, ``coding autocode`` and ``export sdtm`` give AEBODSYS to every AE whose verbatim the
dictionary has (and to no other); a broken release is refused naming file, line and field; an upgrade reports."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import REPO
from tests.integration.edc.test_cli import run

POPULATE = """
from mescams.edc.settings import configure
configure()
from mescams.edc.trial.sites import sync_sites
from mescams.edc.crfs.services import save_form
from tests.factories.edc import make_users, screened
from tests.integration.edc.test_validation_rules import GOOD
sync_sites()
users = make_users()
pid = screened(users["coord"])
save_form(user=users["coord"], participant_id=pid, form="demographics", values=GOOD["demographics"])
for term in ("Headache", "nasopharyngitis", "Diarrhea", "a funny turn"):
    save_form(user=users["coord"], participant_id=pid, form="adverse_event",
              values={**GOOD["adverse_event"], "term": term})
save_form(user=users["coord"], participant_id=pid, form="conmed",
          values={"drug": "Synthomedrol", "start_date": GOOD["adverse_event"]["onset_date"]})
"""


@pytest.fixture(scope="module")
def trial(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict[str, str], Path]:
    data = tmp_path_factory.mktemp("coding-cli")
    env = {**os.environ, "MESCAMS_DEMO": "1", "MESCAMS_DATA_DIR": str(data)}
    env.pop("MESCAMS_DATABASE_URL", None)
    assert run(env, "migrate").returncode == 0
    populated = subprocess.run([sys.executable, "-c", POPULATE], env=env, cwd=REPO, text=True, capture_output=True,
                               timeout=120, check=False)
    assert populated.returncode == 0, populated.stderr
    written = run(env, "coding", "write-synthetic", str(data / "dictionaries"))
    assert written.returncode == 0 and "not MedDRA" in written.stdout, written.stderr
    return env, data


def _rows(path: Path) -> list[dict[str, object]]:
    doc = json.loads(path.read_text(encoding="utf-8"))
    names = [c["name"] for c in doc["columns"]]
    return [dict(zip(names, row, strict=True)) for row in doc["rows"]]


def test_load_autocode_export_gives_aebodsys(trial: tuple[dict[str, str], Path], tmp_path: Path) -> None:
    env, data = trial
    loaded = run(env, "coding", "load-meddra", str(data / "dictionaries" / "meddra"))
    assert loaded.returncode == 0, loaded.stderr
    llts, pts = (len((data / "dictionaries" / "meddra" / name).read_bytes().splitlines())
                 for name in ("llt.asc", "pt.asc"))
    assert f"MedDRA SYNTHETIC 1.0 (SYNTHETIC: not a licensed release): {llts} LLTs, {pts} PTs; active" in loaded.stdout
    assert run(env, "coding", "load-whodrug", str(data / "dictionaries" / "whodrug")).returncode == 0
    coded = run(env, "coding", "autocode")
    assert coded.returncode == 0, coded.stderr
    # three AEs and the primary diagnosis; a conmed and the prior therapy (interferon beta)
    assert "meddra coded: 4" in coded.stdout and "meddra uncoded: 1" in coded.stdout
    assert "whodrug coded: 2" in coded.stdout
    out = tmp_path / "sdtm"
    exported = run(env, "export", "sdtm", str(out), "--format", "json")
    # the one verbatim the dictionary cannot code is the export's only conformance error (CG0039, exit 1): a
    # submission waits for the coder; everything else conforms
    assert exported.returncode == 1, exported.stdout + exported.stderr
    assert "1 error(s)" in exported.stdout and "ERROR   CG0039 AE.AEBODSYS" in exported.stdout, exported.stdout
    ae = {r["AETERM"]: r for r in _rows(out / "ae.json")}
    assert {t: r["AEBODSYS"] for t, r in ae.items()} == {
        "Headache": "Nervous system disorders", "nasopharyngitis": "Infections and infestations",
        "Diarrhea": "Gastrointestinal disorders", "a funny turn": None}
    assert (ae["Diarrhea"]["AEDECOD"], ae["Diarrhea"]["AEPTCD"], ae["Diarrhea"]["AELLT"]) == ("Diarrhoea", 90000010,
                                                                                               "Diarrhoea")
    assert ae["Headache"]["AESOCCD"] == ae["Headache"]["AEBDSYCD"] == 90100002
    assert ae["a funny turn"]["AEDECOD"] == "A FUNNY TURN" and ae["a funny turn"]["AELLTCD"] is None
    cm = next(r for r in _rows(out / "cm.json") if r["CMTRT"] == "Synthomedrol")
    assert (cm["CMDECOD"], cm["CMCLAS"], cm["CMCLASCD"]) == ("METHYLPREDNISOLONE", "GLUCOCORTICOIDS", "H02AB")


def test_a_broken_release_is_refused_naming_file_line_and_field(trial: tuple[dict[str, str], Path]) -> None:
    env, data = trial
    broken = data / "broken"
    subprocess.run(["cp", "-r", str(data / "dictionaries" / "meddra"), str(broken)], check=True)  # noqa: S603,S607
    (broken / "meddra_release.asc").write_text("SYNTHETIC 9.0$English$\r\n")
    lines = (broken / "llt.asc").read_bytes().split(b"\r\n")
    lines[4] = lines[4].replace(b"$Y$", b"$maybe$")
    (broken / "llt.asc").write_bytes(b"\r\n".join(lines))
    refused = run(env, "coding", "load-meddra", str(broken))
    assert refused.returncode == 2
    assert "llt.asc, line 5, field llt_currency: must be Y or N" in refused.stderr


def test_upgrade_and_report(trial: tuple[dict[str, str], Path]) -> None:
    env, data = trial
    write = ("from mescams.interop.dictionaries.synthetic import write_synthetic_meddra as w; import sys; "
             "w(sys.argv[1], version='SYNTHETIC 2.0', retired=frozenset({'Headache'}))")
    subprocess.run([sys.executable, "-c", write, str(data / "v2")], cwd=REPO, check=True)  # noqa: S603
    loaded = run(env, "coding", "load-meddra", str(data / "v2"))
    assert "loaded beside the active release" in loaded.stdout, loaded.stderr
    upgraded = run(env, "coding", "upgrade", "meddra", "SYNTHETIC 2.0")
    assert upgraded.returncode == 0, upgraded.stderr
    assert "upgrade MedDRA SYNTHETIC 1.0 -> MedDRA SYNTHETIC 2.0" in upgraded.stdout
    assert "non-current: adverse_event" in upgraded.stdout and "'Headache'" in upgraded.stdout
    report = run(env, "coding", "report")
    assert "MedDRA SYNTHETIC 2.0 (active) SYNTHETIC" in report.stdout
    assert "non-current LLT: adverse_event" in report.stdout and "Headache" in report.stdout
