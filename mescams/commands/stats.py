"""``mescams analyze``: run the statistical analysis plan on an analysis-data folder (see mescams.cli)."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import typer

from mescams.commands._common import reports_errors

# Imports inside functions: each command loads only the area it uses (pandas, SciPy, DuckDB, Django after
# configure()), so `mescams --help` and the other commands start fast.


@reports_errors
def analyze(
    folder: Path = typer.Argument(..., help="Analysis-data folder (participants.csv, mri.csv, ...) or an ADaM "
                                            "folder (adsl.xpt or adsl.json, as `mescams export adam` writes)."),
    json_out: Path = typer.Option(..., "--json", help="Write the results JSON (contract keys) here."),
    report: Path | None = typer.Option(None, "--report", help="Write the DSMB HTML report here."),
    pdf: Path | None = typer.Option(None, "--pdf", help="Also print the report to this PDF (WeasyPrint)."),
    tlf: Path | None = typer.Option(None, "--tlf", help="Folder written by `mescams export tlf`: its numbered "
                                                       "tables and listings are added to the report."),
    protocol_file: Path | None = typer.Option(None, "--protocol", help="Protocol YAML (default: MESCAMS)."),
) -> None:
    """Fit every model of the analysis plan; write the results JSON and the DSMB report.

    An ADaM folder is first turned back into the analysis-data folder (mescams.interop.adam), so both inputs
    give the same results.
    """
    import tempfile

    from rich.console import Console
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    from mescams.protocols import load_protocol
    from mescams.stats.analysis import STEPS, run_analysis
    from mescams.stats.analysis_data import read_analysis_data

    console = Console(stderr=True)
    protocol = load_protocol(protocol_file)
    tlf_outputs = _tlf_outputs(tlf) if tlf is not None else []  # read first: a bad folder fails before the fits
    extra = int(report is not None) + int(pdf is not None)
    with Progress(TextColumn("{task.description:<28}"), BarColumn(), TextColumn("{task.completed}/{task.total}"),
                  TimeElapsedColumn(), console=console, transient=False) as progress:
        task = progress.add_task("reading folder", total=len(STEPS) + 2 + extra)
        with tempfile.TemporaryDirectory(prefix="mescams-adam-") as converted:
            data = read_analysis_data(_as_analysis_data(folder, Path(converted)), protocol)
        progress.advance(task)

        def step(name: str) -> None:
            progress.update(task, description=f"fitting: {name}")
            progress.advance(task)

        analysis = run_analysis(data, protocol, progress=step)
        results = analysis.results()
        progress.update(task, description="writing results")
        json_out.write_text(json.dumps(results, indent=2, default=str) + "\n", encoding="utf-8")
        progress.advance(task)
        if report is not None or pdf is not None:
            from mescams.stats.report.render import render_html, write_pdf

            progress.update(task, description="rendering report")
            html = render_html(analysis, results, tlf_outputs)
            if report is not None:
                report.write_text(html, encoding="utf-8")
                progress.advance(task)
            if pdf is not None:
                progress.update(task, description="printing PDF")
                write_pdf(html, pdf)
                progress.advance(task)
    primary = results["gel_crossover"]
    if primary["converged"]:
        typer.echo(f"GEL rate ratio MSC/placebo {primary['rate_ratio']:.3f} "
                   f"(95% CI {primary['ci_low']:.3f} to {primary['ci_high']:.3f}), p = {primary['p_value']:.4g}")
    else:
        typer.echo(f"GEL crossover model not estimated: {primary['message']}")
    for warning in results["warnings"]:
        console.print(f"[yellow]warning:[/yellow] {warning}")
    typer.echo(f"results: {json_out}" + (f"; report: {report}" if report else "") + (f"; pdf: {pdf}" if pdf else ""))


def _tlf_outputs(folder: Path) -> list[dict[str, object]]:
    """The outputs listed in ``folder/tlf.json`` (as `mescams export tlf` writes it), checked for what the report
    prints."""
    from mescams.errors import AnalysisDataError

    index = folder / "tlf.json"
    try:
        outputs = json.loads(index.read_text(encoding="utf-8"))["outputs"]
    except (OSError, json.JSONDecodeError, KeyError, TypeError) as exc:
        raise AnalysisDataError(str(index), f"is not the index that `mescams export tlf` writes ({exc})") from None
    needed = {"label", "title", "population", "columns", "rows", "footnotes"}
    for i, o in enumerate(outputs):
        if not isinstance(o, dict) or not needed <= set(o):
            missing = sorted(needed - set(o)) if isinstance(o, dict) else sorted(needed)
            raise AnalysisDataError(f"{index} output {i + 1}", f"lacks {', '.join(missing)}")
    return list(outputs)


def _as_analysis_data(folder: Path, scratch: Path) -> Path:
    """The analysis-data folder to read: ``folder`` itself, or its conversion when it holds ADaM datasets."""
    from mescams.core.analysis_contract import EXPORT_COLUMNS
    from mescams.interop.adam.to_analysis_data import analysis_tables_from_adam, is_adam_folder, read_adam_folder
    from mescams.stats.analysis_folder import write_analysis_folder

    if not is_adam_folder(folder):
        return folder
    write_analysis_folder(
        analysis_tables_from_adam(read_adam_folder(folder)), scratch, columns=EXPORT_COLUMNS, overwrite=True
    )
    return scratch


def register(root: typer.Typer, group: Callable[[str, str], typer.Typer]) -> None:
    """Add ``mescams analyze`` to the command line."""
    root.command("analyze")(analyze)
