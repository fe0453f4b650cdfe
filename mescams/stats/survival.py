"""Time to sustained disability progression (outcome O7): Kaplan-Meier, log-rank, Cox (Efron ties).

The event definition is the clinical core's (:mod:`mescams.core.progression`, the protocol's
``disability_progression``); this module only builds the time-to-event rows and fits the survival models.

Three analyses, each with time in days from an infusion (day 1 = infusion day):

- ``period1``: the parallel-group comparison of the first 24 weeks, by the treatment of period 1. Baseline is
  the participant's ``baseline_edss``; the assessments are those of period 1's weeks.
- ``period2``: after cross-over, by the treatment of period 2, from infusion 2; baseline is the EDSS at the
  week-24 visit (re-baselined at the cross-over, since period 1 may have changed it).
- ``study``: the whole 48 weeks by sequence, from infusion 1 with every assessment; the proportion
  progression-free at 24 and 48 weeks is the KM estimate at the end of that week's visit window.

KM confidence intervals are lifelines' exponential Greenwood (log(-log)) intervals, which are R's
``survfit(..., conf.type = "log-log")``. The Cox fit uses a tight Newton tolerance (lifelines' default stops
too early to agree with R's ``coxph`` to 1e-4).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from mescams.core.progression import EdssAssessment, ProgressionRule, sustained_progression
from mescams.core.protocol import Protocol
from mescams.core.schedule import study_day
from mescams.stats.analysis_data import AnalysisData
from mescams.stats.results import FittedModel, finite_or_none, wald_table

__all__ = ["SurvivalComparison", "progression_times"]

ANALYSES = ("period1", "period2", "study")
COX_OPTIONS = {"precision": 1e-12, "r_precision": 1e-14, "max_steps": 200, "step_size": 0.95}


def _baseline_edss(recorded: Any, edss: pd.DataFrame) -> float | None:
    """The participant's baseline EDSS: participants.csv's, else the week-0 score of edss.csv, else None."""
    if recorded is not None and not pd.isna(recorded):
        return float(recorded)
    week0 = edss[edss["week"] == 0]
    return float(week0["score"].iloc[-1]) if not week0.empty else None


def progression_times(data: AnalysisData, protocol: Protocol, *, analysis: str = "period1",
                      confirmation_weeks: int | None = None) -> pd.DataFrame:
    """One row per participant: ``group``, ``time`` (study days), ``event`` (0/1), ``reason``.

    ``analysis`` is ``"period1"`` (group = period-1 treatment, assessments up to the end of period 1),
    ``"period2"`` (group = period-2 treatment, days from infusion 2, baseline = the last EDSS at or before the
    week-24 visit, assessments after it) or ``"study"`` (group = sequence, all assessments). Participants
    without the infusion or follow-up are left out.
    """
    rule = ProgressionRule.from_protocol(protocol.disability_progression, confirmation_weeks)
    first_period, last_period = protocol.design.periods[0], protocol.design.periods[-1]
    if analysis not in ANALYSES:
        raise ValueError(f"unknown analysis {analysis!r}: expected one of {', '.join(ANALYSES)}")
    rows = []
    for person in data.participants.itertuples(index=False):
        if person.infusion1_date is None:
            continue
        mine = data.edss[data.edss["participant_id"] == person.participant_id]
        baseline = _baseline_edss(person.baseline_edss, mine)
        if baseline is None and analysis != "period2":
            continue  # no baseline EDSS anywhere: left out, as the plan says (MISSING_HANDLED), and warned of
        origin = person.infusion1_date
        if analysis == "period1":
            mine = mine[(mine["week"] > 0) & (mine["week"] <= first_period.end_week)]
            group = protocol.sequence(person.sequence).treatments[0]
        elif analysis == "study":
            mine = mine[mine["week"] > 0]
            group = person.sequence
        else:
            if person.infusion2_date is None:
                continue
            before = mine[mine["week"] <= last_period.infusion_week].sort_values("week")
            if before.empty:
                continue
            origin, baseline = person.infusion2_date, float(before["score"].iloc[-1])
            mine = mine[mine["week"] > last_period.infusion_week]
            group = protocol.sequence(person.sequence).treatments[-1]
        follow_up = [EdssAssessment(study_day(d, origin), float(s))
                     for d, s in zip(mine["assessment_date"], mine["score"], strict=True)]
        outcome = sustained_progression(follow_up, rule=rule, baseline=baseline)
        if outcome.time_day is None:
            continue
        rows.append({"participant_id": person.participant_id, "group": group, "time": outcome.time_day,
                     "event": int(outcome.event), "reason": outcome.reason})
    return pd.DataFrame(rows, columns=["participant_id", "group", "time", "event", "reason"])


class SurvivalComparison(FittedModel):
    """KM per group, log-rank test and Cox hazard ratio of ``treated`` vs ``reference`` group.

    Attributes after ``fit(times)``: ``km_`` (group -> lifelines KaplanMeierFitter), ``logrank_statistic_``,
    ``logrank_p_``, ``summary_`` (Cox Wald table, term ``treated``), ``events_`` (per group),
    ``converged_`` (of the Cox fit; KM and log-rank are always reported when there is any data).
    """

    def __init__(self, reference: str, treated: str, name: str = "time to sustained progression") -> None:
        self.reference = reference
        self.treated = treated
        self.name = name

    def fit(self, times: pd.DataFrame) -> SurvivalComparison:
        from lifelines import CoxPHFitter, KaplanMeierFitter
        from lifelines.statistics import logrank_test

        self.data_ = times
        self.km_: dict[str, Any] = {}
        self.events_ = {g: int(times.loc[times["group"] == g, "event"].sum()) for g in (self.reference, self.treated)}
        self.n_ = {g: int((times["group"] == g).sum()) for g in (self.reference, self.treated)}
        for group in (self.reference, self.treated):
            rows = times[times["group"] == group]
            if len(rows):
                self.km_[group] = KaplanMeierFitter(label=group).fit(rows["time"], rows["event"])
        ref, trt = times[times["group"] == self.reference], times[times["group"] == self.treated]
        self.logrank_statistic_ = self.logrank_p_ = float("nan")
        if len(ref) and len(trt) and times["event"].sum() > 0:
            test = logrank_test(trt["time"], ref["time"], trt["event"], ref["event"])
            self.logrank_statistic_, self.logrank_p_ = float(test.test_statistic), float(test.p_value)
        if min(self.events_.values()) == 0 or min(self.n_.values()) == 0:
            self._fail("no progression event in one group: the hazard ratio is not estimable", strict=False)
            return self
        frame = pd.DataFrame({"time": times["time"], "event": times["event"],
                              "treated": (times["group"] == self.treated).astype(float)})
        cox = CoxPHFitter().fit(frame, "time", "event", fit_options=COX_OPTIONS)
        coef = float(cox.params_["treated"])
        se = float(cox.standard_errors_["treated"])
        self.summary_ = wald_table(["treated"], np.array([coef]), np.array([se]))
        self.converged_ = True
        self.message_ = "converged"
        return self

    def survival_at(self, group: str, day: float) -> dict[str, float | None]:
        """KM proportion event-free at ``day`` with its 95 % CI (None when the group has no data)."""
        km = self.km_.get(group)
        if km is None:
            return {"estimate": None, "ci_low": None, "ci_high": None}
        estimate = float(km.predict(day))
        ci = km.confidence_interval_survival_function_
        before = ci[ci.index <= day]
        low, high = (before.iloc[-1].to_numpy() if len(before) else (1.0, 1.0))
        return {"estimate": estimate, "ci_low": finite_or_none(low), "ci_high": finite_or_none(high)}

    def to_dict(self) -> dict[str, Any]:
        effect = self._effect("treated")
        return {
            "reference": self.reference,
            "treated": self.treated,
            "n": self.n_,
            "events": self.events_,
            "logrank_chisq": finite_or_none(self.logrank_statistic_),
            "logrank_p": finite_or_none(self.logrank_p_),
            "hazard_ratio": effect["rate_ratio"],
            "hr_ci_low": effect["ci_low"],
            "hr_ci_high": effect["ci_high"],
            "hr_p_value": effect["p_value"],
            "converged": self.converged_,
            "message": self.message_,
        }
