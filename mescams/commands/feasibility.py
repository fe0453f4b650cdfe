"""``mescams feasibility omop SOURCE --on DATE``: how many people in hospital data (OMOP CDM) could qualify.

SOURCE is a DuckDB file, a folder of Parquet files or a postgresql:// URL. Prints the attrition funnel (met / not
met / unknown per criterion and how many remain possible after it), overall or for one ``--site``, with each care
site's funnel, counts 1-4 suppressed as "<5" (``--min-count``), and the inputs OMOP cannot supply with the criteria
they leave unknown. ``--emit-sql DIALECT`` prints the query instead; ``--emit-circe FILE`` writes the ATLAS cohort
definition. Without a SOURCE, ``--emit-sql`` prints SQL that resolves the concept sets itself in the vocabulary of
the database that runs it. Person ids are never in the funnel: ``--candidates FILE`` writes them only for a
site-bound recruiting role (``--role site_coordinator`` or ``investigator``) and only for its own ``--site``.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import typer

from mescams.commands._common import reports_errors

# Imports inside functions: each command loads only the area it uses (DuckDB, sqlglot), so `mescams --help` and
# the other commands start fast.
from mescams.errors import InputValidationError

ProtocolOption = typer.Option(None, "--protocol", help="Protocol YAML (default: the MESCAMS protocol).")


def _print(report: dict[str, Any]) -> None:
    from rich.console import Console
    from rich.table import Table

    console = Console(width=130)
    where = f", site {report['site']}" if report["site"] else ""
    table = Table("criterion", "kind", "met", "not met", "unknown", "still possible",
                  title=f"Feasibility {report['source']} on {report['on']}{where}: {report['persons']} persons")
    for row in report["criteria"]:
        table.add_row(row["id"], row["kind"], str(row["met"]), str(row["not_met"]), str(row["unknown"]),
                      str(row["still_possible"]))
    console.print(table)
    console.print(f"eligible {report['eligible']}, undetermined {report['undetermined']}, "
                  f"ineligible {report['ineligible']} ({report['suppression']})")
    for site, steps in report["sites"].items():
        last = steps["criteria"][-1]["still_possible"] if steps["criteria"] else 0
        console.print(f"  care site {site}: {steps['persons']} persons, {last} still possible")
    if report["unknown_for_everyone"]:
        console.print(f"unknown for everyone (no OMOP data): {', '.join(report['unknown_for_everyone'])}")
    for gap in report["unavailable"]:
        console.print(f"  not in OMOP: {gap['input']} -> {', '.join(gap['criteria'])}: {gap['reason']}")
    for cid, why in report.get("circe_left_out", {}).items():
        console.print(f"not in the Circe definition: {cid}: {why}")


@reports_errors
def omop(
    source: str | None = typer.Argument(None, help="DuckDB file, Parquet folder or postgresql:// URL of an OMOP CDM "
                                        "v5.4 (not needed with --emit-sql alone)."),
    on: str = typer.Option(..., "--on", help="Evaluation date (planned randomisation), YYYY-MM-DD."),
    site: str | None = typer.Option(None, "--site", help="Only this care_site_id."),
    as_json: bool = typer.Option(False, "--json", help="Print the funnel as one JSON object."),
    emit_circe: Path | None = typer.Option(None, "--emit-circe", help="Write the ATLAS cohort definition JSON."),
    emit_sql: str | None = typer.Option(None, "--emit-sql", help="Print the SQL for postgres, spark or duckdb."),
    min_count: int = typer.Option(5, "--min-count", min=1, help="Show counts below this as '<N' (1: no suppression)."),
    local_concepts: bool = typer.Option(False, "--local-concepts",
                                        help="Use the MESCAMS-local concepts (relapse, GEL count, CSF bands)."),
    engine: str = typer.Option("sql", "--engine", help="sql (compiled query) or python (reference engine)."),
    candidates: Path | None = typer.Option(None, "--candidates", help="Write the site's possible candidates' "
                                           "person ids (one per line); needs --role and --site."),
    role: str | None = typer.Option(None, "--role", help="Your role, for --candidates."),
    concepts_file: Path | None = typer.Option(None, "--concepts", help="Concept set file (default: the shipped)."),
    protocol: Path | None = ProtocolOption,
) -> None:
    """Count the people in an OMOP CDM who meet, fail or cannot be judged on each criterion."""
    from mescams.core.eligibility import build_criteria, parse_date
    from mescams.prescreen.omop.circe import cohort_definition, unstateable
    from mescams.prescreen.omop.concepts import load_concepts
    from mescams.prescreen.omop.engine import (
        compile_omop_sql,
        compile_sourceless_sql,
        open_source,
        prepare,
        run_reference,
        run_sql,
    )
    from mescams.prescreen.omop.funnel import candidate_ids, check_candidate_role, funnel
    from mescams.protocols import load_protocol

    day = parse_date(on, "--on")
    if engine not in ("sql", "python"):
        raise InputValidationError("--engine", f"expected sql or python, got {engine!r}")
    if candidates is not None:
        check_candidate_role(role, site)
    criteria = build_criteria(load_protocol(protocol))
    concepts = load_concepts(concepts_file)
    if source is None:
        if emit_sql is None or emit_circe is not None or candidates is not None:
            raise InputValidationError("SOURCE", "an OMOP CDM is required, except with --emit-sql alone (the SQL "
                                                 "then resolves the concept sets in the database that runs it)")
        sql, _ = compile_sourceless_sql(criteria, day, emit_sql, concepts=concepts, allow_local=local_concepts)
        typer.echo(sql + ";")
        return
    db = open_source(source)
    left_out: dict[str, str] = {}
    try:
        if emit_sql is not None or emit_circe is not None:
            prepared = prepare(db, criteria, concepts=concepts, allow_local=local_concepts)
            if emit_circe is not None:
                emit_circe.write_text(json.dumps(cohort_definition(prepared, day), indent=2) + "\n", encoding="utf-8")
                left_out = unstateable(prepared, day)
            if emit_sql is not None:
                for cid, why in left_out.items():  # stdout holds the SQL alone
                    typer.echo(f"not in the Circe definition: {cid}: {why}", err=True)
                typer.echo(compile_omop_sql(prepared, day, emit_sql) + ";")
                return
        run = (run_sql if engine == "sql" else run_reference)(db, day, criteria, concepts=concepts,
                                                              allow_local=local_concepts)
    finally:
        db.close()
    if site is not None and site not in set(run.sites):
        raise InputValidationError("--site", f"no person of care site {site!r} in {source}")
    report = funnel(run, on=day.isoformat(), source=source, min_count=min_count, site=site)
    if candidates is not None and site is not None:
        ids = candidate_ids(run, site)
        candidates.write_text("".join(f"{pid}\n" for pid in ids), encoding="utf-8")
    if emit_circe is not None:
        report["circe_left_out"] = left_out
    if as_json:
        typer.echo(json.dumps(report))
    else:
        _print(report)


def register(root: typer.Typer, group: Callable[[str, str], typer.Typer]) -> None:
    group("feasibility", "Count possible participants in hospital data (OMOP CDM).").command("omop")(omop)
