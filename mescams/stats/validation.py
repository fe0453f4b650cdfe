"""Validation of our statistics against R, number for number, on generated datasets.

:data:`SCENARIOS` covers the shapes the issue names: 31 and 200 participants, missing scans, a zero-heavy arm,
very high dispersion, a null and a strong effect (plus dropouts). For each dataset :func:`our_results` and the R
script ``mescams/stats/r/reference.R`` (glmmTMB nbinom2, MASS::glm.nb, survival) produce the same structure;
:func:`compare` lists every number that differs by more than the tolerance (1e-4 relative for estimates,
SEs, p-values and survival; 1e-3 for theta and the random-intercept SD).

``python -m mescams.stats.validation OUT.json`` regenerates the cached R outputs
(``tests/fixtures/stats/r_reference.json``); the tests use the cache, and a CI test re-runs R on a few
datasets to confirm it.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterable
from dataclasses import asdict, replace
from pathlib import Path
from typing import Any

import numpy as np

from mescams.core.protocol import Protocol
from mescams.protocols import default_protocol
from mescams.stats.analysis_data import folder_hash, read_analysis_data
from mescams.stats.crossover import fit_carryover, fit_crossover, fit_period1, fit_within_sequence
from mescams.stats.datasets import period_totals, relapse_counts
from mescams.stats.relapses import RelapseRates
from mescams.stats.survival import ANALYSES, SurvivalComparison, progression_times
from mescams.stats.synthetic import SyntheticTrial, write_synthetic_folder
from mescams.stats.volumes import VolumeComparison

__all__ = ["R_SCRIPT", "SCENARIOS", "compare", "our_results", "run_r", "write_scenario"]

R_SCRIPT = Path(__file__).resolve().parent / "r" / "reference.R"
RTOL = 1e-4
RTOL_VARIANCE = 1e-3
ATOL_P = 1e-10
SD_BOUNDARY = 1e-3
COEF_FLOOR_IN_SE = 1e-6
THETA_BOUNDARY = 1e5  # p-values that small are compared on absolute scale


def _scenarios() -> dict[str, SyntheticTrial]:
    base = SyntheticTrial()
    shapes = {
        "n31": base,
        "n200": replace(base, n_participants=200),
        "missing": replace(base, missing_scan_prob=0.25),
        "zeroheavy": replace(base, msc_zero_prob=0.7, rate_per_scan=2.5),
        "dispersed": replace(base, theta=0.25, rate_per_scan=3.0),
        "null": replace(base, rate_ratio=1.0),
        "strong": replace(base, rate_ratio=0.15, rate_per_scan=3.0),
        "dropout": replace(base, dropout_prob=0.2, missing_scan_prob=0.1),
    }
    seeds = {"n31": 5, "n200": 3, "missing": 4, "zeroheavy": 4, "dispersed": 4, "null": 4, "strong": 4,
             "dropout": 3}
    return {f"{name}_s{k}": replace(trial, seed=1000 * (i + 1) + k)
            for i, (name, trial) in enumerate(shapes.items()) for k in range(seeds[name])}


SCENARIOS: dict[str, SyntheticTrial] = _scenarios()
# Boundary rules of the comparison (documented in compare): both SDs < SD_BOUNDARY, both thetas > THETA_BOUNDARY
# (R then refits the Poisson limit), coefficients within COEF_FLOOR_IN_SE standard errors of each other.


def write_scenario(root: Path, name: str, protocol: Protocol) -> Path:
    """Write one scenario's contract folder plus the two time-to-event files R reads."""
    folder = write_synthetic_folder(root / name, SCENARIOS[name])
    data = read_analysis_data(folder, protocol)
    relapse_counts(data, protocol).to_csv(folder / "relapse_counts.csv", index=False)
    for analysis in ANALYSES:
        progression_times(data, protocol, analysis=analysis).drop(columns="reason").to_csv(
            folder / f"tte_{analysis}.csv", index=False)
    return folder


def _terms(model: Any) -> dict[str, dict[str, float]]:
    return {term: {"coef": float(row["coef"]), "se": float(row["se"]), "p": float(row["p"])}
            for term, row in model.summary.iterrows()}


