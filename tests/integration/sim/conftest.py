"""The sim unit tests' fixtures, shared with the integration tests."""

from tests.unit.sim.conftest import scan_design, vp_params

__all__ = ["scan_design", "vp_params"]
