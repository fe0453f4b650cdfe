"""A node's Laplace part: its gradient is the derivative of its value, and parts add up over any split of the
participants into nodes (what makes the federated fit the pooled one)."""

from __future__ import annotations

import numpy as np
import pytest

from mescams.stats.federated.laplace import NodeData, node_contribution, pad_participants


def _trial(rng: np.random.Generator, n: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    ids, y, x, off = [], [], [], []
    for i in range(n):
        b = rng.normal(0.0, 0.8)
        for period in (0, 1):
            if i % 7 == 3 and period == 1:
                continue  # a participant without a second period
            treated = (period == 0) == (i % 2 == 0)
            scans = rng.integers(3, 7)
            mu = scans * np.exp(-0.7 - 0.4 * treated + 0.2 * period + b)
            ids.append(f"P{i:03d}")
            y.append(rng.negative_binomial(1.4, 1.4 / (1.4 + mu)))
            x.append([1.0, float(treated), float(period)])
            off.append(np.log(scans))
    return np.array(ids), np.array(y, dtype=float), np.array(x), np.array(off)


@pytest.fixture()
def data() -> NodeData:
    return pad_participants(*_trial(np.random.default_rng(7), 21))


Z = np.array([-0.5, -0.3, 0.1, 0.4, -0.6])


def test_gradient_is_the_derivative_of_the_value(data: NodeData) -> None:
    part = node_contribution(data, Z)
    for k in range(len(Z)):
        e = np.zeros_like(Z)
        e[k] = 1e-6
        numeric = (node_contribution(data, Z + e).loglik - node_contribution(data, Z - e).loglik) / 2e-6
        assert part.gradient[k] == pytest.approx(numeric, rel=1e-6, abs=1e-6)


def test_hessian_is_symmetric_and_negative_definite_near_the_data(data: NodeData) -> None:
    hessian = node_contribution(data, Z).hessian
    assert np.allclose(hessian, hessian.T)
    assert np.linalg.eigvalsh(hessian).max() < 0


def test_parts_add_up_over_any_split_of_participants() -> None:
    ids, y, x, off = _trial(np.random.default_rng(8), 30)
    whole = node_contribution(pad_participants(ids, y, x, off), Z)
    groups = np.array([int(i[1:]) % 3 for i in ids])
    parts = [node_contribution(pad_participants(ids[groups == g], y[groups == g], x[groups == g],
                                                off[groups == g]), Z) for g in range(3)]
    assert sum(p.loglik for p in parts) == pytest.approx(whole.loglik, rel=1e-12)
    assert np.allclose(sum(p.gradient for p in parts), whole.gradient, rtol=1e-10, atol=1e-10)
    assert np.allclose(sum(p.hessian for p in parts), whole.hessian, rtol=1e-7, atol=1e-7)


def test_wrong_number_of_parameters_is_refused(data: NodeData) -> None:
    with pytest.raises(ValueError, match="parameters: expected 5 values"):
        node_contribution(data, Z[:4])
