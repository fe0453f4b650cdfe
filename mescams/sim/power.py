"""Operating characteristics of the MESCAMS analyses by simulation: power, type I error, bias and CI coverage.

Each grid cell (total sample size, true rate ratio, patient dispersion k, carry-over) is simulated many times
with the virtual patient model, and every simulated trial is analysed twice with the models of the real
analysis (:mod:`mescams.stats.nb2`): the crossover NB2 mixed model and the parallel period-1 NB2 regression, both
Wald tests at two-sided alpha.

Reproducibility: a cell's trials are cut into chunks of a fixed size, and chunk ``j`` of cell ``i`` draws from
``SeedSequence(seed).spawn(cells)[i].spawn(chunks)[j]``; the numbers therefore do not depend on how many threads
or Dask workers run the chunks, nor in which order.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass

import numpy as np

from mescams.errors import InputValidationError
from mescams.sim.virtual_patients import ScanDesign, VirtualPatientParams, simulate_gel
from mescams.stats.nb2 import ENGINES, fit_crossover_trials, fit_regression_trials

__all__ = ["ANALYSES", "CellSummary", "ChunkTask", "GridCell", "chunk_tasks", "run_chunk", "run_grid",
           "summarise"]

ANALYSES = ("crossover", "parallel")


@dataclass(frozen=True)
class GridCell:
    """One design scenario: total participants (both sequences), true MSC rate ratio, patient gamma variance k,
    and the carried-over fraction of the log rate ratio in period 2."""

    participants: int
    rate_ratio: float
    dispersion_k: float
    carry_over: float = 0.0


@dataclass(frozen=True)
class ChunkTask:
    """A unit of work: ``n_trials`` trials of one cell from one child seed (picklable for Dask)."""

    cell_index: int
    chunk_index: int
    cell: GridCell
    n_trials: int
    seed: np.random.SeedSequence


@dataclass(frozen=True)
class ChunkResult:
    """Per-trial outcomes of one chunk for each analysis: log rate ratio, CI, p-value, fit flags."""

    cell_index: int
    chunk_index: int
    arrays: dict[str, dict[str, np.ndarray]]


@dataclass(frozen=True)
class CellSummary:
    """The operating characteristics of one analysis in one cell."""

    participants: int
    rate_ratio: float
    dispersion_k: float
    carry_over: float
    analysis: str
    trials: int
    not_converged: int
    rejection_rate: float  # power, or type I error where the true rate ratio is 1
    rejection_mc_se: float
    bias_log_rr: float
    coverage: float
    median_rate_ratio: float

    def as_dict(self) -> dict[str, object]:
        return asdict(self)


def chunk_tasks(cells: Sequence[GridCell], n_trials: int, seed: int, chunk_size: int) -> list[ChunkTask]:
    """Cut every cell into chunks of ``chunk_size`` trials with their own child seeds (see module docstring)."""
    n_chunks = -(-n_trials // chunk_size)
    tasks = []
    for i, (cell, cell_seed) in enumerate(zip(cells, np.random.SeedSequence(seed).spawn(len(cells)), strict=True)):
        for j, chunk_seed in enumerate(cell_seed.spawn(n_chunks)):
            size = min(chunk_size, n_trials - j * chunk_size)
            tasks.append(ChunkTask(i, j, cell, size, chunk_seed))
    return tasks


def run_chunk(task: ChunkTask, params: VirtualPatientParams, design: ScanDesign, alpha: float = 0.05,
              analyses: Sequence[str] = ANALYSES, engine: str = "compiled") -> ChunkResult:
    """Simulate one chunk of trials and analyse each with the chosen models (both by default).

    ``engine``: ``"compiled"`` or ``"numpy"``, how both models are fitted (see :mod:`mescams.stats.nb2.engines`)."""
    rng = np.random.default_rng(task.seed)
    cell = task.cell
    gel = simulate_gel(params, design, task.n_trials, cell.participants, rng, rate_ratio=cell.rate_ratio,
                       dispersion_k=cell.dispersion_k, carry_over=cell.carry_over)
    totals, scans, msc = gel.period_totals()
    arrays = {}
    for name in analyses:
        fit = (fit_crossover_trials(totals, scans, msc, engine=engine) if name == "crossover"
               else fit_regression_trials(totals[..., 0], scans[..., 0], msc[..., 0], engine=engine))
        arrays[name] = {
            "log_rr": np.log(fit.rate_ratio), "ci_low": fit.ci_low, "ci_high": fit.ci_high,
            "p_value": fit.p_value, "converged": fit.converged,
        }
    return ChunkResult(task.cell_index, task.chunk_index, arrays)


def summarise(cell: GridCell, analysis: str, outcome: dict[str, np.ndarray], alpha: float = 0.05) -> CellSummary:
    """Rejection rate (a fit that failed counts as not rejecting), bias of the log rate ratio and coverage of
    the Wald CI over the trials whose fit converged."""
    ok = outcome["converged"] & np.isfinite(outcome["p_value"])
    reject = ok & (outcome["p_value"] < alpha)
    n = ok.size
    rate = float(reject.mean()) if n else float("nan")
    true = np.log(cell.rate_ratio)
    covered = (outcome["ci_low"][ok] <= cell.rate_ratio) & (cell.rate_ratio <= outcome["ci_high"][ok])
    return CellSummary(
        participants=cell.participants, rate_ratio=cell.rate_ratio, dispersion_k=cell.dispersion_k,
        carry_over=cell.carry_over, analysis=analysis, trials=n, not_converged=int((~ok).sum()),
        rejection_rate=rate, rejection_mc_se=float(np.sqrt(rate * (1 - rate) / max(n, 1))),
        bias_log_rr=float(np.mean(outcome["log_rr"][ok]) - true) if ok.any() else float("nan"),
        coverage=float(covered.mean()) if ok.any() else float("nan"),
        median_rate_ratio=float(np.exp(np.median(outcome["log_rr"][ok]))) if ok.any() else float("nan"),
    )


def combine(cells: Sequence[GridCell], results: Iterable[ChunkResult], alpha: float = 0.05,
            analyses: Sequence[str] = ANALYSES) -> list[CellSummary]:
    """Join the chunks of each cell in chunk order and summarise both analyses."""
    by_cell: dict[int, list[ChunkResult]] = {}
    for r in results:
        by_cell.setdefault(r.cell_index, []).append(r)
    out = []
    for i, cell in enumerate(cells):
        chunks = sorted(by_cell.get(i, []), key=lambda r: r.chunk_index)
        for analysis in analyses:
            joined = {key: np.concatenate([c.arrays[analysis][key] for c in chunks])
                      for key in ("log_rr", "ci_low", "ci_high", "p_value", "converged")}
            out.append(summarise(cell, analysis, joined, alpha))
    return out


def grid(participants: Sequence[int], rate_ratios: Sequence[float], dispersions: Sequence[float],
         carry_overs: Sequence[float]) -> list[GridCell]:
    """Every combination, in a stable order."""
    return [GridCell(n, rr, k, c) for k, c, rr, n in itertools.product(dispersions, carry_overs, rate_ratios,
                                                                        participants)]


def run_grid(cells: Sequence[GridCell], *, n_trials: int, seed: int, params: VirtualPatientParams,
             design: ScanDesign, chunk_size: int = 1000, workers: int = 1, alpha: float = 0.05,
             on_chunk_done: Callable[[ChunkTask], None] | None = None,
             analyses: Sequence[str] = ANALYSES, engine: str = "compiled") -> list[CellSummary]:
    """Run the grid on this machine with ``workers`` threads (the compiled fit and NumPy's array loops release
    the GIL, so the threads run at once)."""
    unknown = set(analyses) - set(ANALYSES)
    if unknown:
        raise InputValidationError("analyses", f"unknown {sorted(unknown)}; choose from {', '.join(ANALYSES)}")
    if engine not in ENGINES:
        raise InputValidationError("engine", f"unknown engine {engine!r}; choose from {', '.join(ENGINES)}")
    tasks = chunk_tasks(cells, n_trials, seed, chunk_size)
    results: list[ChunkResult] = []

    def one(task: ChunkTask) -> ChunkResult:
        return run_chunk(task, params, design, alpha, analyses, engine)

    if workers <= 1:
        for task in tasks:
            results.append(one(task))
            if on_chunk_done:
                on_chunk_done(task)
    else:
        with ThreadPoolExecutor(max_workers=workers) as pool:
            for task, result in zip(tasks, pool.map(one, tasks), strict=True):
                results.append(result)
                if on_chunk_done:
                    on_chunk_done(task)
    return combine(cells, results, alpha, analyses)
