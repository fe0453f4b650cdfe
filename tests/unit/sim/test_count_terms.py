"""The NB2 count terms against their definitions, summed exactly (math.fsum), up to the Poisson limit.

lgamma(y + theta) - lgamma(theta) = sum_{j<y} log(theta + j); the digamma and trigamma differences are the sums
of 1/(theta + j) and -1/(theta + j)^2. Near theta = 1e13 the special-function differences lose their digits, so
the reference is the sum itself.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from mescams.sim.count_terms import TABLE_CAP, CountTerms


@pytest.mark.parametrize("theta", [1e-3, 0.7, 50.0, 1e5, math.exp(30.0), math.exp(31.0)])
def test_count_terms_equal_their_sums_below_and_above_the_table_cap(theta: float) -> None:
    y = np.array([[0, 1, 5, TABLE_CAP, TABLE_CAP + 1, 60, 159], [2, 0, 45, 0, 1, 3, 100]], dtype=float)
    thetas = np.array([theta, 1.5 * theta])
    lg, dg, tg = CountTerms(y, trial_axis=0)(thetas)
    for row, th in enumerate(thetas):
        for col, count in enumerate(y[row].astype(int)):
            terms = [th + j for j in range(count)]
            assert lg[row, col] == pytest.approx(math.fsum(math.log(x) for x in terms), rel=1e-14, abs=1e-12)
            # scaled as they enter the derivatives in log theta: theta * digamma and theta^2 * trigamma terms
            assert th * dg[row, col] == pytest.approx(th * math.fsum(1 / x for x in terms), rel=1e-13, abs=1e-13)
            assert th**2 * tg[row, col] == pytest.approx(-(th**2) * math.fsum(1 / x**2 for x in terms),
                                                          rel=1e-13, abs=1e-13)


def test_a_subset_of_trials_reads_the_same_terms() -> None:
    y = np.array([[0, 3, 50], [7, 1, 0], [2, 2, 90]], dtype=float)
    theta = np.array([0.5, 2.0, 9.0])
    full = CountTerms(y, trial_axis=0)
    sub = full.take(y[[2, 0]])
    for a, b in zip(sub(theta[[2, 0]]), full(theta), strict=True):
        np.testing.assert_array_equal(a, b[[2, 0]])
