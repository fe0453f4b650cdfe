"""glmmTMB on the pooled data: the reference the federated fit must reproduce.

R::

    fit <- glmmTMB(gel_total ~ treatment + period + trial + offset(log(n_scans)) + (1 | participant_id),
                   family = nbinom2, data = pooled)

then Newton steps on TMB's own objective (its Laplace approximation and AD gradient) until the gradient is below
1e-10, and ``TMB::sdreport`` at that point. Why the polish: glmmTMB's default ``nlminb`` stops with a gradient
near 1e-4, which leaves the estimates off by about 1e-6 from the maximum; the polished point is the maximum of the
same likelihood, so the comparison within 1e-6 tests the federated fit, not the optimisers' stopping rules.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pandas as pd

SCRIPT = r"""
suppressMessages(library(glmmTMB))
args <- commandArgs(trailingOnly = TRUE)
d <- read.csv(args[1], stringsAsFactors = FALSE)
d$trial <- factor(d$trial)
d$period <- factor(d$period)
d$treatment <- factor(d$treatment, levels = c("PLACEBO", "MSC"))
fit <- glmmTMB(gel_total ~ treatment + period + trial + offset(log(n_scans)) + (1 | participant_id),
               family = nbinom2, data = d)
obj <- fit$obj; par <- fit$fit$par
for (i in 1:20) {
  if (max(abs(obj$gr(par))) < 1e-10) break
  par <- par - solve(optimHess(par, obj$fn, obj$gr), obj$gr(par))
}
s <- summary(TMB::sdreport(obj, par.fixed = par), "fixed")
beta <- s[rownames(s) == "beta", , drop = FALSE]
k <- which(colnames(model.matrix(~ treatment + period + trial, d)) == "treatmentMSC")
cat(jsonlite::toJSON(list(estimate = beta[k, 1], se = beta[k, 2], gradient = max(abs(obj$gr(par))),
                          theta = exp(par[names(par) == "betad"][1])), digits = NA, auto_unbox = TRUE))
"""


def r_available() -> bool:
    return shutil.which("Rscript") is not None


def glmmtmb_pooled(pooled: pd.DataFrame, workdir: Path) -> dict[str, float]:
    """Treatment log rate ratio and SE (and theta) of glmmTMB on ``pooled`` (columns participant_id, trial,
    period, treatment, n_scans, gel_total)."""
    data, script = workdir / "pooled.csv", workdir / "pooled.R"
    pooled.to_csv(data, index=False)
    script.write_text(SCRIPT, encoding="utf-8")
    done = subprocess.run(["Rscript", str(script), str(data)], capture_output=True, text=True,  # noqa: S607,S603
                          timeout=600, check=False)
    if done.returncode != 0:
        raise RuntimeError(done.stderr[-2000:])
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))
