"""Dose, volume and DMSO of the MSC product and its matching placebo (protocol ``products``).

Worked values from the protocol text: "a dose of 1 to 2 x 10^6 MSC/kg body weight", "10 % DMSO, total volume of
5 mL DMSO in final cell product" (so 50 mL final volume), placebo "matching" in the same vehicle; DMSO density
1.1 g/mL, so 5 mL = 5.5 g.
"""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mescams.core.dosing import compute_dose
from mescams.errors import DosingError


def test_enough_cells_gives_the_target_dose(protocol):
    """70 kg, 2.1e8 viable cells: target 1.5e6/kg x 70 kg = 1.05e8 cells in 50 mL (2.1e6 cells/mL)."""
    plan = compute_dose(protocol, weight_kg=70, viable_cells=2.1e8)
    assert plan.cells_to_infuse == pytest.approx(1.05e8)
    assert plan.dose_cells_per_kg == pytest.approx(1.5e6)
    assert plan.at_target
    assert plan.final_volume_ml == pytest.approx(50.0)
    assert plan.cell_concentration_per_ml == pytest.approx(2.1e6)
    assert plan.dmso_percent == pytest.approx(10.0)
    assert plan.dmso_g == pytest.approx(5.5)
    assert plan.dmso_g_per_kg == pytest.approx(5.5 / 70)


def test_between_minimum_and_target_all_viable_cells_are_infused(protocol):
    """70 kg, 9e7 cells: above the minimum 7e7, below the target 1.05e8: infuse all 9e7 (1.29e6/kg)."""
    plan = compute_dose(protocol, weight_kg=70, viable_cells=9e7)
    assert plan.cells_to_infuse == pytest.approx(9e7)
    assert plan.dose_cells_per_kg == pytest.approx(9e7 / 70)
    assert not plan.at_target


def test_exactly_the_minimum_is_accepted_one_cell_less_is_refused(protocol):
    """1 x 10^6/kg x 80 kg = 8e7 cells is the least the protocol allows."""
    assert compute_dose(protocol, weight_kg=80, viable_cells=8e7).dose_cells_per_kg == pytest.approx(1e6)
    with pytest.raises(DosingError, match=r"^viable_cells: .*fewer than the minimum dose 8\.000e\+07") as err:
        compute_dose(protocol, weight_kg=80, viable_cells=8e7 - 1)
    assert err.value.field == "viable_cells"


def test_matching_placebo_has_the_same_volume_and_dmso(protocol):
    plan = compute_dose(protocol, weight_kg=55, viable_cells=1e9)
    assert plan.placebo_code == "PLACEBO"
    assert plan.placebo_volume_ml == plan.final_volume_ml == pytest.approx(50.0)
    assert plan.placebo_dmso_g_per_kg == pytest.approx(plan.dmso_g_per_kg)


@pytest.mark.parametrize("weight", [29.9, 250.1, 0, -70, 7.0, 700])
def test_implausible_weight_is_refused(protocol, weight):
    with pytest.raises(DosingError, match="^weight_kg: .*outside the plausible range 30-250 kg"):
        compute_dose(protocol, weight_kg=weight, viable_cells=1e9)


@pytest.mark.parametrize("weight", [30, 250])
def test_weight_range_is_inclusive(protocol, weight):
    assert compute_dose(protocol, weight_kg=weight, viable_cells=1e9).weight_kg == weight


@pytest.mark.parametrize("value", [math.nan, math.inf])
def test_non_finite_input_is_refused(protocol, value):
    with pytest.raises(DosingError, match="^weight_kg: expected a finite number"):
        compute_dose(protocol, weight_kg=value, viable_cells=1e9)
    with pytest.raises(DosingError, match="^viable_cells: expected a finite number"):
        compute_dose(protocol, weight_kg=70, viable_cells=value)


def test_a_smaller_final_volume_puts_dmso_over_the_10_percent_limit(protocol):
    """5 mL DMSO in 40 mL is 12.5 % > 10 %: refused; in 60 mL it is 8.3 %: accepted."""
    with pytest.raises(DosingError, match=r"^final_volume_ml: .*12\.5 %, over the 10 % limit \(needs at least 50 mL\)"):
        compute_dose(protocol, weight_kg=70, viable_cells=2e8, final_volume_ml=40)
    assert compute_dose(protocol, weight_kg=70, viable_cells=2e8, final_volume_ml=60).dmso_percent == pytest.approx(
        100 * 5 / 60)


def test_dmso_over_the_per_kg_limit_is_refused(protocol):
    """5.5 g DMSO for 30 kg is 0.183 g/kg: refused under a 0.15 g/kg ceiling, accepted under 1 g/kg."""
    with pytest.raises(DosingError, match=r"^dmso_g_per_kg: .*0\.183 g/kg, over the 0\.15 g/kg limit"):
        compute_dose(protocol, weight_kg=30, viable_cells=1e9, max_dmso_g_per_kg=0.15)
    assert compute_dose(protocol, weight_kg=30, viable_cells=1e9).dmso_g_per_kg == pytest.approx(5.5 / 30)


def test_placebo_itself_has_no_cell_dose(protocol):
    with pytest.raises(DosingError, match="^product_code: product 'PLACEBO' has no cell dose"):
        compute_dose(protocol, weight_kg=70, viable_cells=1e9, product_code="PLACEBO")


@settings(max_examples=200, deadline=None)
@given(weight=st.floats(30, 250), cells_per_kg=st.floats(1.0e6, 1.0e8))
def test_infused_dose_always_within_protocol_range(protocol, weight, cells_per_kg):
    plan = compute_dose(protocol, weight_kg=weight, viable_cells=cells_per_kg * weight)
    assert 1.0e6 * (1 - 1e-9) <= plan.dose_cells_per_kg <= 2.0e6
    assert plan.cells_to_infuse <= plan.viable_cells
