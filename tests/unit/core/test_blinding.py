"""The one blinding policy: who sees allocation, and nobody else."""

from __future__ import annotations

import pytest

from mescams.core.blinding import BLINDING_POLICY, Reveal, Role
from mescams.errors import BlindingViolation


def test_blinded_roles_are_exactly_the_masked_ones() -> None:
    assert set(BLINDING_POLICY.blinded_roles) == {
        Role.SITE_COORDINATOR, Role.INVESTIGATOR, Role.EDSS_RATER, Role.MRI_READER, Role.DATA_MANAGER,
        Role.ADMINISTRATOR, Role.SAFETY_OFFICER, Role.MEDICAL_CODER, Role.MONITOR, Role.PARTICIPANT,
    }


def test_role_names_have_message_ids_for_translation() -> None:
    assert Role.PARTICIPANT.label == "Participant"
    assert Role.EDSS_RATER.message().id == "role.edss_rater"
    assert Role.EDSS_RATER.message().english() == "EDSS rater (blinded)"


@pytest.mark.parametrize("role", list(Role))
def test_blinded_roles_see_nothing_revealing(role: Role) -> None:
    if BLINDING_POLICY.is_blinded(role):
        for what in Reveal:
            if (role, what) == (Role.SAFETY_OFFICER, Reveal.CASE_TREATMENT):
                continue  # one SUSAR candidate at a time, recorded (mescams.edc.safety)
            assert not BLINDING_POLICY.may_see(role, what)
            with pytest.raises(BlindingViolation):
                BLINDING_POLICY.require(role, what)


def test_lab_prepares_products_but_gets_no_analysis() -> None:
    assert BLINDING_POLICY.may_see(Role.CELL_LAB, Reveal.PRODUCT_TYPE)
    assert BLINDING_POLICY.may_see(Role.CELL_LAB, Reveal.CELL_COUNTS)
    assert not BLINDING_POLICY.may_see(Role.CELL_LAB, Reveal.ANALYSIS_EXPORT)
    assert BLINDING_POLICY.roles_seeing(Reveal.ANALYSIS_EXPORT) == [Role.UNBLINDED_STATISTICIAN, Role.DSMB]
    assert BLINDING_POLICY.roles_seeing(Reveal.ALLOCATION_LIST) == [Role.UNBLINDED_STATISTICIAN]


def test_only_investigators_request_emergency_unblinding() -> None:
    allowed = [r for r in Role if BLINDING_POLICY.view(r).may_request_emergency_unblinding]
    assert allowed == [Role.INVESTIGATOR]


def test_only_the_safety_officer_among_blinded_roles_reveals_a_case() -> None:
    """The per-case reveal is the safety officer's alone among blinded roles; the fully unblinded roles may see it
    anyway, and no site role may."""
    blinded_seeing = [r for r in BLINDING_POLICY.roles_seeing(Reveal.CASE_TREATMENT) if BLINDING_POLICY.is_blinded(r)]
    assert blinded_seeing == [Role.SAFETY_OFFICER]
    assert not BLINDING_POLICY.view(Role.SAFETY_OFFICER).site_bound
    assert not BLINDING_POLICY.may_see(Role.SAFETY_OFFICER, Reveal.SEQUENCE)
    assert not BLINDING_POLICY.may_see(Role.SAFETY_OFFICER, Reveal.ARM_SUMMARIES)
