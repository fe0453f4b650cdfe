"""The hand-written ClinicalTrials.gov fixtures are valid API v2 Study records; the import command works end to end."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from mescams.cli import app
from mescams.interop.ctgov_schema import load_openapi, validate_component
from mescams.protocols import load_protocol
from tests.conftest import require
from tests.integration.interop.conftest import CTGOV_OPENAPI

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "interop"


@pytest.mark.parametrize(
    "path", sorted(FIXTURES.glob("NCT*.json")) + sorted(FIXTURES.glob("ctgov_corpus/NCT*.json")), ids=lambda p: p.stem
)
def test_fixture_is_a_valid_study_record(path: Path) -> None:
    require(CTGOV_OPENAPI.is_file(), f"ClinicalTrials.gov OpenAPI not found at {CTGOV_OPENAPI}")
    validate_component(json.loads(path.read_text(encoding="utf-8")), load_openapi(CTGOV_OPENAPI), "Study")


def test_import_ctgov_command_writes_a_loadable_draft(tmp_path: Path) -> None:
    out = tmp_path / "protocol.yaml"
    result = CliRunner().invoke(app, ["protocol", "import-ctgov", str(FIXTURES / "NCT02239393.json"), "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert "draft loads in mescams.core.protocol: yes" in result.output
    assert load_protocol(out).identification.nct_id == "NCT02239393"


def test_import_ctgov_command_rejects_bad_json(tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text("{not json", encoding="utf-8")
    result = CliRunner().invoke(app, ["protocol", "import-ctgov", str(bad), "-o", str(tmp_path / "p.yaml")])
    assert result.exit_code == 2
    assert "is not JSON" in result.output
    assert not (tmp_path / "p.yaml").exists()
