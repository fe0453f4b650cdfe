"""The data of a batch of NB2 fits, in the layout every engine reads: cells (periods M, trials T, participants N).

A GLM is the case M = 1 with no random intercept. A missing cell gets ``y = 0``, ``X = 0`` and an offset of
-1000, so its mean is exactly 0: the NB2 log-likelihood of a count 0 with mean 0 is 0 and so are all its
derivatives, which lets every sum run over all cells without masks.
"""

from __future__ import annotations

from functools import cached_property
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray
from scipy import special

from mescams.stats.nb2.spec import TABLE_CAP

__all__ = ["CountTerms", "NB2Data", "check_count_design", "pad_by_group"]

Array = NDArray[np.float64]
BLOCK = 512  # trials per NumPy evaluation block: a block's temporaries stay in cache
ABSENT_OFFSET = -1.0e3  # e^-1000 == 0


class CountTerms:
    """lgamma(y + theta) - lgamma(theta) and the digamma and trigamma differences, for integer counts.

    They are the sums over j < y of log(theta + j), 1/(theta + j) and -1/(theta + j)^2: a per-trial table of the
    cumulative sums, read at each count, costs far less than three special functions per cell, and stays exact
    near the Poisson limit (theta ~ 1e13), where the special-function differences lose their digits. Counts
    above the table's cap add their remaining terms one by one. ``y``: counts with the trials on
    ``trial_axis``; call with theta (T,).
    """

    def __init__(self, y: Array, trial_axis: int, cap: int | None = None) -> None:
        self.y, self.trial_axis = y, trial_axis
        self.cap = min(int(y.max(initial=0.0)), TABLE_CAP) if cap is None else cap
        shape = [1] * y.ndim
        shape[trial_axis] = y.shape[trial_axis]
        rows = np.arange(y.shape[trial_axis]).reshape(shape)
        self.flat = (np.minimum(y, self.cap).astype(np.intp) + rows * (self.cap + 1)).ravel()
        self.big = np.nonzero(y > self.cap)
        extra = (y[self.big] - self.cap).astype(np.intp)  # the terms j = cap .. y - 1, as one ragged array
        self.big_starts = np.cumsum(extra) - extra
        self.big_cell = np.repeat(np.arange(extra.size), extra)
        self.big_j = self.cap + np.arange(int(extra.sum())) - np.repeat(self.big_starts, extra)

    def take(self, y: Array) -> CountTerms:
        """The lookup for ``y``, a subset of this one's trials (keeping this one's cap)."""
        return CountTerms(y, self.trial_axis, self.cap)

    def __call__(self, theta: Array) -> tuple[Array, Array, Array]:
        j = theta[:, None] + np.arange(self.cap)
        out = []
        table = np.zeros((theta.size, self.cap + 1))
        for f in (np.log(j), np.reciprocal(j), -1.0 / (j * j)):
            np.cumsum(f, axis=1, out=table[:, 1:])
            out.append(table.take(self.flat).reshape(self.y.shape))
        if self.big_starts.size:
            x = theta[self.big[self.trial_axis]][self.big_cell] + self.big_j
            inv = 1.0 / x
            out[0][self.big] += np.add.reduceat(np.log(x), self.big_starts)
            out[1][self.big] += np.add.reduceat(inv, self.big_starts)
            out[2][self.big] -= np.add.reduceat(inv * inv, self.big_starts)
        return out[0], out[1], out[2]


