"""Simulated-and-analysed crossover trials per second: the batched engine against per-trial loops, in one run.

Four ways to simulate 31-participant MESCAMS trials and fit the crossover NB2 mixed model to each:
- the batched engine (``mescams.sim.power``: simulation + the fit compiled per trial, 2 worker threads);
- the same with the NumPy array engine (all trials in lock-step rounds), the reference implementation;
- a loop of glmmTMB fits in one Rscript process (R's own timing of the fits, startup excluded);
- a loop of the stats area's single-trial fit (``mescams.stats.nb2.models``, the NumPy engine on one trial).
Target: 5,000 trials per second for the batched engine (about 1,000x glmmTMB). The machine may be shared: the load
average is printed with each measurement, and trials per CPU-second (process CPU time) beside the wall rate.
"""

from __future__ import annotations

import os
import shutil
import time
import warnings

import numpy as np

BATCHED_TRIALS = 50_000
NUMPY_TRIALS = 10_000
LOOP_TRIALS = 40
PARTICIPANTS = 31


def _load() -> str:
    return "load average " + " ".join(f"{x:.2f}" for x in os.getloadavg())


def main() -> None:
    from mescams.protocols import default_protocol
    from mescams.sim.power import GridCell, run_grid
    from mescams.sim.reference_fits import glmmtmb_fits, stats_crossover_fit
    from mescams.sim.virtual_patients import ScanDesign, load_params, simulate_gel
    from mescams.stats.nb2 import fit_crossover_trials

    params, design = load_params(), ScanDesign.from_protocol(default_protocol())
    workers = min(2, os.cpu_count() or 1)
    cell = GridCell(PARTICIPANTS, 0.6, params.gel.patient_dispersion_k)

    def batched(engine: str, n_trials: int) -> float:
        run_grid([cell], n_trials=2000, seed=0, params=params, design=design, workers=workers,
                 analyses=("crossover",), engine=engine)  # warm-up (and, once per install, compilation)
        before = _load()
        start, cpu_start = time.perf_counter(), time.process_time()
        rows = run_grid([cell], n_trials=n_trials, seed=1, params=params, design=design, chunk_size=2500,
                        workers=workers, analyses=("crossover",), engine=engine)
        wall_s, cpu_s = time.perf_counter() - start, time.process_time() - cpu_start
        rate = n_trials / wall_s
        print(f"batched engine, {engine} fit ({workers} threads): {n_trials} trials in {wall_s:.2f} s = "
              f"{rate:,.0f} trials/s; {n_trials / cpu_s:,.0f} trials per CPU-second (power at RR 0.6: "
              f"{rows[0].rejection_rate:.3f}, {rows[0].not_converged} fits not converged; {before} before, "
              f"{_load()} after)")
        return rate

    batched_rate = batched("compiled", BATCHED_TRIALS)
    numpy_rate = batched("numpy", NUMPY_TRIALS)
    print(f"compiled fit is {batched_rate / numpy_rate:.1f}x the NumPy engine")

    gel = simulate_gel(params, design, LOOP_TRIALS, PARTICIPANTS, np.random.default_rng(2), rate_ratio=0.6)
    y, n, t = gel.period_totals()
    batch = fit_crossover_trials(y, n, t)
    start = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        singles = [stats_crossover_fit(y[i], n[i], t[i]) for i in range(LOOP_TRIALS)]
    single_s = time.perf_counter() - start
    single_rate = LOOP_TRIALS / single_s
    diff = max(float(np.abs(s.params_.to_numpy() - batch.beta[i]).max())
               for i, s in enumerate(singles) if s.converged_)
    print(f"single-trial fit loop (mescams.stats.nb2.models): {single_rate:,.1f} trials/s; "
          f"batched is {batched_rate / single_rate:,.0f}x faster; max |beta difference| {diff:.1e}")

    if shutil.which("Rscript") is None:
        print("glmmTMB loop: skipped (Rscript not installed)")
    else:
        start = time.perf_counter()
        ref, r_fit_s = glmmtmb_fits(y, n, t)
        r_wall_s = time.perf_counter() - start
        r_rate = LOOP_TRIALS / r_fit_s
        ok = ref["ok"].astype(bool).to_numpy() & ~batch.at_bound
        r_diff = float(np.abs(ref.loc[ok, ["b0", "b_trt", "b_per"]].to_numpy(dtype=float) - batch.beta[ok]).max())
        print(f"glmmTMB loop in one Rscript: {r_rate:,.2f} trials/s (fits alone; {r_wall_s:.1f} s with R start-up); "
              f"batched is {batched_rate / r_rate:,.0f}x faster; max |beta difference| {r_diff:.1e}")
    print(f"target 5,000 trials/s: {'met' if batched_rate >= 5000 else 'NOT met'} ({batched_rate:,.0f})")


if __name__ == "__main__":
    main()
