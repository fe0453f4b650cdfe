"""``mescams eligibility check FILE --on DATE [--json]``: evaluate screening records against I1-I5 and E1-E18.

FILE holds one JSON object (``patient.schema.json``) or JSON Lines, one record per line; ``-`` reads stdin. With
``--json`` the output is the contract's object, or JSON Lines in the input's order. A malformed single record is an
error naming the field (exit status 2). In JSON Lines a bad line is reported in its place as
``{"id": ..., "line": n, "error": "..."}`` (and on stderr), the other lines are still evaluated, and the exit
status is 2 at the end so scripts notice.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import typer

from mescams.commands._common import EXIT_BAD_INPUT, reports_errors
from mescams.errors import EligibilityInputError, InputValidationError

# Imports inside functions: each command loads only the area it uses (pandas, SciPy, DuckDB, Django after
# configure()), so `mescams --help` and the other commands start fast.

ProtocolOption = typer.Option(None, "--protocol", help="Protocol YAML (default: the MESCAMS protocol).")
STATUS_STYLE = {"met": "green", "not_met": "red", "unknown": "yellow"}


def _read(file: Path) -> str:
    if str(file) == "-":
        return sys.stdin.read()
    try:
        return file.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputValidationError(str(file), f"cannot read the file ({exc})") from None


def _is_object(line: str) -> bool:
    try:
        return isinstance(json.loads(line), dict)
    except json.JSONDecodeError:
        return False


def _split(text: str) -> tuple[Any, list[tuple[int, str]]] | None:
    """One decoded object, or None with the JSON Lines (number, text) to read one by one."""
    try:
        return json.loads(text), []
    except json.JSONDecodeError as exc:
        lines = [(n, line) for n, line in enumerate(text.splitlines(), start=1) if line.strip()]
        if len(lines) > 1 and any(_is_object(line) for _, line in lines):
            return None, lines
        where = f"line {exc.lineno}, column {exc.colno}"
        raise EligibilityInputError("(file)", f"not valid JSON at {where}: {exc.msg}") from None


def _status_cell(status: str) -> str:
    return f"[{STATUS_STYLE[status]}]{status}[/{STATUS_STYLE[status]}]"


def _print_table(result: dict[str, Any]) -> None:
    from rich.console import Console
    from rich.table import Table

    eligible = {True: "[green]eligible[/green]", False: "[red]not eligible[/red]",
                None: "[yellow]undetermined[/yellow]"}[result["eligible"]]
    table = Table("criterion", "kind", "status", "reason", title=f"{result['id']} on {result['on']}: {eligible}")
    for c in result["criteria"]:
        table.add_row(c["id"], c["kind"], _status_cell(c["status"]), c["reason"])
    Console(width=160).print(table)


@reports_errors
def check(
    file: Path = typer.Argument(..., help="A screening record (JSON) or JSON Lines of records; '-' for stdin."),
    on: str = typer.Option(..., "--on", help="Evaluation date (planned randomisation), YYYY-MM-DD."),
    as_json: bool = typer.Option(False, "--json", help="Print the contract's JSON (JSON Lines for JSON Lines)."),
    protocol: Path | None = ProtocolOption,
) -> None:
    """Evaluate every eligibility criterion for each record on the given date."""
    from mescams.core.eligibility import assess, build_criteria, parse_date, parse_record
    from mescams.protocols import load_protocol

    day = parse_date(on, "--on")
    criteria = build_criteria(load_protocol(protocol))
    single, lines = _split(_read(file)) or (None, [])
    if not lines:
        result = assess(parse_record(single), day, criteria).as_json()
        typer.echo(json.dumps(result)) if as_json else _print_table(result)
        return
    bad = 0
    for number, line in lines:
        data: Any = None
        try:
            data = json.loads(line)
            out = assess(parse_record(data), day, criteria).as_json()
        except json.JSONDecodeError as exc:
            out = {"id": None, "line": number, "error": f"(line): not valid JSON at column {exc.colno}: {exc.msg}"}
        except EligibilityInputError as exc:
            rid = data.get("id") if isinstance(data, dict) and isinstance(data.get("id"), str) else None
            out = {"id": rid, "line": number, "error": str(exc)}
        if "error" in out:
            bad += 1
            print(f"error: line {number}: {out['error']}", file=sys.stderr)
            if not as_json:
                continue
        typer.echo(json.dumps(out)) if as_json else _print_table(out)
    if bad:
        raise typer.Exit(EXIT_BAD_INPUT)


def register(root: typer.Typer, group: Callable[[str, str], typer.Typer]) -> None:
    group("eligibility", "Evaluate screening records against the eligibility criteria.").command()(check)
