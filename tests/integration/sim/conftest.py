"""The sim unit tests' fixtures, for the integration tests too."""

from tests.unit.sim.conftest import model_trials, scan_design, vp_params

__all__ = ["model_trials", "scan_design", "vp_params"]
