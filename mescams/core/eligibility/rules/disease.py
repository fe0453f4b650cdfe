"""Rules on disease activity: relapses and gadolinium-enhancing lesions in a window, and EDSS.

EDSS "at randomisation" is the latest assessment dated within the look-back (90 days up to ``on``); two
assessments on that same date resolve to the higher score, so the choice never depends on list order. An EDSS
increase is measured against the lowest earlier assessment in the window (the contract's "some earlier assessment
... lower by at least" is exactly "the lowest one is").
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlglot import exp

from mescams.core.eligibility.dates import Window
from mescams.core.eligibility.record import EdssAssessment, PatientRecord
from mescams.core.eligibility.rules.base import Evaluation, Rule
from mescams.core.eligibility.sql import PATIENT_KEY, SqlContext, tri
from mescams.core.eligibility.verdict import Verdict, met, not_met, unknown

__all__ = ["EdssBetween", "EdssIncrease", "GelWithin", "RelapsesWithin", "edss_at_randomisation"]


def _between(column: str, start: dt.date, ctx: SqlContext) -> exp.Expr:
    """``start < column <= on``."""
    col = exp.column(column)
    return exp.and_(exp.GT(this=col, expression=ctx.date(start)), exp.LTE(this=col.copy(), expression=ctx.on_literal))


def _gte(value: exp.Expr, threshold: int | float) -> exp.Expr:
    return exp.GTE(this=value, expression=exp.Literal.number(threshold))


@dataclass(frozen=True)
class RelapsesWithin(Rule):
    """At least ``at_least`` relapses with onset in the window. With ``documented_only``, relapses explicitly
    marked ``clinically_documented: false`` do not count (the record's "clinically documented relapse")."""

    window: Window
    at_least: int = 1
    documented_only: bool = False

    def _counts(self, relapse_documented: bool | None) -> bool:
        return not self.documented_only or relapse_documented is not False

    def evaluate(self, ev: Evaluation) -> Verdict:
        if ev.record.relapses is None:
            return unknown("relapse history not recorded")
        hits = sorted(r.onset_date for r in ev.record.relapses
                      if self.window.contains(r.onset_date, ev.on) and self._counts(r.clinically_documented))
        span = f"within {self.window.describe()} before {ev.on}"
        if len(hits) >= self.at_least:
            return met(f"{len(hits)} relapse(s) {span} (latest {hits[-1]})")
        past = [r.onset_date for r in ev.record.relapses if r.onset_date <= ev.on]
        last = f"last relapse {max(past)} is {(ev.on - max(past)).days} days before {ev.on}; " if past else ""
        return not_met(f"{last}{len(hits)} relapse(s) {span}, {self.at_least} needed")

    def to_sql(self, ctx: SqlContext) -> exp.Expr:
        cond = _between("onset_date", self.window.start(ctx.on), ctx)
        if self.documented_only:
            cond = exp.and_(cond, exp.func("COALESCE", exp.column("clinically_documented"), exp.true()))
        return tri(ctx.recorded("relapses"), _gte(ctx.count_where("relapses", cond), self.at_least))


@dataclass(frozen=True)
class GelWithin(Rule):
    """An MRI in the window with at least ``min_gel`` gadolinium-enhancing lesions."""

    window: Window
    min_gel: int = 1

    def evaluate(self, ev: Evaluation) -> Verdict:
        if ev.record.mri is None:
            return unknown("MRI history not recorded")
        scans = [m for m in ev.record.mri if self.window.contains(m.date, ev.on)]
        span = f"within {self.window.describe()} before {ev.on}"
        hits = sorted(m.date for m in scans if m.gel_count is not None and m.gel_count >= self.min_gel)
        if hits:
            return met(f"MRI on {hits[-1]} with >= {self.min_gel} GEL {span}")
        if any(m.gel_count is None for m in scans):
            return unknown(f"MRI {span} without a GEL count")
        return not_met(f"no MRI with >= {self.min_gel} GEL {span} ({len(scans)} scan(s))")

    def to_sql(self, ctx: SqlContext) -> exp.Expr:
        inside = _between("scan_date", self.window.start(ctx.on), ctx)
        hits = ctx.count_where("mri", exp.and_(inside, _gte(exp.column("gel_count"), self.min_gel)))
        blanks = ctx.count_where("mri", exp.and_(inside.copy(), exp.column("gel_count").is_(exp.null())))
        zero = exp.Literal.number(0)
        return tri(ctx.recorded("mri"), exp.Case(
            ifs=[exp.If(this=exp.GT(this=hits, expression=zero), true=exp.true()),
                 exp.If(this=exp.GT(this=blanks, expression=zero.copy()), true=exp.null())],
            default=exp.false(),
        ))


def edss_at_randomisation(record: PatientRecord, on: dt.date, lookback_days: int) -> EdssAssessment | None:
    """The latest assessment with on - lookback < date <= on (the higher score on a tie), or None."""
    window = Window(days=lookback_days)
    inside = [a for a in record.edss or () if window.contains(a.date, on)]
    if not inside:
        return None
    return max(inside, key=lambda a: (a.date, a.score))


def _edss_summary_sql(ctx: SqlContext, lookback_days: int, increase_since: dt.date | None = None) -> str:
    """Alias of one relation over the EDSS table: ``rand_date`` and ``rand_score`` (as
    :func:`edss_at_randomisation`), and for each requested window start ``s`` a column ``lowest_since_<s>``: the
    lowest score dated after ``s`` and before ``rand_date``. One read of the table serves I1 and I4."""
    key = f"edss_summary:{lookback_days}"
    wanted = ctx.requests(key)
    if increase_since is not None:
        wanted.add(increase_since)
    rand_start = Window(days=lookback_days).start(ctx.on)

    def build() -> exp.Select:
        date, score = exp.column("assessment_date"), exp.column("score")
        in_lookback = exp.GT(this=date.copy(), expression=ctx.date(rand_start))
        latest = exp.Window(this=exp.Max(this=exp.Case(ifs=[exp.If(this=in_lookback, true=date.copy())])),
                            partition_by=[exp.column(PATIENT_KEY)])
        oldest = min([rand_start, *wanted])
        rows = (exp.select(PATIENT_KEY, "assessment_date", "score", latest.as_("rand_date")).from_("edss")
                .where(_between("assessment_date", oldest, ctx)))
        rand = exp.column("rand_date")
        columns = [exp.Max(this=rand.copy()).as_("rand_date"),
                   exp.Filter(this=exp.Max(this=score.copy()),
                              expression=exp.Where(this=exp.EQ(this=date.copy(), expression=rand.copy()))
                              ).as_("rand_score")]
        for since in sorted(wanted):
            earlier = exp.and_(exp.GT(this=date.copy(), expression=ctx.date(since)),
                               exp.LT(this=date.copy(), expression=rand.copy()))
            columns.append(exp.Filter(this=exp.Min(this=score.copy()), expression=exp.Where(this=earlier))
                           .as_(f"lowest_since_{since:%Y%m%d}"))
        return exp.select(PATIENT_KEY, *columns).from_(rows.subquery("edss_rows")).group_by(PATIENT_KEY)

    return ctx.relation(key, build)


@dataclass(frozen=True)
class EdssBetween(Rule):
    """EDSS at randomisation from ``low`` to ``high`` inclusive."""

    low: float
    high: float
    lookback_days: int = 90

    def evaluate(self, ev: Evaluation) -> Verdict:
        at = edss_at_randomisation(ev.record, ev.on, self.lookback_days)
        if at is None:
            return unknown(f"no EDSS within {self.lookback_days} days up to {ev.on}")
        text = f"EDSS {at.score:g} on {at.date}"
        if self.low <= at.score <= self.high:
            return met(f"{text} is within {self.low:g}-{self.high:g}")
        return not_met(f"{text} is outside {self.low:g}-{self.high:g}")

    def to_sql(self, ctx: SqlContext) -> exp.Expr:
        score = ctx.column(_edss_summary_sql(ctx, self.lookback_days), "rand_score")
        return exp.Between(this=score, low=exp.Literal.number(self.low), high=exp.Literal.number(self.high))


@dataclass(frozen=True)
class EdssIncrease(Rule):
    """An increase to the EDSS at randomisation from some earlier assessment in the window: at least ``low``
    points when that EDSS is below ``high_from``, at least ``high`` points from ``high_from`` up."""

    window: Window
    low: float = 1.0
    high: float = 0.5
    high_from: float = 5.5
    lookback_days: int = 90

    def threshold(self, score: float) -> float:
        return self.high if score >= self.high_from else self.low

    def evaluate(self, ev: Evaluation) -> Verdict:
        at = edss_at_randomisation(ev.record, ev.on, self.lookback_days)
        if at is None:
            return unknown(f"no EDSS within {self.lookback_days} days up to {ev.on}")
        earlier = [a for a in ev.record.edss or () if self.window.contains(a.date, ev.on) and a.date < at.date]
        if not earlier:
            return unknown(f"no EDSS before {at.date} within {self.window.describe()} before {ev.on}")
        lowest = min(earlier, key=lambda a: (a.score, a.date))
        need = self.threshold(at.score)
        text = f"EDSS {lowest.score:g} on {lowest.date} to {at.score:g} on {at.date}"
        if at.score - lowest.score >= need:
            return met(f"EDSS increase {text} (>= {need:g} needed)")
        return not_met(f"no EDSS increase of >= {need:g} in {self.window.describe()}: lowest {text}")

    def to_sql(self, ctx: SqlContext) -> exp.Expr:
        since = self.window.start(ctx.on)
        summary = _edss_summary_sql(ctx, self.lookback_days, since)
        score = ctx.column(summary, "rand_score")
        need = exp.Case(ifs=[exp.If(this=exp.GTE(this=score, expression=exp.Literal.number(self.high_from)),
                                    true=exp.Literal.number(self.high))], default=exp.Literal.number(self.low))
        rise = exp.Sub(this=score.copy(), expression=ctx.column(summary, f"lowest_since_{since:%Y%m%d}"))
        return exp.GTE(this=rise, expression=need)
