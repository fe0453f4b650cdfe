"""Shared fixtures of the interop tests: the demo trial snapshot and the reference schemas."""

from __future__ import annotations

import json
import shutil
from typing import Any

import pytest

from mescams.core.protocol import Protocol
from mescams.interop.snapshot import TrialSnapshot
from mescams.sim.demo_snapshot import simulated_snapshot
from tests.conftest import SHARED, require

DATASET_JSON_SCHEMA = SHARED / "reference" / "cdisc-dataset-json-1.1.schema.json"
CTGOV_OPENAPI = SHARED / "reference" / "ctgov-api-v2-openapi.yaml"


@pytest.fixture(scope="session")
def snapshot(protocol: Protocol) -> TrialSnapshot:
    return simulated_snapshot(protocol, seed=2015)


@pytest.fixture(scope="session")
def dataset_json_schema() -> dict[str, Any]:
    require(DATASET_JSON_SCHEMA.is_file(), f"Dataset-JSON schema not found at {DATASET_JSON_SCHEMA}")
    return json.loads(DATASET_JSON_SCHEMA.read_text(encoding="utf-8"))


@pytest.fixture(scope="session")
def rscript() -> str:
    path = shutil.which("Rscript")
    require(path is not None, "Rscript (with r-cran-haven) is not installed")
    assert path is not None
    return path


@pytest.fixture(scope="session")
def stats_results(protocol: Protocol, snapshot: TrialSnapshot, tmp_path_factory: pytest.TempPathFactory) -> dict:
    """The statistics results of the demo trial, run on its analysis-data folder (the stats area's own code)."""
    from mescams.core.analysis_contract import EXPORT_COLUMNS
    from mescams.interop.analysis_folder import analysis_tables
    from mescams.stats.analysis import run_analysis
    from mescams.stats.analysis_data import read_analysis_data
    from mescams.stats.analysis_folder import write_analysis_folder

    folder = tmp_path_factory.mktemp("analysis_data")
    write_analysis_folder(analysis_tables(protocol, snapshot), folder, columns=EXPORT_COLUMNS)
    return run_analysis(read_analysis_data(folder, protocol), protocol).results()
