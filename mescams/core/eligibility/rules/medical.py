"""Rules on medical history: recorded conditions, malignancy with remission, allergies, and the latest lab result.

A list that is recorded decides (an empty list is "none"); a list that is absent leaves the rule unknown. The
latest lab result is the latest one dated on or before ``on``; several results on that date are read together
(any low eGFR, any clinically significant WBC).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from sqlglot import exp

from mescams.core.eligibility.dates import add_months
from mescams.core.eligibility.record import LabResult
from mescams.core.eligibility.rules.base import Evaluation, Rule
from mescams.core.eligibility.sql import SqlContext, tri
from mescams.core.eligibility.verdict import Verdict, met, not_met, unknown

__all__ = ["AllergyTo", "HasCondition", "LatestLabBelow", "LatestLabFlagged", "MalignancyHistory", "latest_results"]


def _names(items: Iterable[str]) -> str:
    return ", ".join(sorted(items))


def _positive(count: exp.Expr) -> exp.Expr:
    return exp.GT(this=count, expression=exp.Literal.number(0))


@dataclass(frozen=True)
class HasCondition(Rule):
    """Any of ``codes`` in the recorded medical history."""

    codes: frozenset[str]

    def evaluate(self, ev: Evaluation) -> Verdict:
        if ev.record.conditions is None:
            return unknown("medical history not recorded")
        hits = sorted({c.code for c in ev.record.conditions if c.code in self.codes})
        if hits:
            return met(f"history of {', '.join(hits)}")
        return not_met(f"no {_names(self.codes)} in medical history")

    def to_sql(self, ctx: SqlContext) -> exp.Expr:
        hits = ctx.count_where("conditions", exp.column("code").isin(*sorted(self.codes)))
        return tri(ctx.recorded("conditions"), _positive(hits))


@dataclass(frozen=True)
class MalignancyHistory(Rule):
    """A malignancy, or an ``exempt`` one (basal cell carcinoma, carcinoma in situ) not in remission for
    ``min_remission_years`` whole years before ``on``. An exempt one with no remission date and not recorded as
    active is unknown."""

    codes: frozenset[str]
    exempt: frozenset[str]
    min_remission_years: int = 1

    def cutoff(self, on: dt.date) -> dt.date:
        """Remission dated on or before this day has lasted the required whole years at ``on``."""
        return add_months(on, -12 * self.min_remission_years)

    def evaluate(self, ev: Evaluation) -> Verdict:
        if ev.record.conditions is None:
            return unknown("medical history not recorded")
        cutoff = self.cutoff(ev.on)
        found = [c for c in ev.record.conditions if c.code in self.codes]
        if found:
            return met(f"history of {found[0].code}")
        unsure = []
        for c in ev.record.conditions:
            if c.code not in self.exempt:
                continue
            if c.active is True:
                return met(f"{c.code} recorded as active")
            if c.remission_date is None:
                unsure.append(c.code)
            elif c.remission_date > cutoff:
                return met(f"{c.code} in remission only since {c.remission_date}, "
                           f"less than {self.min_remission_years} year(s) before {ev.on}")
        if unsure:
            return unknown(f"{', '.join(unsure)} without a remission date")
        return not_met(f"no malignancy, or in remission since on or before {cutoff}")

    def to_sql(self, ctx: SqlContext) -> exp.Expr:
        exempt = exp.column("code").isin(*sorted(self.exempt))
        active = exp.EQ(this=exp.column("active"), expression=exp.true())
        recent = exp.GT(this=exp.column("remission_date"), expression=ctx.date(self.cutoff(ctx.on)))
        hits = ctx.count_where("conditions", exp.or_(
            exp.column("code").isin(*sorted(self.codes)),
            exp.and_(exempt, exp.Paren(this=exp.or_(active, recent))),
        ))
        not_active = exp.EQ(this=exp.func("COALESCE", exp.column("active"), exp.false()), expression=exp.false())
        unsure = ctx.count_where("conditions", exp.and_(exempt.copy(), not_active,
                                                        exp.column("remission_date").is_(exp.null())))
        return tri(ctx.recorded("conditions"), exp.Case(
            ifs=[exp.If(this=_positive(hits), true=exp.true()), exp.If(this=_positive(unsure), true=exp.null())],
            default=exp.false(),
        ))


@dataclass(frozen=True)
class AllergyTo(Rule):
    """A recorded allergy to any of ``substances``."""

    substances: frozenset[str]

    def evaluate(self, ev: Evaluation) -> Verdict:
        if ev.record.allergies is None:
            return unknown("allergies not recorded")
        hits = sorted(set(ev.record.allergies) & self.substances)
        return met(f"allergy to {', '.join(hits)}") if hits else not_met(f"no allergy to {_names(self.substances)}")

    def to_sql(self, ctx: SqlContext) -> exp.Expr:
        hits = ctx.count_where("allergies", exp.column("substance").isin(*sorted(self.substances)))
        return tri(ctx.recorded("allergies"), _positive(hits))


def latest_results(labs: Iterable[LabResult], test: str, on: dt.date) -> list[LabResult]:
    """The results of ``test`` on the latest date on or before ``on`` (empty if none)."""
    dated = [r for r in labs if r.test == test and r.date <= on]
    if not dated:
        return []
    last = max(r.date for r in dated)
    return [r for r in dated if r.date == last]


def _latest_date_where(ctx: SqlContext, test: str, condition: exp.Expr | None = None) -> exp.Expr:
    """The latest ``test`` sample date on or before ``on`` among the results where ``condition`` holds.

    Comparing such dates answers "does some result on the latest date satisfy ...?" in the single grouped pass over
    ``labs``: it does exactly when the latest date among those results is the latest date of all results.
    """
    where = exp.and_(exp.EQ(this=exp.column("test"), expression=exp.Literal.string(test)),
                     exp.LTE(this=exp.column("sample_date"), expression=ctx.on_literal))
    if condition is not None:
        where = exp.and_(where, condition)
    return ctx.aggregate("labs", exp.Filter(this=exp.Max(this=exp.column("sample_date")),
                                            expression=exp.Where(this=where)))


@dataclass(frozen=True)
class LatestLabBelow(Rule):
    """The latest ``test`` result is below ``limit`` (``unit``)."""

    test: str
    limit: float
    unit: str

    def evaluate(self, ev: Evaluation) -> Verdict:
        results = latest_results(ev.record.labs or (), self.test, ev.on)
        if not results:
            return unknown(f"no {self.test} result on or before {ev.on}")
        low = min(results, key=lambda r: r.value)
        text = f"{self.test} {low.value:g} {self.unit} on {low.date}"
        return met(f"{text} < {self.limit:g}") if low.value < self.limit else not_met(f"{text} >= {self.limit:g}")

    def to_sql(self, ctx: SqlContext) -> exp.Expr:
        latest = _latest_date_where(ctx, self.test)
        below = exp.LT(this=exp.column("value"), expression=exp.Literal.number(self.limit))
        low = _latest_date_where(ctx, self.test, below)
        return tri(latest.is_(exp.null()).not_(), exp.func("COALESCE", exp.EQ(this=low, expression=latest.copy()),
                                                           exp.false()))


@dataclass(frozen=True)
class LatestLabFlagged(Rule):
    """The latest ``test`` result is flagged clinically significant."""

    test: str

    def evaluate(self, ev: Evaluation) -> Verdict:
        results = latest_results(ev.record.labs or (), self.test, ev.on)
        if not results:
            return unknown(f"no {self.test} result on or before {ev.on}")
        day = results[0].date
        flags = [r.clinically_significant for r in results]
        if True in flags:
            return met(f"{self.test} on {day} clinically significant")
        if None in flags:
            return unknown(f"{self.test} on {day} not assessed for clinical significance")
        return not_met(f"{self.test} on {day} not clinically significant")

    def to_sql(self, ctx: SqlContext) -> exp.Expr:
        flag = exp.column("clinically_significant")
        latest = _latest_date_where(ctx, self.test)
        flagged = _latest_date_where(ctx, self.test, exp.EQ(this=flag, expression=exp.true()))
        unassessed = _latest_date_where(ctx, self.test, flag.copy().is_(exp.null()))
        return exp.Case(ifs=[
            exp.If(this=latest.is_(exp.null()), true=exp.null()),
            exp.If(this=exp.EQ(this=flagged, expression=latest.copy()), true=exp.true()),
            exp.If(this=exp.EQ(this=unassessed, expression=latest.copy()), true=exp.null()),
        ], default=exp.false())
