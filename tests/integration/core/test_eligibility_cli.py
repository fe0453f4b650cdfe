"""``mescams eligibility check``: the contract's JSON, JSON Lines in order, and exit status 2 naming the field."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from mescams.cli import app
from tests.factories.eligibility import record

runner = CliRunner()


def _check(path: Path, *extra: str) -> tuple[int, str, str]:
    result = runner.invoke(app, ["eligibility", "check", str(path), "--on", "2016-03-01", *extra])
    return result.exit_code, result.stdout, result.stderr


def test_single_record_json(tmp_path: Path) -> None:
    path = tmp_path / "p.json"
    path.write_text(json.dumps(record(), indent=2))
    code, out, _ = _check(path, "--json")
    assert code == 0
    data = json.loads(out)
    assert data["id"] == "P001" and data["on"] == "2016-03-01" and data["eligible"] is True
    assert [c["id"] for c in data["criteria"]] == [f"I{n}" for n in range(1, 6)] + [f"E{n}" for n in range(1, 19)]


def test_table_without_json(tmp_path: Path) -> None:
    path = tmp_path / "p.json"
    path.write_text(json.dumps(record(in_other_trial=True)))
    code, out, _ = _check(path)
    assert code == 0 and "not eligible" in out and "E17" in out and "in_other_trial is true" in out


def test_json_lines_keep_order_and_report_a_bad_line(tmp_path: Path) -> None:
    bad = record(id="P002", edss=[{"date": "2016-02-15", "score": 7.3}])
    lines = [json.dumps(record(id="P001")), json.dumps(bad), "not json at all",
             json.dumps(record(id="P004", pregnant=True))]
    path = tmp_path / "p.jsonl"
    path.write_text("\n".join(lines) + "\n")
    code, out, err = _check(path, "--json")
    rows = [json.loads(line) for line in out.splitlines()]
    assert code == 2
    assert [r["id"] for r in rows] == ["P001", "P002", None, "P004"]
    assert rows[1] == {"id": "P002", "line": 2, "error": rows[1]["error"]} and "edss[0].score" in rows[1]["error"]
    assert rows[2]["line"] == 3
    assert rows[0]["eligible"] is True and rows[3]["eligible"] is False
    assert "line 2" in err and "edss[0].score" in err and "line 3" in err


def test_malformed_single_records_exit_2_naming_the_field(tmp_path: Path) -> None:
    cases = {
        "edss[0].score": record(edss=[{"date": "2016-02-15", "score": 7.3}]),
        "birth_date": record(birth_date="1980-02-30"),
        "ms.course": record(ms={"course": "RPMS"}),
    }
    for field, data in cases.items():
        path = tmp_path / "bad.json"
        path.write_text(json.dumps(data))
        code, out, err = _check(path, "--json")
        assert code == 2 and out == "" and field in err, (field, err)
    path = tmp_path / "bad.json"
    path.write_text("this is not json")
    code, _, err = _check(path, "--json")
    assert code == 2 and "not valid JSON" in err


def test_bad_on_date(tmp_path: Path) -> None:
    path = tmp_path / "p.json"
    path.write_text(json.dumps(record()))
    result = runner.invoke(app, ["eligibility", "check", str(path), "--on", "1/3/2016"])
    assert result.exit_code == 2 and "--on" in result.stderr
