"""Compile the criteria's rule objects into one SQL query over a registry, for any dialect sqlglot writes.

The query returns one row per patient, in ``patient_key`` order: ``patient_id``, a boolean column per criterion
(lower-case id: ``i1`` ... ``e18``; TRUE met, FALSE not met, NULL unknown) and ``eligible`` (Kleene AND of the
inclusions and the negated exclusions, which is the contract's rule). The SQL is never written by hand: each rule
states its own form through :class:`~mescams.core.eligibility.sql.SqlContext`, which adds one grouped pass per
child table and a few keyed sub-queries, all LEFT JOINed to ``patients`` on the integer ``patient_key``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from sqlglot import exp

from mescams.core.eligibility.criteria import Criterion
from mescams.core.eligibility.sql import PATIENT_ID, PATIENT_KEY, SqlContext

__all__ = ["DIALECTS", "compile_query", "compile_sql", "criterion_column"]

DIALECTS = {"duckdb": "duckdb", "postgres": "postgres", "spark": "spark"}


def criterion_column(criterion_id: str) -> str:
    return criterion_id.lower()


def compile_query(criteria: Sequence[Criterion], on: dt.date) -> exp.Select:
    """The per-patient verdict query as a sqlglot tree (dialect-neutral)."""
    ctx = SqlContext(on)
    columns = [exp.alias_(exp.Paren(this=c.rule.to_sql(ctx)), criterion_column(c.id)) for c in criteria]
    verdicts = ctx.joined_from(exp.select(ctx.patient(PATIENT_KEY), ctx.patient(PATIENT_ID), *columns))
    parts = [exp.column(criterion_column(c.id)) if c.kind == "inclusion"
             else exp.not_(exp.column(criterion_column(c.id))) for c in criteria]
    eligible = exp.and_(*parts).as_("eligible")
    query = (exp.select(PATIENT_ID, *(criterion_column(c.id) for c in criteria), eligible)
             .from_(verdicts.subquery("verdicts")).order_by(PATIENT_KEY))
    for alias, cte in ctx.ctes():
        query = query.with_(alias, as_=cte, copy=False)
    return query


def compile_sql(criteria: Sequence[Criterion], on: dt.date, dialect: str, pretty: bool = True) -> str:
    """The per-patient verdict query as SQL text for ``dialect`` (duckdb, postgres or spark)."""
    if dialect not in DIALECTS:
        raise ValueError(f"unknown SQL dialect {dialect!r}; expected one of {sorted(DIALECTS)}")
    return compile_query(criteria, on).sql(dialect=DIALECTS[dialect], pretty=pretty)