class NB2Data:
    """Counts ``y``, offsets and presence (M, T, N), design ``X`` (P, M, T, N), and what the design is.

    ``random_intercept``: the Laplace mixed model (a random intercept per participant) or the GLM.
    ``crossover``: the columns are (1, treatment, period 2) on two periods, the design the compiled engine
    fits. ``XX`` holds the products of the columns (upper triangle, row by row) for the Hessians.
    """

    _TRIAL_AXIS = {"y": 1, "offset": 1, "present": 1, "X": 2, "XX": 2, "y_sum": 0, "any_present": 0,
                   "lgamma_y1_sum": 0}

    def __init__(self, y: Array, offset: Array, present: NDArray[np.bool_], X: Array, random_intercept: bool,
                 crossover: bool = False) -> None:
        self.y, self.offset, self.present, self.X = y, offset, present, X
        self.random_intercept, self.crossover = random_intercept, crossover
        self.n_params = X.shape[0] + (2 if random_intercept else 1)  # beta, log theta[, log sigma]
        self.upper = np.triu_indices(X.shape[0])
        self.any_present: NDArray[np.bool_] = present.any(axis=0)

    # What only the NumPy engine reads is made on first use (the compiled engine sums per trial itself).
    @cached_property
    def XX(self) -> Array:
        return self.X[self.upper[0]] * self.X[self.upper[1]]

    @cached_property
    def counts(self) -> CountTerms:
        return CountTerms(self.y, trial_axis=1)

    @cached_property
    def y_sum(self) -> Array:
        total: Array = self.y.sum(axis=0)
        return total

    @cached_property
    def lgamma_y1_sum(self) -> Array:  # a constant of the log-likelihood: added once
        total: Array = np.einsum("mtn->t", special.gammaln(self.y + 1.0))
        return total

    @property
    def n_trials(self) -> int:
        return int(self.y.shape[1])

    def take(self, idx: NDArray[np.intp] | slice) -> NB2Data:
        """The trials ``idx``."""
        new = object.__new__(NB2Data)
        new.__dict__.update(self.__dict__)
        for name, axis in self._TRIAL_AXIS.items():
            if name in self.__dict__:
                new.__dict__[name] = self.__dict__[name][(slice(None),) * axis + (idx,)]
        if "counts" in self.__dict__:
            new.counts = self.counts.take(new.y)
        return new

    def blocks(self) -> list[tuple[slice, NB2Data]]:
        """The trials in consecutive blocks of at most ``BLOCK``."""
        cuts = [slice(s, min(s + BLOCK, self.n_trials)) for s in range(0, self.n_trials, BLOCK)]
        return [(cut, self.take(cut)) for cut in cuts]

    def per_trial(self) -> tuple[Array, Array, Array, NDArray[np.bool_]]:
        """y, offset (T, M, N), X (T, P, M, N), present (T, M, N), each trial contiguous (compiled engine)."""
        def move(a: NDArray[Any], axis: int) -> NDArray[Any]:
            return np.ascontiguousarray(np.moveaxis(a, axis, 0))
        return move(self.y, 1), move(self.offset, 1), move(self.X, 2), move(self.present, 1)

    @classmethod
    def from_cells(cls, y: Any, n_scans: Any, X: Array, *, random_intercept: bool, crossover: bool = False,
                   offset: Any = None) -> NB2Data:
        """From cells (M, T, N): a cell is missing where ``n_scans`` is 0; the offset is log(n_scans) unless
        given."""
        present = np.asarray(n_scans) > 0
        off = np.log(np.maximum(np.asarray(n_scans, dtype=float), 1.0)) if offset is None else offset
        return cls(np.where(present, np.asarray(y, dtype=float), 0.0), np.where(present, off, ABSENT_OFFSET),
                   present, np.where(present, X, 0.0), random_intercept, crossover)

    @classmethod
    def crossover_trials(cls, gel_total: Any, n_scans: Any, treatment: Any) -> NB2Data:
        """Crossover trials from (T, N, 2) arrays: ``y ~ treatment + period + offset(log n) + (1 | participant)``."""
        def cells(a: Any) -> Array:
            return np.moveaxis(np.asarray(a, dtype=float), -1, 0)
        if np.shape(gel_total)[-1] != 2:
            raise ValueError("the crossover model needs exactly 2 periods on the last axis")
        trt = cells(treatment)
        X = np.stack([np.ones_like(trt), trt, np.broadcast_to([[[0.0]], [[1.0]]], trt.shape)])
        return cls.from_cells(cells(gel_total), cells(n_scans), X, random_intercept=True, crossover=True)

    @classmethod
    def regression_trials(cls, y: Any, n_scans: Any, x: Any) -> NB2Data:
        """Parallel-group trials from (T, N) arrays: ``y ~ x + offset(log n)`` (NB2 GLM)."""
        xs = np.asarray(x, dtype=float)[None]
        return cls.from_cells(np.asarray(y)[None], np.asarray(n_scans)[None], np.stack([np.ones_like(xs), xs]),
                              random_intercept=False)

    @classmethod
    def one_trial(cls, y: Array, design: Array, offset: Array, groups: Any | None) -> tuple[NB2Data, NDArray[Any]]:
        """One trial from long rows: a mixed model when ``groups`` are given (one participant per group),
        else a GLM. Returns the data and the group labels (the participants' order)."""
        if groups is None:
            return cls(y[None, None], offset[None, None], np.ones((1, 1, len(y)), dtype=bool),
                       design.T[:, None, None].copy(), False), np.arange(len(y))
        labels, yp, xp, op, mask = pad_by_group(np.asarray(groups), y, design, offset)
        return cls.from_cells(yp.T[:, None], mask.T[:, None], np.moveaxis(xp, -1, 0).transpose(0, 2, 1)[:, :, None],
                              random_intercept=True, offset=op.T[:, None]), labels


def pad_by_group(groups: NDArray[Any], y: Array, design: Array, offset: Array
                 ) -> tuple[NDArray[Any], Array, Array, Array, NDArray[np.bool_]]:
    """Long rows to padded ``(groups, max rows per group)`` arrays: ``(labels, y, X, offset, mask)``."""
    labels, codes = np.unique(groups, return_inverse=True)
    order = np.argsort(codes, kind="stable")
    counts = np.bincount(codes, minlength=len(labels))
    starts = np.concatenate([[0], np.cumsum(counts)[:-1]])
    position = np.empty(len(codes), dtype=int)
    position[order] = np.arange(len(codes)) - np.repeat(starts, counts)
    shape = (len(labels), int(counts.max()))
    y_pad, off_pad, x_pad = np.zeros(shape), np.zeros(shape), np.zeros((*shape, design.shape[1]))
    mask = np.zeros(shape, dtype=bool)
    y_pad[codes, position], off_pad[codes, position], x_pad[codes, position] = y, offset, design
    mask[codes, position] = True
    return labels, y_pad, x_pad, off_pad, mask


def check_count_design(y: Array, design: pd.DataFrame) -> str | None:
    """Why a count model cannot be estimated on these data, or None.

    Loud checks before fitting (never a silent number): counts are whole and >= 0, there is at least one
    event, the design has full rank, and no 0/1 column separates the data (all counts zero on one side, where
    the maximum likelihood estimate of its coefficient is minus infinity).
    """
    if len(y) == 0:
        return "no observations"
    if np.any(y < 0) or np.any(np.abs(y - np.round(y)) > 0):
        return "counts must be whole numbers >= 0"
    if y.sum() == 0:
        return "every count is zero: rates cannot be estimated"
    matrix = design.to_numpy(dtype=float)
    if np.linalg.matrix_rank(matrix) < matrix.shape[1]:
        return f"the design ({', '.join(design.columns)}) is not of full rank"
    for column in design.columns:
        values = design[column].to_numpy(dtype=float)
        if set(np.unique(values)) <= {0.0, 1.0} and 0 < values.sum() < len(values):
            for side in (0.0, 1.0):
                if y[values == side].sum() == 0:
                    return f"all counts are zero where {column} = {side:g}: its rate ratio is not estimable"
    return None
