"""`mescams protocol ...` as a user runs it."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from typer.testing import CliRunner

from mescams.cli import app

runner = CliRunner()


def test_schedule_json_worked_example() -> None:
    result = runner.invoke(app, ["protocol", "schedule", "--randomised-on", "2016-03-01", "--json"])
    assert result.exit_code == 0, result.output
    visits = {v["visit"]: v for v in json.loads(result.stdout)["visits"]}
    assert visits["W24"]["planned_date"] == "2016-08-16"
    assert visits["W48"]["planned_date"] == "2017-01-31"
    assert visits["W48"]["study_day"] == 337
    assert (visits["W12"]["window_start"], visits["W12"]["window_end"]) == ("2016-05-17", "2016-05-31")


def test_schedule_table_shows_dates() -> None:
    result = runner.invoke(app, ["protocol", "schedule", "--randomised-on", "2016-03-01"])
    assert result.exit_code == 0
    assert "2016-08-16" in result.stdout and "2017-01-31" in result.stdout


def test_schedule_bad_date_names_the_option() -> None:
    result = runner.invoke(app, ["protocol", "schedule", "--randomised-on", "2016-02-30"])
    assert result.exit_code == 2
    assert "--randomised-on" in result.stderr


def test_the_earlier_spelling_randomized_on_still_works() -> None:
    """``--randomized-on`` was the option's name before the project settled on Canadian spelling; kept as an alias."""
    old = runner.invoke(app, ["protocol", "schedule", "--randomized-on", "2016-03-01", "--json"])
    new = runner.invoke(app, ["protocol", "schedule", "--randomised-on", "2016-03-01", "--json"])
    assert old.exit_code == 0 and old.stdout == new.stdout


def test_show_summarises() -> None:
    result = runner.invoke(app, ["protocol", "show"])
    assert result.exit_code == 0
    for text in ("NCT02239393", "Quadruple", "MSC-PLACEBO", "PLACEBO-MSC", "Health Sciences Centre", "E18"):
        assert text in result.stdout


def test_validate_good_and_bad(tmp_path: Path) -> None:
    ok = runner.invoke(app, ["protocol", "validate", "mescams/protocols/mescams.yaml"])
    assert ok.exit_code == 0 and "valid: NCT02239393" in ok.stdout
    bad_file = tmp_path / "bad.yaml"
    text = Path("mescams/protocols/mescams.yaml").read_text(encoding="utf-8")
    bad_file.write_text(text.replace("target_enrolment: 31", "target_enrolment: -4"), encoding="utf-8")
    bad = runner.invoke(app, ["protocol", "validate", str(bad_file)])
    assert bad.exit_code == 2
    assert "design.target_enrolment" in bad.stderr


def test_console_script_entry_point() -> None:
    exe = Path(sys.executable).with_name("mescams")
    out = subprocess.run([str(exe), "protocol", "validate", "mescams/protocols/mescams.yaml"],
                         capture_output=True, text=True, check=False)
    assert out.returncode == 0, out.stderr
