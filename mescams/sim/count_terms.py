"""The theta-dependent parts of the NB2 log-likelihood of integer counts, fast for many small counts.

For an integer count y, lgamma(y + theta) - lgamma(theta) = sum_{j<y} log(theta + j), and the digamma and trigamma
differences are the sums of 1/(theta + j) and -1/(theta + j)^2. Lesion counts are mostly small, so a per-trial
table of these cumulative sums, read at each count, costs far less than three special functions per cell; the
few counts above the table's cap add their remaining terms (j from the cap to y - 1) one by one.

Why not the special functions for those: near the Poisson limit (theta ~ 1e13) the differences
gammaln(y + theta) - gammaln(theta) and digamma(y + theta) - digamma(theta) lose their digits (errors of 0.1 in
the log-likelihood and of 3e-2 in its theta derivative were seen for counts above 40), where the sums stay exact.
"""

from __future__ import annotations

import numpy as np

__all__ = ["CountTerms"]

TABLE_CAP = 40


class CountTerms:
    """Lookup of (lgamma(y+theta) - lgamma(theta), digamma(y+theta) - digamma(theta), trigamma difference).

    ``y``: integer-valued counts of any shape, with the trials along ``trial_axis``; call with theta (T,).
    The three tables are read with one flat index computed here once (``take`` on a flat array is several times
    faster than indexing a 2-d table with two index arrays).
    """

    def __init__(self, y: np.ndarray, trial_axis: int, cap: int | None = None) -> None:
        self.y = y
        self.trial_axis = trial_axis
        self.cap = min(int(y.max(initial=0.0)), TABLE_CAP) if cap is None else cap
        shape = [1] * y.ndim
        shape[trial_axis] = y.shape[trial_axis]
        rows = np.arange(y.shape[trial_axis]).reshape(shape)
        self.flat = (np.minimum(y, self.cap).astype(np.intp) + rows * (self.cap + 1)).ravel()
        self.big = np.nonzero(y > self.cap)
        # the terms j = cap .. y - 1 of every count above the cap, as one ragged array
        extra = (y[self.big] - self.cap).astype(np.intp)
        self.big_starts = np.cumsum(extra) - extra
        self.big_cell = np.repeat(np.arange(extra.size), extra)
        self.big_j = self.cap + np.arange(int(extra.sum())) - np.repeat(self.big_starts, extra)

    def take(self, y: np.ndarray) -> CountTerms:
        """The lookup for ``y``, a subset of this one's trials (the table keeps this one's cap)."""
        return CountTerms(y, self.trial_axis, self.cap)

    def __call__(self, theta: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        j = theta[:, None] + np.arange(self.cap)
        out = []
        table = np.zeros((theta.size, self.cap + 1))
        for f in (np.log(j), np.reciprocal(j), -1.0 / (j * j)):
            np.cumsum(f, axis=1, out=table[:, 1:])
            out.append(table.take(self.flat).reshape(self.y.shape))
        if self.big_starts.size:  # the table read these at the cap; add the rest of their sums
            x = theta[self.big[self.trial_axis]][self.big_cell] + self.big_j
            inv = 1.0 / x
            out[0][self.big] += np.add.reduceat(np.log(x), self.big_starts)
            out[1][self.big] += np.add.reduceat(inv, self.big_starts)
            out[2][self.big] -= np.add.reduceat(inv * inv, self.big_starts)
        return out[0], out[1], out[2]
