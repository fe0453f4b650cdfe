"""The disclosure rules refuse with a message naming the rule."""

from __future__ import annotations

import pytest

from mescams.stats.federated.disclosure import DisclosureRefused, check_model_size, check_nodes, released_count


def test_fewer_than_three_nodes_are_refused() -> None:
    check_nodes(3)
    with pytest.raises(DisclosureRefused, match="MIN_NODES"):
        check_nodes(2)


def test_small_nodes_and_large_models_are_refused() -> None:
    check_model_size(participants=6, observations=16, parameters=5)
    with pytest.raises(DisclosureRefused, match="MIN_PARTICIPANTS"):
        check_model_size(participants=5, observations=10, parameters=5)
    with pytest.raises(DisclosureRefused, match="MAX_PARAMETER_SHARE"):
        check_model_size(participants=8, observations=15, parameters=5)  # 5 > 0.33 * 15


@pytest.mark.parametrize(("count", "released"), [(0, 0), (1, None), (2, None), (3, 3), (40, 40)])
def test_counts_of_one_or_two_are_withheld(count: int, released: int | None) -> None:
    assert released_count(count) == released
