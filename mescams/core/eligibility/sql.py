"""What a rule needs to state its SQL form: the registry's tables and a context that assembles one query.

A rule's SQL form is a boolean expression over one patient row: TRUE is met, FALSE not met, NULL unknown (SQL's
three-valued logic is Kleene's, like :mod:`.verdict`). Rules ask the context for per-patient facts instead of
writing joins: :meth:`SqlContext.count_where` adds a filtered ``COUNT(*)`` to the one grouped pass over a child
table, and :meth:`SqlContext.relation` adds a keyed sub-query (for windows such as "latest EDSS") that is
LEFT JOINed once. Window edges are computed in Python (:mod:`.dates`) and written as DATE literals, so no dialect's
date arithmetic decides a boundary. The expressions are sqlglot trees; :mod:`.compile` transpiles them per dialect.

The registry layout (one table per list of the patient record) is documented in ``docs/registry.md``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from sqlglot import exp

__all__ = ["LIST_TABLES", "PATIENT_ID", "PATIENT_KEY", "SqlContext", "completed_years_sql", "date_literal", "tri"]

PATIENT_KEY = "patient_key"  # integer surrogate key: every join and grouping uses it
PATIENT_ID = "patient_id"  # the record's id, carried on the patients table only

# Record list -> registry table; each patient row has a ``<table>_recorded`` flag (list present even if empty).
LIST_TABLES = ("relapses", "mri", "edss", "therapies", "conditions", "allergies", "labs")


def date_literal(day: dt.date) -> exp.Expr:
    return exp.cast(exp.Literal.string(day.isoformat()), exp.DataType.Type.DATE)


def tri(known: exp.Expr, value: exp.Expr) -> exp.Expr:
    """``value`` where ``known`` holds, NULL (unknown) where it does not."""
    return exp.Case(ifs=[exp.If(this=exp.not_(known), true=exp.null())], default=value)


def completed_years_sql(start: exp.Expr, end: exp.Expr) -> exp.Expr:
    """Whole completed years from ``start`` to ``end`` (the anniversary counts), as :func:`.dates.completed_years`."""
    before_anniversary = exp.or_(
        exp.LT(this=exp.Month(this=end.copy()), expression=exp.Month(this=start.copy())),
        exp.and_(
            exp.EQ(this=exp.Month(this=end.copy()), expression=exp.Month(this=start.copy())),
            exp.LT(this=exp.Day(this=end.copy()), expression=exp.Day(this=start.copy())),
        ),
    )
    years = exp.Sub(this=exp.Year(this=end.copy()), expression=exp.Year(this=start.copy()))
    minus = exp.Case(ifs=[exp.If(this=before_anniversary, true=exp.Literal.number(1))], default=exp.Literal.number(0))
    return exp.Paren(this=exp.Sub(this=years, expression=minus))


class SqlContext:
    """Collects what the rules of one query need, then builds the FROM clause with its joins."""

    def __init__(self, on: dt.date, patients_alias: str = "p") -> None:
        self.on = on
        self.patients_alias = patients_alias
        self._aggregates: dict[str, dict[str, tuple[str, exp.Expr]]] = {}
        self._relations: dict[str, tuple[str, Callable[[], exp.Select]]] = {}
        self._requests: dict[str, set[Any]] = {}

    # -- values --------------------------------------------------------------------------------------------
    @property
    def on_literal(self) -> exp.Expr:
        return date_literal(self.on)

    def date(self, day: dt.date) -> exp.Expr:
        return date_literal(day)

    def patient(self, column: str) -> exp.Column:
        """A column of the patient row (``patients`` table)."""
        return exp.column(column, table=self.patients_alias)

    # -- child tables ----------------------------------------------------------------------------------------
    def aggregate(self, table: str, aggregate: exp.Expr) -> exp.Column:
        """Add ``aggregate`` (over the rows of ``table`` of one patient) to that table's grouped pass."""
        columns = self._aggregates.setdefault(table, {})
        key = aggregate.sql()
        if key not in columns:
            columns[key] = (f"a{len(columns)}", aggregate)
        return exp.column(columns[key][0], table=f"agg_{table}")

    def count_where(self, table: str, condition: exp.Expr) -> exp.Expr:
        """How many rows of ``table`` the patient has where ``condition`` holds (0 when none)."""
        count: exp.Expr = exp.Count(this=exp.Star())
        if not isinstance(condition, exp.Boolean):
            count = exp.Filter(this=count, expression=exp.Where(this=condition))
        return exp.func("COALESCE", self.aggregate(table, count), exp.Literal.number(0))

    def recorded(self, table: str) -> exp.Expr:
        """Whether the record holds the list at all: its ``<table>_recorded`` flag, or any row of it."""
        flag = exp.func("COALESCE", self.patient(f"{table}_recorded"), exp.false())
        rows = exp.GT(this=self.count_where(table, exp.true()), expression=exp.Literal.number(0))
        return exp.Paren(this=exp.or_(flag, rows))

    def relation(self, key: str, build: Callable[[], exp.Select]) -> str:
        """A per-patient sub-query (one row per ``patient_key`` at most), LEFT JOINed once; returns its alias.

        ``build`` runs when the query is assembled, after every rule has stated itself, so rules that share a
        relation can first record what they need from it in :meth:`requests`.
        """
        if key not in self._relations:
            self._relations[key] = (f"rel_{len(self._relations)}", build)
        return self._relations[key][0]

    def requests(self, key: str) -> set[Any]:
        """A set that the rules sharing relation ``key`` fill with what they need from it."""
        return self._requests.setdefault(key, set())

    def column(self, alias: str, name: str) -> exp.Column:
        return exp.column(name, table=alias)

    # -- assembly --------------------------------------------------------------------------------------------
    def ctes(self) -> list[tuple[str, exp.Select]]:
        """The grouped passes and keyed sub-queries the rules asked for, as (alias, query)."""
        out: list[tuple[str, exp.Select]] = []
        for table, columns in self._aggregates.items():
            select = exp.select(exp.column(PATIENT_KEY), *(agg.as_(name) for name, agg in columns.values()))
            out.append((f"agg_{table}", select.from_(table).group_by(exp.column(PATIENT_KEY))))
        out.extend((alias, build()) for alias, build in self._relations.values())
        return out

    def joined_from(self, select: exp.Select) -> exp.Select:
        """``select`` FROM patients, LEFT JOINed to every CTE on the patient key."""
        select = select.from_(exp.alias_(exp.to_table("patients"), self.patients_alias, table=True), copy=False)
        aliases = [f"agg_{table}" for table in self._aggregates] + [alias for alias, _ in self._relations.values()]
        for alias in aliases:
            on = exp.EQ(this=exp.column(PATIENT_KEY, table=alias), expression=self.patient(PATIENT_KEY))
            select = select.join(exp.to_table(alias), on=on, join_type="left", copy=False)
        return select
