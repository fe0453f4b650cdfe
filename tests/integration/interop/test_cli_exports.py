"""The export commands end to end on the demo trial (``--demo``), and their errors."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from mescams.cli import app

runner = CliRunner()


#: AE rules fixed on other branches (MedDRA coding; seriousness criteria): the lead empties this at merge, and the
#: SDTM export then exits 0 (see tests/unit/interop/test_conformance.py)
NOT_CODED_IN_SIMULATION = {"CG0039"}  # the simulated demo (--demo) carries verbatims only; EDC exports are coded


def test_export_sdtm_adam_define_odm(tmp_path: Path) -> None:
    sdtm = runner.invoke(
        app, ["export", "sdtm", str(tmp_path / "sdtm"), "--format", "xpt", "--demo", "5", "--no-documents"]
    )
    report = json.loads((tmp_path / "sdtm-conformance.json").read_text(encoding="utf-8"))
    assert {i["rule"] for i in report} <= NOT_CODED_IN_SIMULATION, sdtm.output
    assert sdtm.exit_code == (1 if report else 0), sdtm.output
    assert f"{len(report)} error(s), 0 warning(s)" in sdtm.output
    assert sorted(p.suffix for p in (tmp_path / "sdtm").iterdir()) == [".xpt"] * 19  # only datasets inside
    assert (tmp_path / "sdtm" / "ts.xpt").is_file() and not (tmp_path / "sdtm" / "ts.json").exists()
    adam = runner.invoke(
        app,
        [
            "export",
            "adam",
            str(tmp_path / "adam"),
            "--format",
            "json",
            "--demo",
            "5",
            "--analysis-data",
            str(tmp_path / "ad"),
            "--no-documents",
        ],
    )
    assert adam.exit_code == 0, adam.output
    assert json.loads((tmp_path / "adam-conformance.json").read_text(encoding="utf-8")) == []
    assert (tmp_path / "adam" / "adsl.json").is_file() and (tmp_path / "ad" / "participants.csv").is_file()
    define = runner.invoke(app, ["export", "define", str(tmp_path / "define.xml"), "--standard", "ADaM", "--demo", "5"])
    assert define.exit_code == 0 and "valid against the Define-XML 2.1 schema" in define.output
    odm = runner.invoke(app, ["export", "odm", str(tmp_path / "odm.xml"), "--metadata-only"])
    assert odm.exit_code == 0 and "valid against the ODM 1.3.2 schema" in odm.output


def test_bad_options_are_named_and_nothing_is_written(tmp_path: Path) -> None:
    bad = runner.invoke(app, ["export", "sdtm", str(tmp_path / "out"), "--format", "csv", "--demo", "5"])
    assert bad.exit_code == 2 and "--format: must be xpt, json or both" in bad.output
    assert not (tmp_path / "out").exists()
    std = runner.invoke(app, ["export", "define", str(tmp_path / "d.xml"), "--standard", "SEND", "--demo", "5"])
    assert std.exit_code == 2 and "--standard" in std.output
    missing = runner.invoke(
        app,
        ["export", "ctgov-results", str(tmp_path / "r.json"), "--results", str(tmp_path / "none.json"), "--demo", "5"],
    )
    assert missing.exit_code == 2 and "none.json" in missing.output
    cut = runner.invoke(app, ["export", "sdtm", str(tmp_path / "c"), "--cutoff", "30/09/2016", "--demo", "5"])
    assert cut.exit_code == 2 and "--cutoff: must be a date YYYY-MM-DD" in cut.output
    assert not (tmp_path / "c").exists()


def test_export_sdtm_with_a_cutoff_writes_the_submission_folder(tmp_path: Path) -> None:
    """Datasets, define.xml, acrf.pdf and csdrg.pdf inside; the conformance report beside; DCUTDTC in TS."""
    from mescams.interop.dataset_json import read_dataset_json

    out = tmp_path / "sdtm"
    args = ["export", "sdtm", str(out), "--format", "json", "--demo", "5", "--cutoff", "2016-09-30"]
    result = runner.invoke(app, args)
    assert "wrote the conformance report" in result.output, result.output
    assert {p.name for p in out.iterdir()} >= {"define.xml", "acrf.pdf", "csdrg.pdf", "dm.json", "ts.json"}
    assert not (out / "conformance.json").exists() and (tmp_path / "sdtm-conformance.json").is_file()
    for pdf in ("acrf.pdf", "csdrg.pdf"):
        assert (out / pdf).read_bytes().startswith(b"%PDF")
    define = (out / "define.xml").read_text(encoding="utf-8")
    assert 'xlink:href="ts.json"' in define and ".xpt" not in define  # a JSON-only folder's define names its files
    _, ts = read_dataset_json(out / "ts.json")
    assert {r["TSPARMCD"]: r["TSVAL"] for r in ts}["DCUTDTC"] == "2016-09-30"
    _, ae = read_dataset_json(out / "ae.json")
    assert max(str(r["AESTDTC"]) for r in ae) <= "2016-09-30"
    adam = runner.invoke(app, ["export", "adam", str(tmp_path / "adam"), "--demo", "5", "--cutoff", "2016-09-30"])
    assert adam.exit_code == 0, adam.output
    assert {"define.xml", "adrg.pdf", "adsl.xpt", "adsl.json"} <= {p.name for p in (tmp_path / "adam").iterdir()}
