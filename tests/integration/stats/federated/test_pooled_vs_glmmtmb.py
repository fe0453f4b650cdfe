"""The federated fit (parts summed over nodes) against glmmTMB on the pooled data, without servers: three and nine
synthetic trials of different sizes and baseline rates."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from mescams.stats.federated.laplace import NodePart, node_contribution, pad_participants
from mescams.stats.federated.pooled import fit_pooled
from tests.conftest import require
from tests.e2e.federated.r_reference import glmmtmb_pooled, r_available


def _trials(sizes: list[int], seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    rows = []
    for k, n in enumerate(sizes):
        for i in range(n):
            b = rng.normal(0.0, 0.9)
            for period in (1, 2):
                treated = (period == 1) == (i % 2 == 0)
                scans = int(rng.integers(4, 7))
                mu = scans * np.exp(-0.8 + 0.25 * k - 0.45 * treated + 0.15 * (period == 2) + b)
                rows.append({"participant_id": f"T{k + 1}-{i:03d}", "trial": k + 1, "period": period,
                             "treatment": "MSC" if treated else "PLACEBO", "n_scans": scans,
                             "gel_total": int(rng.negative_binomial(1.3, 1.3 / (1.3 + mu)))})
    return pd.DataFrame(rows)


def _federated(pooled: pd.DataFrame) -> tuple[float, float]:
    datas = []
    for _, rows in pooled.groupby("trial", sort=True):
        x = np.column_stack([np.ones(len(rows)), (rows["treatment"] == "MSC").to_numpy(dtype=float),
                             (rows["period"] == 2).to_numpy(dtype=float)])
        datas.append(pad_participants(rows["participant_id"].to_numpy(dtype=str),
                                      rows["gel_total"].to_numpy(dtype=float), x,
                                      np.log(rows["n_scans"].to_numpy(dtype=float))))

    def evaluate(zs: list[np.ndarray]) -> list[NodePart]:
        return [node_contribution(d, z) for d, z in zip(datas, zs, strict=True)]

    fit = fit_pooled(evaluate, len(datas), float(np.log(pooled["gel_total"].sum() / pooled["n_scans"].sum())))
    assert fit.converged, fit.message
    estimate, se = fit.estimate("treatment")
    assert se is not None
    return estimate, se


@pytest.mark.r
@pytest.mark.parametrize(("sizes", "seed"), [([10, 14, 18], 3), ([12, 14, 16, 18, 16, 14, 18, 20, 16], 4)])
def test_federated_fit_equals_glmmtmb_on_the_pooled_data(tmp_path: Path, sizes: list[int], seed: int) -> None:
    require(r_available(), "Rscript with glmmTMB not installed")
    pooled = _trials(sizes, seed)
    estimate, se = _federated(pooled)
    reference = glmmtmb_pooled(pooled, tmp_path)
    assert reference["gradient"] < 1e-8
    assert estimate == pytest.approx(reference["estimate"], abs=1e-6)
    assert se == pytest.approx(reference["se"], abs=1e-4)
