"""The causality scale and its yes/no reading: possible and above are related."""

from __future__ import annotations

import pytest

from mescams.core.causality import CAUSALITY_SCALE, Causality, is_related, parse_causality
from mescams.errors import InputValidationError


@pytest.mark.parametrize(("value", "related"), [("not_related", False), ("unlikely", False), ("possible", True),
                                                 ("probable", True), ("definite", True)])
def test_possible_and_above_are_related(value: str, related: bool) -> None:
    assert is_related(value) is related
    assert is_related(Causality(value)) is related


def test_not_assessed_is_not_yet_related() -> None:
    assert is_related(None) is False
    assert is_related("") is False


def test_scale_order_weakest_first() -> None:
    assert [c.value for c in CAUSALITY_SCALE] == ["not_related", "unlikely", "possible", "probable", "definite"]


@pytest.mark.parametrize("bad", ["related", "yes", "Possible", "maybe"])
def test_unknown_step_names_the_field_and_the_choices(bad: str) -> None:
    with pytest.raises(InputValidationError) as caught:
        parse_causality(bad)
    assert caught.value.field == "causality"
    assert "not_related, unlikely, possible, probable, definite" in caught.value.rule
