"""``mescams edss score`` (EDSS from functional systems) and ``mescams product dose`` (dose to infuse).

``edss score FILE`` follows ../shared/contracts/edss.md: FILE holds one JSON object or JSON Lines; the output is
one JSON object per assessment in the same order (``--json``) or a table. A bad single object is an error
naming the field (exit status 2); in JSON Lines a bad line becomes ``{"id": ..., "error": "..."}`` and the
other lines are still scored (exit status 0, with a count of bad lines on stderr).
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import typer

from mescams.commands._common import reports_errors
from mescams.errors import EdssInputError, MescamsError

# Imports inside functions: each command loads only the area it uses (pandas, SciPy, DuckDB, Django after
# configure()), so `mescams --help` and the other commands start fast.

ProtocolOption = typer.Option(None, "--protocol", help="Protocol YAML (default: the MESCAMS protocol).")


def _read_text(file: Path) -> str:
    if str(file) == "-":
        return sys.stdin.read()
    try:
        return file.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise EdssInputError("FILE", f"cannot read {file}: {exc}") from None


def _split_input(text: str) -> tuple[bool, list[str]]:
    """(is_single_object, lines): one JSON object (possibly pretty-printed) or JSON Lines."""
    lines = [line for line in text.splitlines() if line.strip()]
    if len(lines) <= 1:
        return True, [text]
    try:
        whole = json.loads(text)
    except json.JSONDecodeError:
        return False, lines
    return (True, [text]) if isinstance(whole, dict) else (False, lines)


def _score_line(raw: str) -> dict[str, Any]:
    """Score one JSON text; raises EdssInputError naming the field for bad input."""
    from mescams.core.edss import EdssExam, score_exam

    try:
        record = json.loads(raw)
    except json.JSONDecodeError as exc:
        raise EdssInputError("assessment", f"malformed JSON ({exc.msg} at column {exc.colno})") from None
    return score_exam(EdssExam.from_mapping(record)).as_contract()


def _error_object(raw: str, line_number: int, exc: MescamsError) -> dict[str, Any]:
    try:
        record = json.loads(raw)
        rid = record.get("id") if isinstance(record, dict) else None
    except json.JSONDecodeError:
        rid = None
    return {"id": rid, "error": f"line {line_number}: {exc}"}


@reports_errors
def score(
    file: Path = typer.Argument(..., help="One JSON object or JSON Lines (one assessment per line); - for stdin."),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON object per assessment (JSON Lines)."),
) -> None:
    """Derive the EDSS step from Kurtzke FS scores and the Neurostatus ambulation score; check the rater's EDSS."""
    single, chunks = _split_input(_read_text(file))
    results: list[dict[str, Any]] = []
    if single:
        results.append(_score_line(chunks[0]))
    else:
        for number, raw in enumerate(chunks, start=1):
            try:
                results.append(_score_line(raw))
            except MescamsError as exc:
                results.append(_error_object(raw, number, exc))
    bad = sum("error" in r for r in results)
    if as_json:
        for r in results:
            typer.echo(json.dumps(r))
    else:
        _print_table(results)
    if bad:
        print(f"warning: {bad} of {len(results)} line(s) not scored (see their error)", file=sys.stderr)


def _print_table(results: list[dict[str, Any]]) -> None:
    from rich.console import Console
    from rich.table import Table

    table = Table("id", "EDSS", "consistent", "reason", title="EDSS from functional systems")
    for r in results:
        if "error" in r:
            table.add_row(str(r["id"]), "-", "-", f"[red]error: {r['error']}[/red]")
            continue
        consistent = {True: "yes", False: "[red]NO[/red]", None: "-"}[r["consistent"]]
        table.add_row(str(r["id"]), f"{r['edss']:.1f}", consistent, r["reason"])
    Console(width=160).print(table)


@reports_errors
def dose(
    weight_kg: float = typer.Option(..., "--weight-kg", help="Body weight at randomisation (kg)."),
    viable_cells: float = typer.Option(..., "--viable-cells", help="Manufactured viable MSC count (cells)."),
    product: str = typer.Option("MSC", "--product", help="Protocol product code of the cell product."),
    final_volume_ml: float | None = typer.Option(
        None, "--final-volume-ml", help="Final product volume (mL); default: the vehicle's (DMSO mL / DMSO %)."
    ),
    as_json: bool = typer.Option(False, "--json", help="Print JSON instead of text."),
    protocol: Path | None = ProtocolOption,
) -> None:
    """Compute the dose to infuse: cells, volume with the DMSO limit, DMSO g/kg and the matching placebo."""
    from mescams.core.dosing import compute_dose
    from mescams.protocols import load_protocol

    plan = compute_dose(load_protocol(protocol), weight_kg=weight_kg, viable_cells=viable_cells,
                        product_code=product, final_volume_ml=final_volume_ml)
    if as_json:
        typer.echo(json.dumps(plan.as_dict(), indent=2))
        return
    for line in plan.summary_lines():
        typer.echo(line)


def register(root: typer.Typer, group: Callable[[str, str], typer.Typer]) -> None:
    edss_group = group("edss", "EDSS from Kurtzke functional systems and the Neurostatus ambulation score.")
    edss_group.command("score")(score)
    product_group = group("product", "The investigational product: dose and volume to prepare.")
    product_group.command("dose")(dose)
