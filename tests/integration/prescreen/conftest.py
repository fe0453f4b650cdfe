"""A generated 20,000-patient registry shared by the pre-screening tests (written once per session)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from mescams.core.eligibility import Criterion, build_criteria
from mescams.protocols import default_protocol
from mescams.sim.registry import RegistryShape, write_registry

AS_OF = dt.date(2016, 3, 1)
PATIENTS = 20_000


@pytest.fixture(scope="session")
def registry(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("registry")
    write_registry(folder, RegistryShape(PATIENTS, seed=20150601, as_of=AS_OF))
    return folder


@pytest.fixture(scope="session")
def criteria() -> tuple[Criterion, ...]:
    return build_criteria(default_protocol())
