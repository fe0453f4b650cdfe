"""The export commands end to end on the demo trial (``--demo``), and their errors."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from mescams.cli import app

runner = CliRunner()


def test_export_sdtm_adam_define_odm(tmp_path: Path) -> None:
    sdtm = runner.invoke(app, ["export", "sdtm", str(tmp_path / "sdtm"), "--format", "xpt", "--demo", "5"])
    assert sdtm.exit_code == 0, sdtm.output
    assert "0 error(s), 0 warning(s)" in sdtm.output
    assert json.loads((tmp_path / "sdtm" / "conformance.json").read_text(encoding="utf-8")) == []
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
        ],
    )
    assert adam.exit_code == 0, adam.output
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
