"""One simulated trial at a time, fitted by the reference implementations: the stats area's single-trial fits and
glmmTMB in R. Used by the tests (the batched fits must agree) and the benchmark (the batched fits must be faster).
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd

from mescams.stats.nb2.models import NegativeBinomialMixedModel, NegativeBinomialRegression

__all__ = ["R_SCRIPT", "glmmtmb_fits", "long_frame", "stats_crossover_fit", "stats_period1_fit"]

R_SCRIPT = Path(__file__).parent / "r" / "glmmtmb_batch.R"
TREATMENT, PERIOD = "treatmentMSC", "period2"


def long_frame(gel_total: np.ndarray, n_scans: np.ndarray, treatment: np.ndarray) -> pd.DataFrame:
    """One trial's (N, 2) arrays as long rows (participant, period, treatment, y, n_scans); empty periods dropped."""
    n_part = gel_total.shape[0]
    frame = pd.DataFrame({
        "participant": np.repeat(np.arange(n_part), 2), "period": np.tile([1, 2], n_part),
        "treatment": treatment.reshape(-1).astype(int), "y": gel_total.reshape(-1).astype(int),
        "n_scans": n_scans.reshape(-1).astype(int),
    })
    return frame[frame["n_scans"] > 0].reset_index(drop=True)


def stats_crossover_fit(gel_total: np.ndarray, n_scans: np.ndarray, treatment: np.ndarray
                        ) -> NegativeBinomialMixedModel:
    """The stats area's NB2 mixed model (``mescams.stats.nb2.models``) on one trial, as the contract's."""
    rows = long_frame(gel_total, n_scans, treatment)
    design = pd.DataFrame({"(Intercept)": 1.0, TREATMENT: rows["treatment"].astype(float),
                           PERIOD: (rows["period"] == 2).astype(float)})
    return NegativeBinomialMixedModel().fit(rows["y"], design, rows["participant"], np.log(rows["n_scans"]))


def stats_period1_fit(gel_total: np.ndarray, n_scans: np.ndarray, treatment: np.ndarray
                      ) -> NegativeBinomialRegression:
    """The stats area's NB2 regression (``mescams.stats.nb2.models``) on one trial's period 1: arrays (N,)."""
    keep = n_scans > 0
    design = pd.DataFrame({"(Intercept)": np.ones(int(keep.sum())), TREATMENT: treatment[keep].astype(float)})
    return NegativeBinomialRegression().fit(gel_total[keep], design, np.log(n_scans[keep].astype(float)))


def glmmtmb_fits(gel_total: np.ndarray, n_scans: np.ndarray, treatment: np.ndarray,
                 timeout_s: float = 3600) -> tuple[pd.DataFrame, float]:
    """Fit every trial of (T, N, 2) arrays with glmmTMB in one Rscript process.

    Returns one row per trial (b0, b_trt, b_per, se0, se_trt, se_per, theta, sd, loglik, pdHess) and R's own
    elapsed seconds for the fits alone.
    """
    rscript = shutil.which("Rscript")
    if rscript is None:
        raise FileNotFoundError("Rscript is not installed")
    frames = []
    for t in range(gel_total.shape[0]):
        rows = long_frame(gel_total[t], n_scans[t], treatment[t])
        rows.insert(0, "trial", t)
        frames.append(rows)
    with tempfile.TemporaryDirectory() as tmp:
        src, dst = Path(tmp) / "in.csv", Path(tmp) / "out.csv"
        pd.concat(frames).to_csv(src, index=False)
        # Rscript (path resolved by the caller) on our own script and temporary files; no shell
        subprocess.run([rscript, str(R_SCRIPT), str(src), str(dst)], check=True, capture_output=True,  # noqa: S603
                       timeout=timeout_s)
        out = pd.read_csv(dst)
    return out, float(out["elapsed_total"].iloc[0])
