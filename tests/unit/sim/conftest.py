"""Fixtures shared by the sim tests: the virtual patient parameters and the protocol's scan design."""

from __future__ import annotations

import pytest

from mescams.protocols import default_protocol
from mescams.sim.virtual_patients import ScanDesign, load_params


@pytest.fixture(scope="session")
def vp_params():  # type: ignore[no-untyped-def]
    return load_params()


@pytest.fixture(scope="session")
def scan_design() -> ScanDesign:
    return ScanDesign.from_protocol(default_protocol())
