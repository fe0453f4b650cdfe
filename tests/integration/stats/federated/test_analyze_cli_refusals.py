"""``mescams federated analyze`` refuses before sending anything: too few nodes (naming MIN_NODES), a malformed
``--node``."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from mescams.cli import app


def test_two_nodes_are_refused_naming_the_rule(tmp_path: Path) -> None:
    out = tmp_path / "out.json"
    result = CliRunner().invoke(app, ["federated", "analyze", "--node", "http://127.0.0.1:9=mfed_a_b",
                                      "--node", "http://127.0.0.1:9=mfed_c_d", "--json", str(out)])
    assert result.exit_code == 2
    assert "MIN_NODES" in result.output
    assert not out.exists()


def test_a_node_without_token_is_refused(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["federated", "analyze", "--node", "http://127.0.0.1:9",
                                      "--json", str(tmp_path / "out.json")])
    assert result.exit_code == 2
    assert "--node" in result.output and "URL=TOKEN" in result.output
