"""Feasibility over an OMOP CDM: open a source, resolve the concept sets, and run either engine.

A source is a DuckDB file, a folder of Parquet files (``<table>.parquet`` or ``<table>/*.parquet``) or a
PostgreSQL URL. The SQL engine runs one query: the mapping CTEs of :mod:`.mapping` under the query the rule
objects compile to (:func:`mescams.core.eligibility.compile.compile_query`), transpiled by sqlglot for the
source's dialect. The reference engine reads plain rows and applies the Python mapping and the Python rules. Both
return :class:`OmopRun` (per-person statuses in person_id order, and each person's care site).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from sqlglot import exp

from mescams.core.eligibility import Criterion, Status, assess, criterion_column
from mescams.core.eligibility.compile import DIALECTS, compile_query
from mescams.errors import InputValidationError
from mescams.prescreen.omop.concepts import ConceptFile, Resolved, load_concepts, resolve
from mescams.prescreen.omop.inputs import Restriction, restrict_criteria, restrict_criteria_at_run_time
from mescams.prescreen.omop.mapping import mapping_ctes, records_from_rows, site_query
from mescams.prescreen.omop.members import ResolvedMembers, RuntimeMembers
from mescams.prescreen.verdicts import Verdicts

__all__ = ["OMOP_TABLES", "OmopRun", "Source", "compile_omop_sql", "compile_sourceless_sql", "open_source", "prepare",
           "run_reference", "run_sql"]

OMOP_TABLES = ("person", "observation_period", "visit_occurrence", "condition_occurrence", "drug_exposure",
               "measurement", "observation", "procedure_occurrence", "concept", "concept_ancestor")
Array = np.ndarray[Any, Any]
_CODE = {Status.MET: 1, Status.NOT_MET: 0, Status.UNKNOWN: -1}
_ELIGIBLE = {True: 1, False: 0, None: -1}


class Source:
    """An open OMOP database: ``dialect`` (duckdb or postgres), rows and Arrow tables from SQL."""

    def __init__(self, location: str, *, threads: int | None = None) -> None:
        self.location = location
        if location.startswith(("postgresql://", "postgres://")):
            import psycopg

            self.dialect = "postgres"
            self._pg: Any = psycopg.connect(location, autocommit=True)
            self._duck: Any = None
            return
        import duckdb

        self.dialect = "duckdb"
        self._pg = None
        path = Path(location)
        config: dict[str, Any] = {"threads": threads} if threads else {}
        if path.is_dir():
            self._duck = duckdb.connect(config=config)
            for table in OMOP_TABLES:
                single, folder = path / f"{table}.parquet", path / table
                if single.is_file():
                    files = str(single.resolve())
                elif folder.is_dir():
                    files = str((folder / "*.parquet").resolve())
                else:
                    raise InputValidationError(f"{location}/{table}.parquet",
                                               "missing: an OMOP Parquet folder needs this table")
                escaped = files.replace("'", "''")
                self._duck.execute(f"CREATE VIEW {table} AS SELECT * FROM read_parquet('{escaped}')")
        elif path.is_file():
            config["access_mode"] = "READ_ONLY"
            self._duck = duckdb.connect(str(path), config=config)
        else:
            raise InputValidationError("SOURCE", f"{location!r} is neither a DuckDB file, a Parquet folder nor a "
                                                 "postgresql:// URL")
        self._duck.execute("SET enable_progress_bar = false")
        self._check_tables()

    def _check_tables(self) -> None:
        for table in OMOP_TABLES:
            try:
                self.rows(f"SELECT 1 FROM {table} WHERE 1 = 0")
            except Exception as exc:  # noqa: BLE001 - each driver has its own error type; the message says which
                raise InputValidationError(f"{self.location}: {table}", f"OMOP CDM table missing ({exc})") from None

    def rows(self, sql: str) -> list[tuple[Any, ...]]:
        if self._pg is not None:
            with self._pg.cursor() as cur:
                cur.execute(sql)
                return list(cur.fetchall())
        return list(self._duck.execute(sql).fetchall())

    def arrow(self, sql: str) -> pa.Table:
        if self._pg is not None:
            with self._pg.cursor() as cur:
                cur.execute(sql)
                names = [d.name for d in cur.description or ()]
                data = cur.fetchall()
            return pa.table({n: [r[i] for r in data] for i, n in enumerate(names)})
        table: pa.Table = self._duck.sql(sql).to_arrow_table()
        return table

    def close(self) -> None:
        if self._pg is not None:
            self._pg.close()
        if self._duck is not None:
            self._duck.close()


def open_source(location: str, *, threads: int | None = None) -> Source:
    return Source(location, threads=threads)


def resolve_in(source: Source, concepts: ConceptFile, *, allow_local: bool) -> Resolved:
    """The concept sets resolved in the source's own vocabulary tables."""
    codes = sorted({c.code for s in concepts.sets.values() for c in s.concepts})
    quoted = ", ".join("'" + c.replace("'", "''") + "'" for c in codes)
    concept_rows = source.rows("SELECT concept_id, vocabulary_id, concept_code, standard_concept FROM concept "
                               f"WHERE concept_code IN ({quoted})")
    roots = sorted({int(r[0]) for r in concept_rows})
    ancestor_rows = source.rows("SELECT ancestor_concept_id, descendant_concept_id FROM concept_ancestor "
                                f"WHERE ancestor_concept_id IN ({', '.join(map(str, roots)) or 'NULL'})")
    return resolve(concepts, [(int(a), str(b), str(c), d) for a, b, c, d in concept_rows],
                   [(int(a), int(b)) for a, b in ancestor_rows], allow_local=allow_local)


