"""``mescams sim trial`` (one in-silico trial as an analysis data folder), ``mescams sim populate`` (a virtual trial
entered into the EDC's database) and ``mescams power`` (design grid)."""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path

import typer

from mescams.commands._common import reports_errors
from mescams.errors import InputValidationError

# Imports inside functions: each command loads only the area it uses (pandas, SciPy, DuckDB, Django after
# configure()), so `mescams --help` and the other commands start fast.

ParamsOption = typer.Option(None, "--params", help="Virtual patient parameter YAML (default: the current version).")
ProtocolOption = typer.Option(None, "--protocol", help="Protocol YAML (default: the MESCAMS protocol).")


def _numbers(text: str, field: str, kind: type = float) -> list:  # type: ignore[type-arg]
    try:
        values = [kind(v) for v in text.split(",") if v.strip()]
    except ValueError:
        raise InputValidationError(field, f"expected comma-separated numbers, got {text!r}") from None
    if not values:
        raise InputValidationError(field, "needs at least one value")
    return values


@reports_errors
def trial(
    out_dir: Path = typer.Argument(..., help="Folder to write the five contract CSV files into."),
    participants: int = typer.Option(31, "--participants", min=2, help="Randomised participants."),
    rate_ratio: float = typer.Option(0.6, "--rate-ratio", help="True MSC/placebo rate ratio on lesions, relapses."),
    seed: int = typer.Option(1, "--seed", help="Random seed: the same seed gives the same folder."),
    overwrite: bool = typer.Option(False, "--overwrite", help="Replace the files of a non-empty folder."),
    params: Path | None = ParamsOption,
    protocol: Path | None = ProtocolOption,
) -> None:
    """Simulate one trial and write it as an analysis data folder (the contract's format)."""
    from mescams.protocols import load_protocol
    from mescams.sim.trial import simulate_trial
    from mescams.sim.virtual_patients import load_params
    from mescams.stats.analysis_folder import write_analysis_folder

    if not rate_ratio > 0:
        raise InputValidationError("--rate-ratio", "must be a positive number")
    sim = simulate_trial(load_protocol(protocol), load_params(params), participants=participants,
                         rate_ratio=rate_ratio, seed=seed)
    written = write_analysis_folder(sim.rows, out_dir, overwrite=overwrite)
    counts = ", ".join(f"{p.name} {len(sim.rows[p.name])} rows" for p in written)
    typer.echo(f"wrote {out_dir}: {counts}")


