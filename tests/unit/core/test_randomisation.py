"""The allocation list: block structure, balance, stratification, determinism from the seed, verification."""

from __future__ import annotations

import dataclasses
from collections import Counter

import pytest

from mescams.core.randomisation import (
    AllocationListMismatch,
    DeterministicStream,
    block_sizes_for,
    generate_allocation_list,
    new_seed,
    verify_allocation_list,
)
from mescams.errors import InputValidationError

SEED = "00112233445566778899aabbccddeeff" * 2
RATIO = {"MSC-PLACEBO": 1, "PLACEBO-MSC": 1}


def make(seed: str = SEED, n: int = 31) -> list:
    return generate_allocation_list(seed=seed, sites=["OTT", "WPG"], ratio=RATIO, slots_per_site=n)


def test_block_sizes_follow_the_protocol_ratio(protocol) -> None:
    assert block_sizes_for(protocol.design.allocation_ratio) == (2, 4)


def test_blocks_are_balanced_and_of_size_two_or_four() -> None:
    slots = make()
    blocks: dict[tuple[str, int], list] = {}
    for s in slots:
        blocks.setdefault((s.site, s.block), []).append(s)
    sizes = Counter()
    last = {site: max(b for (st, b) in blocks if st == site) for site in ("OTT", "WPG")}
    for (site, block), members in blocks.items():
        assert members[0].block_size in (2, 4)
        counts = Counter(m.sequence for m in members)
        if block == last[site] and len(members) < members[0].block_size:
            continue  # the final block, cut at the list's length
        assert len(members) == members[0].block_size
        assert counts["MSC-PLACEBO"] == counts["PLACEBO-MSC"]
        sizes[members[0].block_size] += 1
    assert sizes[2] > 0 and sizes[4] > 0  # both sizes are used


def test_exactly_the_requested_length_whatever_the_blocks() -> None:
    """The length must not depend on the random block sizes (it is visible to blinded roles)."""
    for seed in ("01" * 32, "02" * 32, "03" * 32, SEED):
        slots = make(seed=seed)
        for site in ("OTT", "WPG"):
            numbers = [s.number for s in slots if s.site == site]
            assert numbers == list(range(1, 32))


def test_product_codes_unique_and_fixed_length() -> None:
    slots = make()
    assert len({s.product_code for s in slots}) == len(slots)
    assert {len(s.product_code) for s in slots} == {8}


def test_same_seed_same_list_other_seed_other_list() -> None:
    assert make() == make()
    assert [s.sequence for s in make()] != [s.sequence for s in make(seed="ff" * 32)]


def test_adding_a_site_does_not_change_another_sites_list() -> None:
    alone = generate_allocation_list(seed=SEED, sites=["WPG"], ratio=RATIO, slots_per_site=31)
    assert [s for s in make() if s.site == "WPG"] == alone


def test_stream_is_unbiased_enough_over_many_draws() -> None:
    stream = DeterministicStream(bytes.fromhex(SEED), "test")
    counts = Counter(stream.below(3) for _ in range(3000))
    assert all(900 < c < 1100 for c in counts.values())


def test_verify_accepts_the_list_and_names_a_tampered_slot() -> None:
    slots = make()
    assert verify_allocation_list(slots, seed=SEED, sites=["OTT", "WPG"], ratio=RATIO) == len(slots)
    flipped = "PLACEBO-MSC" if slots[5].sequence == "MSC-PLACEBO" else "MSC-PLACEBO"
    tampered = [*slots[:5], dataclasses.replace(slots[5], sequence=flipped), *slots[6:]]
    with pytest.raises(AllocationListMismatch, match=f"slot {slots[5].site}-{slots[5].number}"):
        verify_allocation_list(tampered, seed=SEED, sites=["OTT", "WPG"], ratio=RATIO)
    with pytest.raises(AllocationListMismatch, match="slots"):
        verify_allocation_list(slots[:-1], seed=SEED, sites=["OTT", "WPG"], ratio=RATIO, slots_per_site=31)
    with pytest.raises(AllocationListMismatch, match="slot OTT-5"):
        verify_allocation_list([*slots[:3], *slots[4:]], seed=SEED, sites=["OTT", "WPG"], ratio=RATIO)


def test_seed_rules() -> None:
    assert len(new_seed()) == 64 and new_seed() != new_seed()
    with pytest.raises(InputValidationError, match="seed"):
        make(seed="zz")
    with pytest.raises(InputValidationError, match="seed"):
        make(seed="abcd")
