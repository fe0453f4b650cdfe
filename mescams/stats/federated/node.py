"""What a node computes for a coordinator, from its own analysis data: aggregates only, each checked by the
disclosure rules (:mod:`mescams.stats.federated.disclosure`) before it leaves.

:class:`NodeAnalysis` is built once from the node's analysis-data folder (the contract's files) and then answers
the coordinator's requests: the sizes and sums needed to start, the Laplace part at proposed parameters, a fit of
its own trial alone (for the two-stage meta-analysis) and adverse-event counts by treatment.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from mescams.core.protocol import Protocol
from mescams.stats.analysis_data import AnalysisData
from mescams.stats.crossover import active_and_placebo
from mescams.stats.datasets import attributed_adverse_events, period_totals, subject_level
from mescams.stats.federated.disclosure import AE_KEYS, check_model_size, released_count
from mescams.stats.federated.laplace import NodeData, node_contribution, pad_participants
from mescams.stats.federated.pooled import LOCAL_TERMS, maximise
from mescams.stats.safety import adverse_event_summary

__all__ = ["NodeAnalysis"]


@dataclass(frozen=True)
class NodeAnalysis:
    """One node's crossover data (padded) and adverse-event summary."""

    data: NodeData
    adverse_events: dict[str, Any]
    gel_total: int
    scans: int

    @classmethod
    def from_analysis_data(cls, analysis_data: AnalysisData, protocol: Protocol) -> NodeAnalysis:
        totals = period_totals(analysis_data, protocol)
        active, _ = active_and_placebo(protocol)
        last = protocol.design.periods[-1].number
        design = np.column_stack([np.ones(len(totals)), (totals["treatment"] == active).to_numpy(dtype=float),
                                  (totals["period"] == last).to_numpy(dtype=float)])
        scans = totals["n_scans"].to_numpy(dtype=float)
        data = pad_participants(totals["participant_id"].to_numpy(dtype=str),
                                totals["gel_total"].to_numpy(dtype=float), design, np.log(scans))
        subjects = subject_level(analysis_data, protocol)
        ae = adverse_event_summary(attributed_adverse_events(analysis_data, protocol), subjects, protocol)
        return cls(data, ae, int(totals["gel_total"].sum()), int(scans.sum()))

    def check(self) -> None:
        """Raise :class:`~mescams.stats.federated.disclosure.DisclosureRefused` unless the model may be fitted."""
        check_model_size(participants=self.data.n_participants, observations=self.data.n_observations,
                         parameters=len(LOCAL_TERMS))

    def summary(self) -> dict[str, Any]:
        """Sizes and the sums the coordinator starts from (counts below ``MIN_COUNT`` withheld)."""
        self.check()
        return {"n_participants": self.data.n_participants, "n_observations": self.data.n_observations,
                "parameters": list(LOCAL_TERMS), "gel_total": released_count(self.gel_total),
                "scans": released_count(self.scans)}

    def evaluate(self, z: list[float]) -> dict[str, Any]:
        """The Laplace log-likelihood, gradient and Hessian at the local parameters ``z`` (:data:`LOCAL_TERMS`)."""
        self.check()
        part = node_contribution(self.data, np.asarray(z, dtype=float))
        return {"loglik": part.loglik, "gradient": part.gradient.tolist(), "hessian": part.hessian.tolist()}

    def local_fit(self, max_evaluations: int) -> dict[str, Any]:
        """The crossover model on this trial alone: the treatment's log rate ratio and its SE (stage one of the
        two-stage analysis), or why it did not converge."""
        self.check()
        rate = np.log(max(self.gel_total, 1) / self.scans)
        start = np.array([rate, 0.0, 0.0, 0.0, np.log(0.5)])
        best = maximise(lambda z: node_contribution(self.data, z), start, max_evaluations=max_evaluations,
                        bounded=(3, 4))
        free = ~best.held
        information = -best.part.hessian[np.ix_(free, free)]
        if not best.converged or np.linalg.eigvalsh(information).min() <= 0:
            message = best.message if not best.converged else "the Hessian at the maximum is not negative definite"
            return {"converged": False, "message": message, "n_participants": self.data.n_participants}
        se = float(np.sqrt(np.linalg.inv(information)[1, 1]))  # treatment is free: only variances are bounded
        return {"converged": True, "message": best.message, "log_rate_ratio": float(best.z[1]), "se": se,
                "n_participants": self.data.n_participants}

    def adverse_event_counts(self) -> dict[str, dict[str, int | None]]:
        """Per treatment (and before treatment): the contract's counts, each 1 or 2 withheld (``None``)."""
        self.check()
        return {treatment: {key: released_count(int(block[key])) for key in AE_KEYS}
                for treatment, block in self.adverse_events.items()}