@dataclass
class Prepared:
    concepts: ConceptFile
    resolved: Resolved
    restriction: Restriction


def prepare(source: Source, criteria: Sequence[Criterion], *, concepts: ConceptFile | None = None,
            allow_local: bool = False) -> Prepared:
    file = concepts or load_concepts()
    resolved = resolve_in(source, file, allow_local=allow_local)
    return Prepared(file, resolved, restrict_criteria(tuple(criteria), file, resolved))


def _omop_query(criteria: Sequence[Criterion], ctes: list[tuple[str, exp.Expr]], on: dt.date, dialect: str,
                pretty: bool) -> str:
    if dialect not in DIALECTS:
        raise InputValidationError("--emit-sql", f"expected one of {sorted(DIALECTS)}, got {dialect!r}")
    query = compile_query(criteria, on)
    mapping = [exp.CTE(this=body, alias=exp.TableAlias(this=exp.to_identifier(name))) for name, body in ctes]
    query.args["with_"].set("expressions", mapping + list(query.args["with_"].expressions))
    return query.sql(dialect=DIALECTS[dialect], pretty=pretty)


def compile_omop_sql(prepared: Prepared, on: dt.date, dialect: str, *, pretty: bool = True) -> str:
    """The per-person verdict query over the OMOP tables, for ``dialect``, with the concept ids resolved in the
    source beforehand (literal id lists: the fastest plan)."""
    ctes = mapping_ctes(prepared.concepts, ResolvedMembers(prepared.resolved), on)
    return _omop_query(prepared.restriction.criteria, ctes, on, dialect, pretty)


def compile_sourceless_sql(criteria: Sequence[Criterion], on: dt.date, dialect: str, *,
                           concepts: ConceptFile | None = None, allow_local: bool = False,
                           pretty: bool = True) -> tuple[str, Restriction]:
    """The same query resolving the concept sets itself, in the vocabulary of whichever CDM runs it (``--emit-sql``
    without a SOURCE); also the restriction, whose gaps are the inputs missing whatever the vocabulary."""
    file = concepts or load_concepts()
    members = RuntimeMembers(file, allow_local=allow_local)
    restriction = restrict_criteria_at_run_time(tuple(criteria), file, members)
    return _omop_query(restriction.criteria, mapping_ctes(file, members, on), on, dialect, pretty), restriction


