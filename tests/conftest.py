"""Fixtures shared by every test level, and the rule for missing servers.

A test that needs something outside Python (PostgreSQL, R, chromium, the shared reference files) calls
:func:`require`: it skips with the reason on a developer's machine and fails loudly in CI (``CI=true``).
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest

from mescams.core.protocol import Protocol
from mescams.protocols import load_protocol

REPO = Path(__file__).resolve().parent.parent
SHARED = REPO.parent / "shared"
SEED_RECORD = SHARED / "seed" / "NCT02239393-record.txt"


def in_ci() -> bool:
    return os.environ.get("CI", "").lower() in {"1", "true", "yes"}


def require(condition: bool, reason: str) -> None:
    """Skip (locally) or fail (in CI) when a needed server, tool or file is missing."""
    if condition:
        return
    if in_ci():
        pytest.fail(f"required in CI: {reason}")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def protocol() -> Protocol:
    return load_protocol()


@pytest.fixture()
def rng() -> np.random.Generator:
    """A fixed-seed generator: tests are reproducible run to run."""
    return np.random.default_rng(20150601)


@pytest.fixture(scope="session")
def seed_record_text() -> str:
    require(SEED_RECORD.is_file(), f"trial record not found at {SEED_RECORD}")
    return SEED_RECORD.read_text(encoding="utf-8")
