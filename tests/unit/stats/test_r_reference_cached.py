"""Our fits agree with R's on every cached dataset (R outputs cached by ``python -m mescams.stats.validation``).

R calls (mescams/stats/r/reference.R): ``glmmTMB(gel_total ~ treatment + period + offset(log(n_scans)) +
(1 | participant_id), family = nbinom2)`` taken to its optimum, ``MASS::glm.nb(gel_total ~ treatment +
offset(log(n_scans)))`` on period 1 and on participant totals by sequence, ``survfit(..., conf.type =
"log-log")``, ``survdiff``, ``coxph(ties = "efron")``. Tolerance: 1e-4 relative (1e-3 for theta and the
random-intercept SD). tests/integration/stats/test_r_live.py re-runs R on a few datasets to confirm the cache.
"""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path

import pytest

from mescams.stats.analysis_data import folder_hash
from mescams.stats.validation import SCENARIOS, compare, our_results, write_scenario

CACHE = Path(__file__).resolve().parents[2] / "fixtures" / "stats" / "r_reference.json"
REFERENCE = json.loads(CACHE.read_text(encoding="utf-8"))


def test_cache_covers_every_scenario_and_shape() -> None:
    assert set(REFERENCE) == set(SCENARIOS)
    assert len(REFERENCE) >= 30
    shapes = {name.split("_s")[0] for name in REFERENCE}
    assert {"n31", "n200", "missing", "zeroheavy", "dispersed", "null", "strong"} <= shapes


@pytest.mark.parametrize("name", sorted(SCENARIOS))
def test_ours_matches_r(name: str, tmp_path: Path, protocol) -> None:
    cached = REFERENCE[name]
    assert cached["trial"] == asdict(SCENARIOS[name]), "scenario changed: regenerate the cache"
    folder = write_scenario(tmp_path, name, protocol)
    assert folder_hash(folder) == cached["folder_hash"], "generated data changed: regenerate the cache"
    problems = compare(our_results(folder, protocol), cached["r"])
    assert problems == []


def test_compare_catches_a_difference() -> None:
    ref = {"crossover": {"terms": {"treatmentMSC": {"coef": -0.5, "se": 0.2, "p": 0.01}}, "theta": 2.0}}
    ours = {"crossover": {"terms": {"treatmentMSC": {"coef": -0.50006, "se": 0.2, "p": 0.01}}, "theta": 2.0019}}
    problems = compare(ours, ref)
    assert len(problems) == 1 and "treatmentMSC.coef" in problems[0]
    ours["crossover"]["theta"] = 2.003
    assert any(".theta" in p for p in compare(ours, ref))