def _survival(data: Any, protocol: Protocol, analysis: str) -> dict[str, Any]:
    times = progression_times(data, protocol, analysis=analysis)
    groups = sorted(times["group"].unique())
    out: dict[str, Any] = {"km": {}}
    for group in groups:
        rows = times[times["group"] == group]
        from lifelines import KaplanMeierFitter

        km = KaplanMeierFitter().fit(rows["time"], rows["event"])
        event_times = np.sort(rows["time"].unique())
        ci = km.confidence_interval_survival_function_.loc[event_times].to_numpy()
        surv = km.survival_function_.loc[event_times].to_numpy()[:, 0]
        out["km"][group] = {"time": event_times.tolist(), "surv": surv.tolist(), "lower": ci[:, 0].tolist(),
                            "upper": ci[:, 1].tolist()}
    if len(groups) == 2 and times["event"].sum() > 0:
        treated = "MSC" if "MSC" in groups else groups[1]
        reference = next(g for g in groups if g != treated)
        comparison = SurvivalComparison(reference, treated)
        import warnings

        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            comparison.fit(times)
        out["logrank"] = {"chisq": comparison.logrank_statistic_, "p": comparison.logrank_p_}
        if comparison.converged_:
            out["cox"] = _terms(comparison)["treated"]
    return out


def our_results(folder: Path, protocol: Protocol) -> dict[str, Any]:
    """Our fits on one folder, in the structure the R script writes."""
    data = read_analysis_data(folder, protocol)
    totals = period_totals(data, protocol)
    mixed = fit_crossover(totals, protocol)
    first = fit_period1(totals, protocol)
    carry = fit_carryover(totals, protocol)
    cua = fit_period1(totals, protocol, "cua_total")
    out = {
        "crossover": _mixed(mixed),
        "period1": {"terms": _terms(first), "theta": first.theta_, "se_theta": first.se_theta_},
        "carryover": {"terms": _terms(carry), "theta": carry.theta_, "se_theta": carry.se_theta_},
        "cua_crossover": _mixed(fit_crossover(totals, protocol, "cua_total")),
        "cua_period1": {"terms": _terms(cua), "theta": cua.theta_, "se_theta": cua.se_theta_},
        "gel_volume": _volume(VolumeComparison(protocol, "gel_volume_mm3").fit(totals)),
        "black_hole_volume": _volume(VolumeComparison(protocol, "black_hole_volume_mm3").fit(totals)),
        **{f"survival_{a}": _survival(data, protocol, a) for a in ANALYSES},
    }
    for sequence in (s.code for s in protocol.design.sequences):
        out[f"within_{sequence}"] = _mixed(fit_within_sequence(totals, protocol, sequence))
    relapses = RelapseRates(protocol).fit(relapse_counts(data, protocol))
    if relapses.converged_:
        out["relapses"] = {"terms": _terms(relapses)}
    return out


def _mixed(model: Any) -> dict[str, Any]:
    return {"terms": _terms(model), "theta": model.theta_, "sd": model.random_intercept_sd_, "loglik": model.loglik_}


def _volume(comparison: VolumeComparison) -> dict[str, Any]:
    out: dict[str, Any] = {"wilcoxon_p": comparison.p_value_}
    if comparison.mixed_ is not None:
        row = comparison.mixed_.loc["active"]
        out["loglinear"] = {"coef": float(row["coef"]), "se": float(row["se"])}
    return out


def run_r(folders: Iterable[Path], out_json: Path) -> dict[str, Any]:
    """Run the R reference script on the folders; returns its JSON (keyed by folder name)."""
    rscript = shutil.which("Rscript")
    if rscript is None:
        raise FileNotFoundError("Rscript not found: install r-base-core, r-cran-glmmtmb, r-cran-mass, "
                                "r-cran-survival, r-cran-jsonlite")
    # S603: Rscript found on PATH, running our own script on the caller's folders; no shell
    subprocess.run([rscript, "--vanilla", str(R_SCRIPT), str(out_json), *map(str, folders)], check=True,  # noqa: S603
                   capture_output=True, text=True)
    return dict(json.loads(out_json.read_text(encoding="utf-8")))