@reports_errors
def populate(
    screen: int | None = typer.Option(None, "--screen", min=1,
                                      help="People to screen (default: 45 per 31 participants, rounded up)."),
    participants: int = typer.Option(31, "--participants", min=2, help="Participants to randomise."),
    rate_ratio: float = typer.Option(0.6, "--rate-ratio", help="True MSC/placebo rate ratio on lesions, relapses."),
    seed: int = typer.Option(1, "--seed", help="Random seed: the same seed enters the same trial."),
    params: Path | None = ParamsOption,
) -> None:
    """Enter a whole virtual trial into the configured EDC database, through the services and roles the API uses.

    Screening (failures decided by the eligibility engine), consent, randomisation from the allocation list,
    infusions released by the lab, visits with vital signs, EDSS, MRI reads and labs, adverse events, relapses,
    withdrawals, out-of-window visits, queries. The database (MESCAMS_DATA_DIR or MESCAMS_DATABASE_URL, migrated)
    must hold no participants. The users are sim.* accounts with random passwords that are never shown.
    """
    from mescams.edc.settings import configure
    from mescams.sim.virtual_patients import load_params

    if not rate_ratio > 0:
        raise InputValidationError("--rate-ratio", "must be a positive number")
    screen = screen if screen is not None else -(-participants * 45 // 31)
    if screen < participants:
        raise InputValidationError("--screen", f"must be at least --participants ({participants})")
    vp = load_params(params)
    configure()
    from mescams.edc.demo.populate import populate as enter_trial  # imports the models: only once Django is set up

    summary = enter_trial(screen=screen, participants=participants, rate_ratio=rate_ratio, seed=seed, params=vp)
    for line in summary.lines():
        typer.echo(line)


@reports_errors
def power(
    participants: str = typer.Option("20,31,40,60", "--participants", help="Total sample sizes, comma-separated."),
    rate_ratios: str = typer.Option("0.4,0.6,0.8,1.0", "--rate-ratios", help="True rate ratios (1 = type I)."),
    dispersions: str = typer.Option("1.5", "--dispersions", help="Patient gamma variances k."),
    carry_over: str = typer.Option("0", "--carry-over", help="Carried-over fractions of the log rate ratio."),
    trials: int = typer.Option(1000, "--trials", min=1, help="Simulated trials per grid cell."),
    seed: int = typer.Option(1, "--seed", help="Root seed (results do not depend on workers)."),
    alpha: float = typer.Option(0.05, "--alpha", help="Two-sided significance level."),
    chunk_size: int = typer.Option(1000, "--chunk-size", min=1, help="Trials per task."),
    workers: int = typer.Option(0, "--workers", min=0, help="Local threads (0: one per CPU core)."),
    dask_scheduler: str | None = typer.Option(None, "--dask-scheduler", help="Run on this Dask scheduler."),
    dask_timeout: float = typer.Option(10.0, "--dask-timeout", min=0.1, help="Seconds to wait for the scheduler."),
    figure: Path | None = typer.Option(None, "--figure", help="Save the power curves (.png, .svg, .pdf)."),
    csv_out: Path | None = typer.Option(None, "--csv", help="Save the table as CSV."),
    json_out: Path | None = typer.Option(None, "--json", help="Save the table as JSON."),
    params: Path | None = ParamsOption,
    protocol: Path | None = ProtocolOption,
) -> None:
    """Operating characteristics of the crossover NB mixed model and the parallel period-1 NB analysis.

    Every simulated trial is analysed with the trial's own models (Wald tests); the table gives power (type I
    error where the true rate ratio is 1), bias of the log rate ratio and coverage of the 95 % CI.
    """
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    from mescams.protocols import load_protocol
    from mescams.sim.power import chunk_tasks, grid, run_grid
    from mescams.sim.power_report import power_figure, power_table, write_csv
    from mescams.sim.virtual_patients import ScanDesign, load_params

    if not 0 < alpha < 1:
        raise InputValidationError("--alpha", "must be between 0 and 1")
    cells = grid(_numbers(participants, "--participants", int), _numbers(rate_ratios, "--rate-ratios"),
                 _numbers(dispersions, "--dispersions"), _numbers(carry_over, "--carry-over"))
    for c in cells:
        if c.participants < 4 or c.rate_ratio <= 0 or c.dispersion_k <= 0 or not 0 <= c.carry_over <= 1:
            raise InputValidationError("grid", f"participants >= 4, rate ratios and k > 0, carry-over in [0, 1]: {c}")
    vp = load_params(params)
    design = ScanDesign.from_protocol(load_protocol(protocol))
    n_tasks = len(chunk_tasks(cells, trials, seed, chunk_size))
    console = Console(width=160)
    if not dask_scheduler:  # compile (first run after installing) or load the cached fit before the bar starts
        with console.status("preparing the compiled fit (compiled once after installing, about 30 s; then cached)"):
            run_grid(cells[:1], n_trials=2, seed=seed, params=vp, design=design, chunk_size=2)
    with Progress(TextColumn("[bold]simulating and fitting"), BarColumn(), MofNCompleteColumn(),
                  TextColumn("chunks"), TimeRemainingColumn(), console=console, transient=True) as bar:
        job = bar.add_task("grid", total=n_tasks)

        def advance(_task: object) -> None:
            bar.advance(job)

        common = {"n_trials": trials, "seed": seed, "params": vp, "design": design, "chunk_size": chunk_size,
                  "alpha": alpha, "on_chunk_done": advance}
        if dask_scheduler:
            from mescams.sim.dask_grid import run_grid_on_dask

            rows = run_grid_on_dask(cells, address=dask_scheduler, timeout_s=dask_timeout,
                                    **common)  # type: ignore[arg-type]
        else:
            rows = run_grid(cells, workers=workers or os.cpu_count() or 1, **common)  # type: ignore[arg-type]
    console.print(power_table(rows, f"{trials} simulated trials per cell, seed {seed}, two-sided alpha {alpha:g}"))
    if csv_out:
        write_csv(rows, csv_out)
    if json_out:
        json_out.write_text(json.dumps([r.as_dict() for r in rows], indent=2), encoding="utf-8")
    if figure:
        power_figure(rows, figure, alpha)
        console.print(f"figure: {figure}")


def register(root: typer.Typer, group: Callable[[str, str], typer.Typer]) -> None:
    sim_group = group("sim", "In-silico trials: simulated participants and trials.")
    sim_group.command("trial")(trial)
    sim_group.command("populate")(populate)
    root.command("power")(power)
