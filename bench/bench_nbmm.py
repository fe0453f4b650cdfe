"""Our NB2 mixed model against glmmTMB (nbinom2) on the same 50 generated trials of 31 participants.

Both sides time only the fits (R: one Rscript process, one warm-up fit, data read before timing; ours: one
warm-up fit, then ``fit_crossover`` on period totals already derived). Prints per-fit times, the ratio
(target: ours >= 20x faster) and the largest difference in the MSC log rate ratio as a sanity check.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import tempfile
import time
import warnings
from dataclasses import replace
from pathlib import Path

import numpy as np

N_DATASETS = 50


def main() -> None:
    from mescams.protocols import default_protocol
    from mescams.stats.analysis_data import read_analysis_data
    from mescams.stats.crossover import fit_crossover
    from mescams.stats.datasets import period_totals
    from mescams.stats.synthetic import SyntheticTrial, write_synthetic_folder
    from mescams.stats.validation import R_SCRIPT

    protocol = default_protocol()
    rscript = shutil.which("Rscript")
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        totals, files = [], []
        for seed in range(N_DATASETS):
            trial = replace(SyntheticTrial(), seed=50_000 + seed, missing_scan_prob=0.05 * (seed % 3))
            folder = write_synthetic_folder(root / f"d{seed}", trial)
            frame = period_totals(read_analysis_data(folder, protocol), protocol)
            totals.append(frame)
            files.append(root / f"totals{seed}.csv")
            frame.to_csv(files[-1], index=False)

        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            fit_crossover(totals[0], protocol)  # warm-up
            ours, ours_estimate, converged = [], [], 0
            for frame in totals:
                start = time.perf_counter()
                model = fit_crossover(frame, protocol)
                ours.append(time.perf_counter() - start)
                converged += model.converged_
                ours_estimate.append(model.params_["treatmentMSC"] if model.converged_ else np.nan)
        ours_arr = np.array(ours)
        print(f"ours:    {N_DATASETS} fits, median {1e3 * np.median(ours_arr):.1f} ms, mean "
              f"{1e3 * ours_arr.mean():.1f} ms, min {1e3 * ours_arr.min():.1f}, max {1e3 * ours_arr.max():.1f} ms "
              f"({converged} converged)")
        if rscript is None:
            print("glmmTMB: Rscript not installed; no ratio")
            return
        out = root / "r.json"
        subprocess.run([rscript, "--vanilla", str(R_SCRIPT.parent / "bench_glmmtmb.R"), str(out),
                        *map(str, files)], check=True, capture_output=True, text=True)
        reference = json.loads(out.read_text())
        r_arr = np.array(reference["seconds"])
        print(f"glmmTMB: {N_DATASETS} fits, median {1e3 * np.median(r_arr):.1f} ms, mean "
              f"{1e3 * r_arr.mean():.1f} ms, min {1e3 * r_arr.min():.1f}, max {1e3 * r_arr.max():.1f} ms")
        print(f"ratio (glmmTMB / ours): median per fit {np.median(r_arr) / np.median(ours_arr):.1f}x, "
              f"total {r_arr.sum() / ours_arr.sum():.1f}x (target >= 20x)")
        print("per fit (ms, ours / glmmTMB):")
        for row in range(0, N_DATASETS, 10):
            print("  " + "  ".join(f"{1e3 * a:5.1f}/{1e3 * b:5.0f}" for a, b in
                                   zip(ours_arr[row:row + 10], r_arr[row:row + 10], strict=True)))
        difference = np.nanmax(np.abs(np.array(ours_estimate) - np.array(reference["estimate"])))
        print(f"largest |difference| in the MSC log rate ratio: {difference:.2e}")


if __name__ == "__main__":
    main()
