"""The sim unit tests' fixtures, and the NB2 tests' trials drawn from the model, for the integration tests too."""

from tests.unit.sim.conftest import scan_design, vp_params
from tests.unit.stats.nb2.conftest import model_trials

__all__ = ["model_trials", "scan_design", "vp_params"]
