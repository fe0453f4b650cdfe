"""Exact proportions, the signed-rank test and the Hodges-Lehmann estimate against R."""

from __future__ import annotations

import numpy as np
import pytest

from mescams.stats.safety import clopper_pearson
from mescams.stats.volumes import hodges_lehmann, signed_rank_test

DIFFERENCES = np.array([-12.5, 3.1, -40.2, -7.7, 0.9, -22.0, -15.3, 5.6, -30.1, -2.2])


@pytest.mark.parametrize(("x", "n", "low", "high"), [
    (3, 30, 0.0211171370297226, 0.2652884504742081),  # R> binom.test(3, 30)$conf.int
    (0, 12, 0.0, 0.264648469397051),  # R> binom.test(0, 12)$conf.int
])
def test_clopper_pearson_matches_binom_test(x: int, n: int, low: float, high: float) -> None:
    ours = clopper_pearson(x, n)
    assert ours[0] == pytest.approx(low, rel=1e-10, abs=1e-14)
    assert ours[1] == pytest.approx(high, rel=1e-10)


def test_clopper_pearson_without_denominator_is_none() -> None:
    assert clopper_pearson(0, 0) == (None, None)


def test_signed_rank_and_hodges_lehmann_match_wilcox_test() -> None:
    """R> w <- wilcox.test(d, conf.int = TRUE); w$statistic (V = 8), w$p.value, w$estimate (exact, no ties)."""
    statistic, p_value = signed_rank_test(DIFFERENCES)
    assert statistic == 8
    assert p_value == pytest.approx(0.048828125, rel=1e-10)
    assert hodges_lehmann(DIFFERENCES) == pytest.approx(-11.5)


def test_signed_rank_with_ties_uses_corrected_normal_approximation() -> None:
    """R> wilcox.test(c(d, -3.1, 7.7), exact = FALSE)$p.value = 0.0773280086810267 (tie and continuity corrected)."""
    _, p_value = signed_rank_test(np.append(DIFFERENCES, [-3.1, 7.7]))
    assert p_value == pytest.approx(0.0773280086810267, rel=1e-6)
