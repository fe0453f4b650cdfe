"""``mescams prescreen``: how many registry patients could qualify; ``mescams sim registry``: a synthetic registry.

``mescams prescreen REGISTRY_DIR --on DATE [--engine duckdb|python] [--out candidates.parquet] [--json]`` prints
the funnel (met / not met / unknown per criterion, and how many patients remain possible after each), or with
``--json`` the one object ``{"patients", "eligible", "ineligible", "undetermined", "criteria"}``.
``mescams prescreen --emit-sql postgres|spark|duckdb --on DATE`` prints the per-patient verdict query compiled from
the rule objects, to run where the registry lives.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import typer

from mescams.commands._common import reports_errors
from mescams.errors import InputValidationError

# Imports inside functions: each command loads only the area it uses (pandas, SciPy, DuckDB, Django after
# configure()), so `mescams --help` and the other commands start fast.

ProtocolOption = typer.Option(None, "--protocol", help="Protocol YAML (default: the MESCAMS protocol).")


def _progress_run(engine: str, registry: Path, day: dt.date, criteria: Any, limit: int | None) -> Any:
    """Run an engine behind a Rich progress bar on stderr (shown only on a terminal)."""
    import pyarrow.parquet as pq
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from mescams.prescreen import ENGINES
    from mescams.prescreen.registry import table_path

    console = Console(stderr=True)
    patients_file = table_path(registry, "patients")
    total = pq.ParquetFile(patients_file).metadata.num_rows if patients_file.is_file() else 0
    total = min(total, limit) if limit is not None else total
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with Progress(*columns, console=console, transient=True, disable=not console.is_terminal) as progress:
        task = progress.add_task(f"screening with {engine}", total=total)
        return ENGINES[engine](registry, day, criteria, limit=limit,
                               progress=lambda done: progress.advance(task, done))


def _print_funnel(verdicts: Any, registry: Path, day: dt.date, engine: str) -> None:
    from rich.console import Console
    from rich.table import Table

    funnel = verdicts.funnel()
    table = Table("criterion", "kind", "met", "not met", "unknown", "still possible",
                  title=f"Pre-screening {registry} on {day} ({engine}): {funnel['patients']:,} patients")
    for (cid, counts), remaining in zip(funnel["criteria"].items(), verdicts.remaining(), strict=True):
        table.add_row(cid, verdicts.kinds[cid], f"{counts['met']:,}", f"{counts['not_met']:,}",
                      f"{counts['unknown']:,}", f"{remaining:,}")
    console = Console(width=120)
    console.print(table)
    console.print(f"eligible [green]{funnel['eligible']:,}[/green], undetermined [yellow]{funnel['undetermined']:,}"
                  f"[/yellow], ineligible [red]{funnel['ineligible']:,}[/red]")


@reports_errors
def prescreen(
    registry: Path | None = typer.Argument(None, help="Registry folder: one Parquet file per table."),
    on: str = typer.Option(..., "--on", help="Evaluation date (planned randomisation), YYYY-MM-DD."),
    engine: str = typer.Option("duckdb", "--engine", help="duckdb (compiled SQL) or python (record by record)."),
    out: Path | None = typer.Option(None, "--out", help="Write the possible candidates (eligible or undetermined) "
                                    "with every criterion's status to this Parquet file."),
    as_json: bool = typer.Option(False, "--json", help="Print the funnel as one JSON object."),
    emit_sql: str | None = typer.Option(None, "--emit-sql", help="Print the SQL for postgres, spark or duckdb."),
    limit: int | None = typer.Option(None, "--limit", min=1, help="Only the first N patients."),
    protocol: Path | None = ProtocolOption,
) -> None:
    """Count how many registry patients meet, fail or cannot yet be judged on each criterion."""
    from mescams.core.eligibility import build_criteria, compile_sql, parse_date
    from mescams.core.eligibility.compile import DIALECTS
    from mescams.prescreen import ENGINES
    from mescams.protocols import load_protocol

    day = parse_date(on, "--on")
    criteria = build_criteria(load_protocol(protocol))
    if emit_sql is not None:
        if emit_sql not in DIALECTS:
            raise InputValidationError("--emit-sql", f"expected one of {sorted(DIALECTS)}, got {emit_sql!r}")
        typer.echo(compile_sql(criteria, day, emit_sql) + ";")
        return
    if registry is None:
        raise InputValidationError("REGISTRY_DIR", "is required unless --emit-sql is given")
    if engine not in ENGINES:
        raise InputValidationError("--engine", f"expected one of {sorted(ENGINES)}, got {engine!r}")
    verdicts = _progress_run(engine, registry, day, criteria, limit)
    if out is not None:
        verdicts.write_candidates(out)
    if as_json:
        typer.echo(json.dumps(verdicts.funnel()))
    else:
        _print_funnel(verdicts, registry, day, engine)


@reports_errors
def registry(
    out_dir: Path = typer.Argument(..., help="Folder to write the Parquet files into (created if needed)."),
    patients: int = typer.Option(..., "--patients", min=1, help="Number of patients."),
    seed: int = typer.Option(0, "--seed", help="Random seed: the same seed gives the same registry."),
    as_of: str = typer.Option("2016-03-01", "--as-of", help="Extraction date the histories lead up to."),
) -> None:
    """Generate a synthetic MS registry (docs/registry.md) for pre-screening tests and benchmarks."""
    from mescams.core.eligibility import parse_date
    from mescams.sim.registry import RegistryShape, write_registry

    counts = write_registry(out_dir, RegistryShape(patients, seed, parse_date(as_of, "--as-of")))
    typer.echo(", ".join(f"{table}: {rows:,}" for table, rows in counts.items()))


def register(root: typer.Typer, group: Callable[[str, str], typer.Typer]) -> None:
    root.command("prescreen")(prescreen)
    group("sim", "Generate synthetic data for tests and benchmarks.").command("registry")(registry)
