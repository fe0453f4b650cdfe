"""Disclosure control for federated requests, as DataSHIELD's and vantage6's defaults: what a node releases.

A node answers only with aggregates, and only when every rule holds; otherwise it refuses with
:class:`DisclosureRefused`, whose message names the rule. The thresholds (DataSHIELD's option names in brackets):

- ``MIN_NODES`` (3): an analysis spans at least 3 nodes, so no node's contribution is the pooled answer minus
  one other node's; this code has no secure aggregation, so the rule is not relaxed.
- ``MIN_PARTICIPANTS`` (6, ``nfilter.subset`` is 3): a node with fewer participants in the analysis answers nothing.
- ``MAX_PARAMETER_SHARE`` (0.33, ``nfilter.glm``): the node's model has at most that share of its observations
  (participant-periods) as parameters, so the fit cannot reproduce the data.
- ``MIN_COUNT`` (3, ``nfilter.tab``): a count of 1 or 2 is never released (0 is); it is replaced by ``None``.
- ``MAX_EVALUATIONS`` (60): one approval allows at most that many likelihood evaluations, so no one can probe
  the likelihood surface at will; a new approval is needed for more.
"""

from __future__ import annotations

from mescams.errors import MescamsError

__all__ = ["AE_KEYS", "MAX_EVALUATIONS", "MAX_PARAMETER_SHARE", "MIN_COUNT", "MIN_NODES", "MIN_PARTICIPANTS",
           "DisclosureRefused", "check_model_size", "check_nodes", "released_count"]

AE_KEYS = ("exposed", "participants_with_ae", "events", "serious_events", "participants_with_serious_ae")
"""The adverse-event counts a node releases per treatment (each under ``MIN_COUNT``)."""
MIN_NODES = 3
MIN_PARTICIPANTS = 6
MAX_PARAMETER_SHARE = 0.33
MIN_COUNT = 3
MAX_EVALUATIONS = 60


class DisclosureRefused(MescamsError):
    """A federated request would release more than the disclosure rules allow; ``rule`` names the rule."""

    def __init__(self, rule: str, detail: str) -> None:
        self.rule = rule
        super().__init__(f"refused by disclosure rule {rule}: {detail}")


def check_nodes(n_nodes: int) -> None:
    if n_nodes < MIN_NODES:
        raise DisclosureRefused("MIN_NODES", f"an analysis needs at least {MIN_NODES} nodes, this one has {n_nodes}")


def check_model_size(*, participants: int, observations: int, parameters: int) -> None:
    if participants < MIN_PARTICIPANTS:
        raise DisclosureRefused("MIN_PARTICIPANTS", f"the node holds {participants} participants for this analysis; "
                                f"at least {MIN_PARTICIPANTS} are needed")
    if parameters > MAX_PARAMETER_SHARE * observations:
        raise DisclosureRefused("MAX_PARAMETER_SHARE", f"{parameters} parameters on {observations} observations; at "
                                f"most {MAX_PARAMETER_SHARE:.0%} of the observations may be parameters")


def released_count(count: int) -> int | None:
    """The count as released: ``None`` for 1 or 2 (``MIN_COUNT``), the count otherwise."""
    return None if 0 < count < MIN_COUNT else int(count)
