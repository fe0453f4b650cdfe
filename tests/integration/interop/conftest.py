"""Shared fixtures of the interop tests: the demo trial snapshot and the reference schemas."""

from __future__ import annotations

import json
import shutil
from typing import Any

import pytest

from mescams.core.protocol import Protocol
from mescams.interop._demo_snapshot import demo_snapshot
from mescams.interop.snapshot import TrialSnapshot
from tests.conftest import SHARED, require

DATASET_JSON_SCHEMA = SHARED / "reference" / "cdisc-dataset-json-1.1.schema.json"
CTGOV_OPENAPI = SHARED / "reference" / "ctgov-api-v2-openapi.yaml"


@pytest.fixture(scope="session")
def snapshot(protocol: Protocol) -> TrialSnapshot:
    return demo_snapshot(protocol, seed=2015)


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