@dataclass
class OmopRun:
    """Statuses per person (person_id order), each person's care site, and what the source could not supply."""

    verdicts: Verdicts
    sites: Array
    prepared: Prepared


def _codes(column: pa.ChunkedArray) -> Array:
    return np.asarray(pc.fill_null(pc.cast(column, pa.int8()), -1).to_numpy(), dtype=np.int8)


def _sites(source: Source, on: dt.date) -> Array:
    rows = source.arrow(site_query(on).sql(dialect=DIALECTS[source.dialect]))
    return np.asarray(rows.column("site").to_numpy(zero_copy_only=False), dtype=object)


def run_sql(source: Source, on: dt.date, criteria: Sequence[Criterion], *, concepts: ConceptFile | None = None,
            allow_local: bool = False) -> OmopRun:
    """Run the compiled query in the source's own engine."""
    prepared = prepare(source, criteria, concepts=concepts, allow_local=allow_local)
    result = source.arrow(compile_omop_sql(prepared, on, source.dialect, pretty=False))
    kept = prepared.restriction.criteria
    status = {c.id: _codes(result.column(criterion_column(c.id))) for c in kept}
    verdicts = Verdicts(np.asarray(result.column("patient_id").to_numpy(zero_copy_only=False), dtype=object),
                        {c.id: c.kind for c in kept}, status, _codes(result.column("eligible")))
    return OmopRun(verdicts, _sites(source, on), prepared)


def _table_rows(source: Source) -> dict[str, list[tuple[Any, ...]]]:
    return {
        "person": source.rows("SELECT person_id, gender_concept_id, year_of_birth, month_of_birth, day_of_birth, "
                              "care_site_id FROM person ORDER BY person_id"),
        "observation_period": source.rows("SELECT person_id, observation_period_start_date, "
                                          "observation_period_end_date FROM observation_period"),
        "condition_occurrence": source.rows("SELECT condition_occurrence_id, person_id, condition_concept_id, "
                                            "condition_start_date, condition_end_date FROM condition_occurrence"),
        "drug_exposure": source.rows("SELECT drug_exposure_id, person_id, drug_concept_id, drug_exposure_start_date, "
                                     "drug_exposure_end_date FROM drug_exposure"),
        "measurement": source.rows("SELECT person_id, measurement_concept_id, measurement_date, "
                                   "CAST(value_as_number AS DOUBLE PRECISION), value_as_concept_id FROM measurement"),
        "observation": source.rows("SELECT person_id, observation_concept_id, observation_date, "
                                   "CAST(value_as_number AS DOUBLE PRECISION), value_as_concept_id FROM observation"),
        "procedure_occurrence": source.rows("SELECT person_id, procedure_concept_id, procedure_date "
                                            "FROM procedure_occurrence"),
        "visit_occurrence": source.rows("SELECT visit_occurrence_id, person_id, visit_start_date, care_site_id "
                                        "FROM visit_occurrence"),
    }


def run_reference(source: Source, on: dt.date, criteria: Sequence[Criterion], *,
                  concepts: ConceptFile | None = None, allow_local: bool = False) -> OmopRun:
    """The Python reference engine: plain rows, the Python mapping, the core's Python rules."""
    prepared = prepare(source, criteria, concepts=concepts, allow_local=allow_local)
    kept = prepared.restriction.criteria
    rows = _table_rows(source)
    ids, sites, eligible = [], [], []
    status: dict[str, list[int]] = {c.id: [] for c in kept}
    for record, site in records_from_rows(prepared.concepts, prepared.resolved, on, rows):
        result = assess(record, on, kept)
        ids.append(record.id)
        sites.append(site)
        for v in result.criteria:
            status[v.id].append(_CODE[v.status])
        eligible.append(_ELIGIBLE[result.eligible])
    verdicts = Verdicts(np.asarray(ids, dtype=object), {c.id: c.kind for c in kept},
                        {k: np.asarray(v, dtype=np.int8) for k, v in status.items()},
                        np.asarray(eligible, dtype=np.int8))
    return OmopRun(verdicts, np.asarray(sites, dtype=object), prepared)
