"""The crossover count analyses of the contract and the record: GEL (or CUA) per period by treatment.

- :func:`fit_crossover`: ``total ~ treatment + period + offset(log(n_scans)) + (1 | participant_id)`` (NB2 GLMM),
  placebo and period 1 the references (``gel_crossover`` of the contract; the period effect is its ``period2``).
- :func:`fit_period1`: ``total ~ treatment + offset(log(n_scans))`` on period 1 alone (NB2 GLM, ``gel_period1``).
- :func:`fit_carryover`: the classical carry-over test (Grizzle): participant totals over both periods by
  sequence, ``total ~ sequence + offset(log(total scans))`` (NB2 GLM) among participants with both periods.
- :func:`fit_within_sequence`: weeks 28-48 against weeks 4-24 in one sequence (outcome O3):
  ``total ~ period + offset(log(n_scans)) + (1 | participant_id)``.

Which treatment is the placebo comes from the protocol (the product that ``matches`` another).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from mescams.core.protocol import Protocol
from mescams.stats.nb2.models import NegativeBinomialMixedModel, NegativeBinomialRegression

__all__ = ["active_and_placebo", "fit_carryover", "fit_crossover", "fit_period1", "fit_within_sequence",
           "period_term", "treatment_term"]


def active_and_placebo(protocol: Protocol) -> tuple[str, str]:
    """(active, placebo) treatment codes: the placebo is the product that matches another one."""
    placebo = next(p.code for p in protocol.products if p.matches)
    active = next(p.code for p in protocol.products if not p.matches)
    return active, placebo


def treatment_term(protocol: Protocol) -> str:
    return f"treatment{active_and_placebo(protocol)[0]}"


def period_term(protocol: Protocol) -> str:
    return f"period{protocol.design.periods[-1].number}"


def _design(rows: pd.DataFrame, protocol: Protocol, *, treatment: bool, period: bool) -> pd.DataFrame:
    active, _ = active_and_placebo(protocol)
    columns: dict[str, NDArray[np.float64]] = {"(Intercept)": np.ones(len(rows))}
    if treatment:
        columns[treatment_term(protocol)] = (rows["treatment"] == active).to_numpy(dtype=float)
    if period:
        last = protocol.design.periods[-1].number
        columns[period_term(protocol)] = (rows["period"] == last).to_numpy(dtype=float)
    return pd.DataFrame(columns, index=rows.index)


def fit_crossover(totals: pd.DataFrame, protocol: Protocol, count: str = "gel_total") -> NegativeBinomialMixedModel:
    """The contract's primary model on period totals (see module docstring)."""
    model = NegativeBinomialMixedModel(name=f"{count}: NB2 mixed model, treatment + period")
    return model.fit(totals[count], _design(totals, protocol, treatment=True, period=True),
                     totals["participant_id"].to_numpy(), np.log(totals["n_scans"].to_numpy(dtype=float)))


def fit_period1(totals: pd.DataFrame, protocol: Protocol, count: str = "gel_total") -> NegativeBinomialRegression:
    """NB2 regression of period 1 alone: the parallel-group comparison."""
    first = totals[totals["period"] == protocol.design.periods[0].number]
    model = NegativeBinomialRegression(name=f"{count}: NB2 regression, period 1")
    return model.fit(first[count], _design(first, protocol, treatment=True, period=False),
                     np.log(first["n_scans"].to_numpy(dtype=float)))


def carryover_data(totals: pd.DataFrame, protocol: Protocol, count: str = "gel_total") -> pd.DataFrame:
    """Participant totals over both periods (only participants with a scan in every period)."""
    n_periods = len(protocol.design.periods)
    both = totals.groupby("participant_id").filter(lambda g: g["period"].nunique() == n_periods)
    return both.groupby(["participant_id", "sequence"], as_index=False).agg(total=(count, "sum"),
                                                                           n_scans=("n_scans", "sum"))


def fit_carryover(totals: pd.DataFrame, protocol: Protocol, count: str = "gel_total") -> NegativeBinomialRegression:
    """Sequence effect on participant totals: a carry-over (or sequence-by-period) test."""
    people = carryover_data(totals, protocol, count)
    second = protocol.design.sequences[1].code
    design = pd.DataFrame({"(Intercept)": np.ones(len(people)),
                           f"sequence{second}": (people["sequence"] == second).to_numpy(dtype=float)},
                          index=people.index)
    model = NegativeBinomialRegression(name=f"{count}: carry-over (sequence effect on participant totals)")
    return model.fit(people["total"], design, np.log(people["n_scans"].to_numpy(dtype=float)))


def fit_within_sequence(totals: pd.DataFrame, protocol: Protocol, sequence: str,
                        count: str = "gel_total") -> NegativeBinomialMixedModel:
    """Period 2 (weeks 28-48) against period 1 (weeks 4-24) within one sequence."""
    rows = totals[totals["sequence"] == sequence]
    model = NegativeBinomialMixedModel(name=f"{count}: period 2 vs period 1 in {sequence}")
    return model.fit(rows[count], _design(rows, protocol, treatment=False, period=True),
                     rows["participant_id"].to_numpy(), np.log(rows["n_scans"].to_numpy(dtype=float)))
