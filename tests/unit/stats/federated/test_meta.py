"""REML random-effects meta-analysis against R (the restricted likelihood maximised by ``optimize``)."""

from __future__ import annotations

import pytest

from mescams.stats.federated.meta import reml_meta_analysis


def test_reml_matches_r() -> None:
    """R::

        y <- c(-0.3, -0.8, 0.1, -0.5); v <- c(0.04, 0.09, 0.05, 0.02)
        f <- function(t) {w <- 1/(v+t); mu <- sum(w*y)/sum(w)
                          -0.5*(sum(log(v+t)) + log(sum(w)) + sum(w*(y-mu)^2))}
        o <- optimize(f, c(0, 5), maximum = TRUE, tol = 1e-14); w <- 1/(v + o$maximum)
        c(o$maximum, sum(w*y)/sum(w), sqrt(1/sum(w)))  # 0.0657866778035 -0.3576863991582 0.1662850782540
    """
    meta = reml_meta_analysis([-0.3, -0.8, 0.1, -0.5], [0.04, 0.09, 0.05, 0.02])
    assert meta.tau2 == pytest.approx(0.0657866778035, abs=1e-8)
    assert meta.estimate == pytest.approx(-0.3576863991582, abs=1e-8)
    assert meta.se == pytest.approx(0.1662850782540, abs=1e-8)


def test_homogeneous_estimates_put_tau2_on_its_boundary() -> None:
    meta = reml_meta_analysis([-0.3, -0.31, -0.29], [0.04, 0.09, 0.05])
    assert meta.tau2 == 0.0
    assert meta.i2 == 0.0
    w = [1 / 0.04, 1 / 0.09, 1 / 0.05]
    assert meta.estimate == pytest.approx(sum(wi * yi for wi, yi in zip(w, [-0.3, -0.31, -0.29], strict=True)) / sum(w))


def test_one_trial_is_refused() -> None:
    with pytest.raises(ValueError, match="at least 2 trials"):
        reml_meta_analysis([-0.3], [0.04])
