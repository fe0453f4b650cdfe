"""Rules on treatment history: coverage by a drug class, use within a window, use ever, and wash-outs.

A therapy counts as "within" a window when it started on or before ``on`` and was ongoing (no end date, or an end
date after the window's start). Coverage is the number of calendar days, both ends included, in the union of the
class's treatment intervals, each cut at ``on`` (ongoing ones run to ``on``); overlapping courses are not double
counted. Therapies starting after ``on`` have not happened yet and are ignored everywhere.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from sqlglot import exp

from mescams.core.eligibility.dates import Window
from mescams.core.eligibility.record import Therapy
from mescams.core.eligibility.rules.base import Evaluation, Rule
from mescams.core.eligibility.sql import PATIENT_KEY, SqlContext, tri
from mescams.core.eligibility.verdict import Verdict, met, not_met, unknown

__all__ = ["TherapyCoverage", "TherapyEver", "TherapyWithin", "TherapyWithoutWashout", "covered_days"]


def _started(ctx: SqlContext) -> exp.Expr:
    return exp.LTE(this=exp.column("start_date"), expression=ctx.on_literal)


def _drug_in(drugs: Iterable[str]) -> exp.Expr:
    return exp.column("drug").isin(*sorted(drugs))


def _any_row(ctx: SqlContext, condition: exp.Expr) -> exp.Expr:
    hits = ctx.count_where("therapies", condition)
    return tri(ctx.recorded("therapies"), exp.GT(this=hits, expression=exp.Literal.number(0)))


def _names(drugs: Iterable[str]) -> str:
    return ", ".join(sorted(drugs))


def covered_days(therapies: Iterable[Therapy], drugs: frozenset[str], on: dt.date) -> int:
    """Days (both ends counted) covered by the union of the ``drugs`` intervals, each cut at ``on``."""
    spans = sorted((t.start_date, min(t.end_date or on, on)) for t in therapies
                   if t.drug in drugs and t.start_date <= on)
    total, current = 0, None
    for start, end in spans:
        if current is not None and start <= current[1]:
            current = (current[0], max(current[1], end))
            continue
        if current is not None:
            total += (current[1] - current[0]).days + 1
        current = (start, end)
    if current is not None:
        total += (current[1] - current[0]).days + 1
    return total


@dataclass(frozen=True)
class TherapyCoverage(Rule):
    """At least ``min_days`` of treatment with the ``drugs`` class (union of intervals up to ``on``)."""

    drugs: frozenset[str]
    min_days: int

    def evaluate(self, ev: Evaluation) -> Verdict:
        if ev.record.therapies is None:
            return unknown("therapy history not recorded")
        days = covered_days(ev.record.therapies, self.drugs, ev.on)
        text = f"{days} days of approved therapy up to {ev.on} (>= {self.min_days} needed)"
        return met(text) if days >= self.min_days else not_met(text)

    def to_sql(self, ctx: SqlContext) -> exp.Expr:
        on = ctx.on_literal

        def build() -> exp.Select:
            # Sorted by start, the days interval i adds to the union are those after the running maximum end of
            # the intervals before it (the interval reaching that maximum started no later, so it covers up to it).
            # The order among equal starts does not change the total, so the start alone is the sort key.
            end = exp.Case(ifs=[exp.If(this=exp.or_(exp.column("end_date").is_(exp.null()),
                                                    exp.GT(this=exp.column("end_date"), expression=on.copy())),
                                       true=on.copy())], default=exp.column("end_date"))
            spans = (exp.select(PATIENT_KEY, exp.column("start_date").as_("s"), end.as_("e"))
                     .from_("therapies").where(exp.and_(_drug_in(self.drugs), _started(ctx))))
            order = exp.Order(expressions=[exp.Ordered(this=exp.column("s"))])
            before = exp.WindowSpec(kind="ROWS", start="UNBOUNDED", start_side="PRECEDING",
                                    end=exp.Literal.number(1), end_side="PRECEDING")
            prev_end = exp.Window(this=exp.Max(this=exp.column("e")), partition_by=[exp.column(PATIENT_KEY)],
                                  order=order, spec=before)
            with_prev = exp.select(PATIENT_KEY, "s", "e", prev_end.as_("prev_end")).from_(spans.subquery("spans"))
            s, e, prev = exp.column("s"), exp.column("e"), exp.column("prev_end")

            def days(first: exp.Expr, last: exp.Expr) -> exp.Expr:
                return exp.DateDiff(this=last, expression=first, unit=exp.var("DAY"))

            added = exp.Case(ifs=[
                exp.If(this=exp.or_(prev.is_(exp.null()), exp.GT(this=s, expression=prev.copy())),
                       true=exp.Add(this=days(s.copy(), e.copy()), expression=exp.Literal.number(1))),
                exp.If(this=exp.GT(this=e.copy(), expression=prev.copy()), true=days(prev.copy(), e.copy())),
            ], default=exp.Literal.number(0))
            return (exp.select(PATIENT_KEY, exp.Sum(this=added).as_("covered_days"))
                    .from_(with_prev.subquery("with_prev")).group_by(PATIENT_KEY))

        alias = ctx.relation(f"coverage:{_names(self.drugs)}", build)
        days = exp.func("COALESCE", ctx.column(alias, "covered_days"), exp.Literal.number(0))
        return tri(ctx.recorded("therapies"), exp.GTE(this=days, expression=exp.Literal.number(self.min_days)))


@dataclass(frozen=True)
class TherapyWithin(Rule):
    """A ``drugs`` therapy ongoing within the window before ``on``."""

    drugs: frozenset[str]
    window: Window
    label: str = "therapy"

    def evaluate(self, ev: Evaluation) -> Verdict:
        if ev.record.therapies is None:
            return unknown("therapy history not recorded")
        start = self.window.start(ev.on)
        hits = [t for t in ev.record.therapies if t.drug in self.drugs and t.start_date <= ev.on
                and (t.end_date is None or t.end_date > start)]
        span = f"within {self.window.describe()} before {ev.on}"
        if hits:
            t = max(hits, key=lambda h: (h.end_date or ev.on, h.drug))
            until = "ongoing" if t.end_date is None else f"ended {t.end_date}"
            return met(f"{t.drug} ({until}) {span}")
        return not_met(f"no {self.label} {span}")

    def to_sql(self, ctx: SqlContext) -> exp.Expr:
        start = ctx.date(self.window.start(ctx.on))
        ongoing = exp.or_(exp.column("end_date").is_(exp.null()), exp.GT(this=exp.column("end_date"), expression=start))
        return _any_row(ctx, exp.and_(_drug_in(self.drugs), _started(ctx), exp.Paren(this=ongoing)))


@dataclass(frozen=True)
class TherapyEver(Rule):
    """Any ``drugs`` therapy started on or before ``on``."""

    drugs: frozenset[str]

    def evaluate(self, ev: Evaluation) -> Verdict:
        if ev.record.therapies is None:
            return unknown("therapy history not recorded")
        hits = sorted((t.start_date, t.drug) for t in ev.record.therapies
                      if t.drug in self.drugs and t.start_date <= ev.on)
        if hits:
            return met(f"{hits[0][1]} started {hits[0][0]}")
        return not_met(f"no {_names(self.drugs)} ever")

    def to_sql(self, ctx: SqlContext) -> exp.Expr:
        return _any_row(ctx, exp.and_(_drug_in(self.drugs), _started(ctx)))


@dataclass(frozen=True)
class TherapyWithoutWashout(Rule):
    """Any course of ``drug`` without an accelerated elimination by one of ``methods``.

    The record has no "none" value for the elimination: a course with none recorded had none.
    """

    drug: str
    methods: frozenset[str]

    def evaluate(self, ev: Evaluation) -> Verdict:
        if ev.record.therapies is None:
            return unknown("therapy history not recorded")
        courses = [t for t in ev.record.therapies if t.drug == self.drug and t.start_date <= ev.on]
        bare = sorted(t.start_date for t in courses if t.accelerated_elimination not in self.methods)
        if bare:
            return met(f"{self.drug} started {bare[0]} without accelerated elimination ({_names(self.methods)})")
        if courses:
            return not_met(f"every {self.drug} course followed by accelerated elimination")
        return not_met(f"no {self.drug} use")

    def to_sql(self, ctx: SqlContext) -> exp.Expr:
        method = exp.column("accelerated_elimination")
        bare = exp.or_(method.is_(exp.null()), exp.not_(method.copy().isin(*sorted(self.methods))))
        same = exp.EQ(this=exp.column("drug"), expression=exp.Literal.string(self.drug))
        return _any_row(ctx, exp.and_(same, _started(ctx), exp.Paren(this=bare)))
