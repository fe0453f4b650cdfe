"""Re-run R on a few datasets: it must reproduce the cached outputs, and ours must agree with it (1e-4)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from mescams.stats.validation import compare, our_results, run_r, write_scenario
from tests.conftest import require

CACHE = Path(__file__).resolve().parents[2] / "fixtures" / "stats" / "r_reference.json"
LIVE = ["n31_s0", "zeroheavy_s1", "dispersed_s2", "missing_s1"]


@pytest.mark.r
def test_r_reproduces_cache_and_agrees_with_ours(tmp_path: Path, protocol) -> None:
    require(shutil.which("Rscript") is not None, "Rscript (with glmmTMB, MASS, survival, jsonlite) not installed")
    cache = json.loads(CACHE.read_text(encoding="utf-8"))
    folders = [write_scenario(tmp_path, name, protocol) for name in LIVE]
    live = run_r(folders, tmp_path / "r.json")
    for name, folder in zip(LIVE, folders, strict=True):
        assert compare(live[name], cache[name]["r"]) == [], f"R output for {name} differs from the cache"
        assert compare(our_results(folder, protocol), live[name]) == [], name
