"""The engines that fit a batch of NB2 data, each declaring the designs it supports.

- ``numpy``: the readable reference (:mod:`mescams.stats.nb2.optimiser`), all trials in lock-step array rounds;
  any design: the GLM or the random-intercept model, any columns, any cells per participant.
- ``compiled``: the same procedure per trial in compiled code (:mod:`mescams.stats.nb2.compiled`), several
  times faster and free of the interpreter lock; the GLM with up to three columns and one cell per participant
  and the crossover mixed model (columns 1, treatment, period 2 on two periods): a simulated trial's analyses.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from mescams.errors import InputValidationError
from mescams.stats.nb2 import spec
from mescams.stats.nb2.data import NB2Data
from mescams.stats.nb2.optimiser import fit_numpy, from_z, z_limits
from mescams.stats.nb2.result import NB2Fit, make_result

__all__ = ["ENGINES", "Engine", "fit"]


@dataclass(frozen=True)
class Engine:
    name: str
    designs: str
    supports: Callable[[NB2Data], bool]
    run: Callable[[NB2Data, float, int], NB2Fit]


def _run_numpy(data: NB2Data, tol: float, max_iter: int) -> NB2Fit:
    out = fit_numpy(data, tol, max_iter)
    return make_result(data, out.phi, out.hess, out.ll, out.converged, out.iterations, out.grad, out.b)


def _run_compiled(data: NB2Data, tol: float, max_iter: int) -> NB2Fit:
    from mescams.stats.nb2.compiled import fit_trials  # numba: a heavy import, and compiled on first use

    n_t, p, k = data.n_trials, data.X.shape[0], data.n_params
    limits = np.zeros((4, max(k, 3)))
    limits[0, :k], limits[1, :k] = z_limits(p, data.random_intercept)
    limits[3, :k] = from_z(limits[:1, :k], p)[0]
    limits[2, :3] = spec.FINAL_STEP, math.log(spec.THETA_BOUNDARY), math.log(spec.SIGMA_BOUNDARY)
    phi, hess, grad = np.empty((n_t, k)), np.empty((n_t, k, k)), np.empty((n_t, k))
    ll, converged, iterations = np.empty(n_t), np.empty(n_t, dtype=bool), np.empty(n_t, dtype=np.int64)
    fit_trials(*data.per_trial(), k, float(tol), int(max_iter), limits,
               np.array([spec.RESTART_LOG_THETA, spec.RESTART_LOG_SIGMA]), phi, hess, ll, grad, converged, iterations)
    return make_result(data, phi, hess, ll, converged, iterations, grad)


def _compiled_takes(data: NB2Data) -> bool:
    return data.crossover if data.random_intercept else data.X.shape[0] <= 3 and data.X.shape[1] == 1


ENGINES = {
    "compiled": Engine("compiled", "the GLM with up to three columns and one cell per participant, the crossover "
                       "mixed model", _compiled_takes, _run_compiled),
    "numpy": Engine("numpy", "any design", lambda d: True, _run_numpy),
}


def fit(data: NB2Data, engine: str = "numpy", *, tol: float = spec.TOLERANCE, max_iter: int = spec.MAX_ITER,
        term: int = 1) -> NB2Fit:
    """Fit every trial of ``data`` with ``engine``; ``term`` is the column the rate-ratio properties read."""
    if engine not in ENGINES:
        raise InputValidationError("engine", f"unknown engine {engine!r}; choose from {', '.join(ENGINES)}")
    chosen = ENGINES[engine]
    if not chosen.supports(data):
        raise InputValidationError("engine", f"the {engine} engine fits {chosen.designs}, not this design")
    result = chosen.run(data, tol, max_iter)
    return result if term == 1 else NB2Fit(**{**result.__dict__, "term": term})
