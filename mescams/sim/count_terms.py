"""The theta-dependent parts of the NB2 log-likelihood of integer counts, fast for many small counts.

For an integer count y, lgamma(y + theta) - lgamma(theta) = sum_{j<y} log(theta + j), and the digamma and trigamma
differences are the sums of 1/(theta + j) and -1/(theta + j)^2. Lesion counts are mostly small, so a per-trial
table of these cumulative sums, read at each count, costs far less than three special functions per cell; the
few counts above the table's cap use the special functions directly.
"""

from __future__ import annotations

import numpy as np
from scipy import special

__all__ = ["CountTerms"]

TABLE_CAP = 40


class CountTerms:
    """Lookup of (lgamma(y+theta) - lgamma(theta), digamma(y+theta) - digamma(theta), trigamma difference).

    ``y``: integer-valued counts of any shape, with the trials along ``trial_axis``; call with theta (T,).
    """

    def __init__(self, y: np.ndarray, trial_axis: int) -> None:
        self.y = y
        self.trial_axis = trial_axis
        y_max = int(y.max(initial=0.0))
        self.cap = min(y_max, TABLE_CAP)
        self.idx = np.minimum(y, self.cap).astype(np.intp)
        self.big = np.nonzero(y > self.cap)
        self.y_big = y[self.big]
        shape = [1] * y.ndim
        shape[trial_axis] = y.shape[trial_axis]
        self.rows = np.arange(y.shape[trial_axis]).reshape(shape)

    def __call__(self, theta: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        j = theta[:, None] + np.arange(self.cap)
        zeros = np.zeros((theta.size, 1))
        out = []
        for f in (np.log(j), 1.0 / j, -1.0 / (j * j)):
            table = np.concatenate([zeros, np.cumsum(f, axis=1)], axis=1)
            out.append(table[self.rows, self.idx])
        if self.y_big.size:
            th = theta[self.big[self.trial_axis]]
            yb = self.y_big + th
            out[0][self.big] = special.gammaln(yb) - special.gammaln(th)
            out[1][self.big] = special.digamma(yb) - special.digamma(th)
            out[2][self.big] = special.polygamma(1, yb) - special.polygamma(1, th)
        return out[0], out[1], out[2]
