"""Running the power grid on an existing Dask cluster (``distributed``), chunk by chunk.

The chunks and their seeds are exactly those of the local run (:func:`mescams.sim.power.chunk_tasks`), so a
cluster of any size returns the same numbers as one machine; only the wall time changes. The parameters and the
scan design are scattered once, and each chunk returns only its per-trial outcome arrays.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from mescams.errors import MescamsError
from mescams.sim.power import CellSummary, ChunkResult, ChunkTask, GridCell, chunk_tasks, combine, run_chunk
from mescams.sim.virtual_patients import ScanDesign, VirtualPatientParams

__all__ = ["DaskUnavailable", "run_grid_on_dask"]


class DaskUnavailable(MescamsError):
    """The Dask scheduler could not be reached (wrong address, cluster down)."""


def _connect(address: str, timeout_s: float):  # type: ignore[no-untyped-def]
    from distributed import Client

    try:
        return Client(address, timeout=timeout_s)
    except (OSError, TimeoutError) as exc:
        raise DaskUnavailable(f"--dask-scheduler: cannot reach the Dask scheduler at {address!r} ({exc})") from None


def run_grid_on_dask(cells: Sequence[GridCell], *, address: str | object, n_trials: int, seed: int,
                     params: VirtualPatientParams, design: ScanDesign, chunk_size: int = 1000, alpha: float = 0.05,
                     on_chunk_done: Callable[[ChunkTask], None] | None = None,
                     timeout_s: float = 10.0) -> list[CellSummary]:
    """Run the grid's chunks as Dask tasks. ``address`` is a scheduler address or an existing ``Client``."""
    from distributed import Client, as_completed

    own = not isinstance(address, Client)
    client: Any = _connect(str(address), timeout_s) if own else address
    try:
        tasks = chunk_tasks(cells, n_trials, seed, chunk_size)
        params_f, design_f = client.scatter([params, design], broadcast=True)
        futures = {client.submit(run_chunk, task, params_f, design_f, alpha, pure=False): task for task in tasks}
        results: list[ChunkResult] = []
        for future in as_completed(futures):
            results.append(future.result())
            if on_chunk_done:
                on_chunk_done(futures[future])
        return combine(cells, results, alpha)
    finally:
        if own:
            client.close()
