"""``mescams edss score`` and ``mescams product dose`` as a user runs them (contract: shared/contracts/edss.md)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from mescams.cli import app

runner = CliRunner()

A1 = {"id": "A1", "visual": 0, "brainstem": 1, "pyramidal": 2, "cerebellar": 1, "sensory": 0,
      "bowel_bladder": 0, "cerebral": 0, "ambulation": 0, "recorded_edss": 2.0}


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_contract_example_single_object(tmp_path: Path) -> None:
    result = runner.invoke(app, ["edss", "score", str(write(tmp_path, "a1.json", json.dumps(A1))), "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == {
        "id": "A1", "edss": 2.0, "consistent": True,
        "reason": "one FS grade 2 (pyramidal), others 0 or 1; fully ambulatory",
    }


def test_pretty_printed_single_object_is_one_assessment(tmp_path: Path) -> None:
    result = runner.invoke(app, ["edss", "score", str(write(tmp_path, "a1.json", json.dumps(A1, indent=2))), "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["edss"] == 2.0


def test_json_lines_keep_order_and_score_around_bad_lines(tmp_path: Path) -> None:
    lines = [
        json.dumps(A1),
        json.dumps({**A1, "id": "A2", "visual": 7}),
        "{not json",
        json.dumps({**A1, "id": "A4", "visual": 6, "bowel_bladder": 5, "ambulation": 6, "recorded_edss": 6.5}),
        json.dumps({k: v for k, v in A1.items() if k not in ("recorded_edss", "sensory")} | {"id": "A5"}),
        json.dumps({**A1, "id": "A6", "recorded_edss": None}),
    ]
    result = runner.invoke(app, ["edss", "score", str(write(tmp_path, "many.jsonl", "\n".join(lines) + "\n")),
                                 "--json"])
    assert result.exit_code == 0, result.output
    out = [json.loads(line) for line in result.stdout.splitlines()]
    assert [o["id"] for o in out] == ["A1", "A2", None, "A4", "A5", "A6"]
    assert out[0]["consistent"] is True
    assert out[1] == {"id": "A2", "error": "line 2: visual: expected an integer grade 0-6, got 7"}
    assert out[2]["error"].startswith("line 3: assessment: malformed JSON")
    assert (out[3]["edss"], out[3]["consistent"]) == (6.0, False)
    assert "visual 6 converted to 4" in out[3]["reason"] and "bowel/bladder 5 converted to 4" in out[3]["reason"]
    assert out[4] == {"id": "A5", "error": "line 5: sensory: missing functional system score (integer 0-6)"}
    assert out[5]["consistent"] is None
    assert "3 of 6 line(s) not scored" in result.stderr


@pytest.mark.parametrize(
    ("record", "message"),
    [
        ({**A1, "cerebral": 9}, "error: cerebral: expected an integer grade 0-5, got 9"),
        ({**A1, "ambulation": 2.5}, "error: ambulation: expected the Neurostatus ambulation score"),
        ({**A1, "recorded_edss": 7.3}, "error: recorded_edss: expected an EDSS step"),
    ],
)
def test_bad_single_object_exits_2_naming_the_field(tmp_path: Path, record: dict, message: str) -> None:
    result = runner.invoke(app, ["edss", "score", str(write(tmp_path, "bad.json", json.dumps(record))), "--json"])
    assert result.exit_code == 2
    assert message in result.stderr
    assert result.stdout == ""


def test_non_json_single_line_exits_2(tmp_path: Path) -> None:
    result = runner.invoke(app, ["edss", "score", str(write(tmp_path, "bad.json", "visual=2")), "--json"])
    assert result.exit_code == 2
    assert "error: assessment: malformed JSON" in result.stderr


def test_table_output(tmp_path: Path) -> None:
    result = runner.invoke(app, ["edss", "score", str(write(tmp_path, "a1.json", json.dumps(A1)))])
    assert result.exit_code == 0
    assert "A1" in result.stdout and "2.0" in result.stdout and "yes" in result.stdout


def test_product_dose_json() -> None:
    result = runner.invoke(app, ["product", "dose", "--weight-kg", "70", "--viable-cells", "2.1e8", "--json"])
    assert result.exit_code == 0, result.output
    plan = json.loads(result.stdout)
    assert plan["cells_to_infuse"] == pytest.approx(1.05e8)
    assert plan["final_volume_ml"] == 50.0 and plan["placebo_volume_ml"] == 50.0
    assert plan["dmso_g_per_kg"] == pytest.approx(5.5 / 70)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--weight-kg", "7", "--viable-cells", "2e8"], "error: weight_kg: 7 kg is outside the plausible range"),
        (["--weight-kg", "70", "--viable-cells", "6e7"], "error: viable_cells: 6.000e+07 viable cells are fewer"),
        (["--weight-kg", "70", "--viable-cells", "2e8", "--final-volume-ml", "40"], "error: final_volume_ml:"),
    ],
)
def test_product_dose_refusals(args: list[str], message: str) -> None:
    result = runner.invoke(app, ["product", "dose", *args])
    assert result.exit_code == 2
    assert message in result.stderr
