"""The SUSAR rule on worked cases: serious + related (possible or above) + unexpected + on the active product."""

from __future__ import annotations

import datetime as dt

import pytest

from mescams.core.causality import Causality
from mescams.core.safety.reference_safety import Expectedness
from mescams.core.safety.susar import Screening, SusarVerdict, product_at_onset, screen_case, susar_verdict

D = dt.date
U, E, N = Expectedness.UNEXPECTED, Expectedness.EXPECTED, Expectedness.NOT_ASSESSABLE


@pytest.mark.parametrize(("serious", "causality", "expectedness", "screening"), [
    (True, Causality.POSSIBLE, U, Screening.CANDIDATE),  # the weakest related step is enough
    (True, Causality.DEFINITE, U, Screening.CANDIDATE),
    (True, Causality.UNLIKELY, U, Screening.NOT_CANDIDATE),  # not related
    (True, Causality.NOT_RELATED, U, Screening.NOT_CANDIDATE),
    (True, Causality.PROBABLE, E, Screening.NOT_CANDIDATE),  # expected: no expedited report
    (False, Causality.DEFINITE, U, Screening.NOT_CANDIDATE),  # not serious
    (True, "", U, Screening.PENDING_CAUSALITY),  # not assessed yet: stays on the dashboard
    (True, None, N, Screening.PENDING_CAUSALITY),
    (True, Causality.PROBABLE, N, Screening.PENDING_EXPECTEDNESS),  # not coded: never silently expected
    (True, Causality.UNLIKELY, N, Screening.NOT_CANDIDATE),
])
def test_screening(serious: bool, causality: Causality | str | None, expectedness: Expectedness,
                   screening: Screening) -> None:
    assert screen_case(serious=serious, causality=causality, expectedness=expectedness) is screening


INFUSIONS = [(D(2016, 1, 4), "PLACEBO"), (D(2016, 6, 20), "MSC")]  # a PLACEBO-MSC participant


@pytest.mark.parametrize(("onset", "product"), [
    (D(2016, 1, 3), None),  # before the first infusion
    (D(2016, 1, 4), "PLACEBO"),  # on the infusion day: that infusion's product
    (D(2016, 6, 19), "PLACEBO"),
    (D(2016, 6, 20), "MSC"),
    (D(2017, 1, 1), "MSC"),
])
def test_product_at_onset(onset: dt.date, product: str | None) -> None:
    assert product_at_onset(INFUSIONS, onset) == product
    assert product_at_onset(list(reversed(INFUSIONS)), onset) == product  # order of the list does not matter


@pytest.mark.parametrize(("product", "verdict"), [
    ("MSC", SusarVerdict.SUSAR),
    ("PLACEBO", SusarVerdict.NOT_SUSAR_CONTROL),
    (None, SusarVerdict.NOT_SUSAR_UNEXPOSED),
])
def test_verdict_on_the_actual_treatment(product: str | None, verdict: SusarVerdict) -> None:
    assert susar_verdict(screening=Screening.CANDIDATE, product=product, active_products=["MSC"]) is verdict


def test_only_a_candidate_gets_a_verdict() -> None:
    with pytest.raises(ValueError, match="pending_expectedness"):
        susar_verdict(screening=Screening.PENDING_EXPECTEDNESS, product="MSC", active_products=["MSC"])
