"""The batched fits against R itself: glmmTMB (nbinom2) for the crossover model, MASS::glm.nb for period 1.

R calls (one Rscript process for all trials, mescams/sim/r/glmmtmb_batch.R):
``glmmTMB(y ~ treatment + period + offset(log(n_scans)) + (1 | participant), family = nbinom2)``.
Tolerances as the stats area's validation: estimates and SEs 1e-4 relative, theta and the SD 1e-3.
"""

from __future__ import annotations

import json
import shutil
import subprocess

import numpy as np
import pytest

from mescams.sim.reference_fits import glmmtmb_fits
from mescams.stats.nb2 import fit_crossover_trials, fit_regression_trials
from tests.conftest import require
from tests.factories.nb2_trials import model_trials

pytestmark = [pytest.mark.r, pytest.mark.heavy_sim]


def test_crossover_fits_equal_glmmtmb() -> None:
    require(shutil.which("Rscript") is not None, "Rscript (with glmmTMB) is not installed")
    sets = [model_trials(3, seed=s, n_part=n, rate_ratio=rr, theta=th, sigma=sd)
            for s, n, rr, th, sd in [(1, 31, 0.6, 2.0, 0.8), (2, 31, 1.0, 1.0, 1.0), (3, 60, 0.4, 4.0, 0.5)]]
    width = max(s[0].shape[1] for s in sets)  # pad smaller trials with absent participants (no scans)

    def pad(a: np.ndarray) -> np.ndarray:
        return np.pad(a, ((0, 0), (0, width - a.shape[1]), (0, 0)))

    y, n, t = (np.concatenate([pad(s[k]) for s in sets]) for k in range(3))
    ours = fit_crossover_trials(y, n, t)
    ref, _ = glmmtmb_fits(y, n, t)
    checked = 0
    for i in range(y.shape[0]):
        r = ref.iloc[i]
        if not (r["ok"] and r["pdHess"]) or ours.at_bound[i]:
            continue
        checked += 1
        np.testing.assert_allclose(ours.beta[i], r[["b0", "b_trt", "b_per"]].to_numpy(dtype=float), rtol=1e-4,
                                   atol=1e-5)
        np.testing.assert_allclose(ours.se[i], r[["se0", "se_trt", "se_per"]].to_numpy(dtype=float), rtol=1e-4)
        assert ours.theta[i] == pytest.approx(r["theta"], rel=1e-3)
        assert ours.random_intercept_sd[i] == pytest.approx(r["sd"], rel=1e-3)
        assert ours.loglik[i] == pytest.approx(r["loglik"], abs=1e-5)
    assert checked >= 7


def test_period1_fits_equal_glm_nb() -> None:
    require(shutil.which("Rscript") is not None, "Rscript (with MASS) is not installed")
    y, n, t = model_trials(4, seed=7, n_part=40, theta=1.5, sigma=0.0)
    ours = fit_regression_trials(y[..., 0], n[..., 0], t[..., 0])
    data = [{"y": y[i, :, 0].tolist(), "n": n[i, :, 0].tolist(), "t": t[i, :, 0].tolist()} for i in range(4)]
    script = (
        "suppressPackageStartupMessages(library(MASS)); library(jsonlite);"
        "d <- fromJSON(file('stdin'), simplifyVector = TRUE);"
        "out <- lapply(seq_len(nrow(d)), function(i) { df <- data.frame(y = d$y[[i]], n = d$n[[i]], t = d$t[[i]]);"
        "df <- df[df$n > 0, ]; f <- glm.nb(y ~ t + offset(log(n)), data = df, control = glm.control(epsilon = 1e-12,"
        "maxit = 100)); list(b = unname(coef(f)), se = unname(sqrt(diag(vcov(f)))), theta = f$theta) });"
        "cat(toJSON(out, digits = NA, auto_unbox = TRUE))"
    )
    proc = subprocess.run(["Rscript", "-e", script], input=json.dumps(data), capture_output=True, text=True,
                          check=True, timeout=120)
    for i, r in enumerate(json.loads(proc.stdout)):
        np.testing.assert_allclose(ours.beta[i], r["b"], rtol=1e-6, atol=1e-7)
        np.testing.assert_allclose(ours.se[i], r["se"], rtol=1e-5)
        assert ours.theta[i] == pytest.approx(r["theta"], rel=1e-5)