def _tolerance(path: str) -> float:
    return RTOL_VARIANCE if path.endswith((".theta", ".sd", ".se_theta")) else RTOL


def _close(ours: float | None, ref: float | None, rtol: float, *, is_p: bool, is_sd: bool = False,
           is_theta: bool = False) -> bool:
    if ours is None or ref is None:
        return ours is None and ref is None
    if is_theta and min(abs(ours), abs(ref)) > THETA_BOUNDARY:
        return True  # both on the Poisson boundary: glmmTMB stops at some theta ~1e7, we report infinity
    if not (np.isfinite(ours) and np.isfinite(ref)):
        return bool(np.isnan(ours) and np.isnan(ref)) or ours == ref
    if is_p and max(abs(ours), abs(ref)) < ATOL_P:
        return True
    if is_sd and max(abs(ours), abs(ref)) < SD_BOUNDARY:
        return True  # both on the boundary: glmmTMB stops at some SD ~1e-5, we report the limit 0
    return abs(ours - ref) <= rtol * max(abs(ref), 1e-12)


def _near_zero_agrees(ours: float, ref: float, se: float) -> bool:
    """A coefficient near 0 (e.g. a Cox log hazard ratio of 3e-5) has no meaningful relative precision: both
    optimisers stop ~1e-7 from it. Such a difference is accepted when it is below 1e-6 standard errors."""
    return abs(float(ours) - float(ref)) <= COEF_FLOOR_IN_SE * se


def compare(ours: Any, ref: Any, path: str = "") -> list[str]:
    """Every mismatch between our structure and R's, as ``path: ours vs R`` lines (empty when they agree)."""
    problems: list[str] = []
    if isinstance(ref, dict):
        for key, value in ref.items():
            if key in {"pdHess", "max_gradient"} or key.endswith("_raw"):
                continue
            if not isinstance(ours, dict) or key not in ours:
                problems.append(f"{path}.{key}: missing in ours")
                continue
            if key == "coef" and "se" in ref and _near_zero_agrees(ours["coef"], value, float(ref["se"])):
                continue
            problems += compare(ours[key], value, f"{path}.{key}")
        return problems
    if isinstance(ref, list) or isinstance(ours, list):
        ref_list = ref if isinstance(ref, list) else [ref]
        ours_list = ours if isinstance(ours, list) else [ours]
        if len(ref_list) != len(ours_list):
            return [f"{path}: {len(ours_list)} values vs R's {len(ref_list)}"]
        for i, (a, b) in enumerate(zip(ours_list, ref_list, strict=True)):
            problems += compare(a, b, f"{path}[{i}]")
        return problems
    ref_value = None if ref is None or ref == "NA" else float(ref)
    ours_value = None if ours is None or ours == "NA" or (isinstance(ours, float) and np.isnan(ours)) else float(ours)
    if ref_value is None and ours_value is not None and path.split(".")[-1].startswith(("lower", "upper")):
        return []  # R gives NA for log-log limits where the survival is 0; lifelines gives 0: both mean none
    if not _close(ours_value, ref_value, _tolerance(path), is_p=path.endswith(".p"),
                  is_sd=path.endswith(".sd"), is_theta=path.endswith(".theta")):
        problems.append(f"{path}: ours {ours_value!r} vs R {ref_value!r}")
    return problems


def main(argv: list[str] | None = None) -> int:
    """Regenerate the cached R outputs: ``python -m mescams.stats.validation OUT.json [SCENARIO ...]``."""
    args = sys.argv[1:] if argv is None else argv
    out = Path(args[0])
    names = args[1:] or list(SCENARIOS)
    protocol = default_protocol()
    with tempfile.TemporaryDirectory() as tmp:
        folders = [write_scenario(Path(tmp), name, protocol) for name in names]
        results = run_r(folders, Path(tmp) / "r.json")
        cache = {name: {"trial": asdict(SCENARIOS[name]), "folder_hash": folder_hash(folder), "r": results[name]}
                 for name, folder in zip(names, folders, strict=True)}
    out.write_text(json.dumps(cache, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    print(f"wrote R reference outputs for {len(names)} datasets to {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
