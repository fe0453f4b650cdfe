"""The seeded demo trial the exports are tested on: reproducible, and shaped like the protocol says."""

from __future__ import annotations

from collections import Counter

from mescams.core.protocol import Protocol
from mescams.interop._demo_snapshot import demo_snapshot


def test_same_seed_same_trial_other_seed_other_trial(protocol: Protocol) -> None:
    assert demo_snapshot(protocol, seed=3) == demo_snapshot(protocol, seed=3)
    assert demo_snapshot(protocol, seed=3) != demo_snapshot(protocol, seed=4)


def test_demo_trial_follows_the_protocol(protocol: Protocol) -> None:
    s = demo_snapshot(protocol, seed=11)
    assert len(s.participants) == 45 and len(s.randomized) == protocol.design.target_enrolment
    for site in protocol.site_codes:
        seqs = Counter(p.sequence for p in s.randomized if p.site == site)
        assert abs(seqs["MSC-PLACEBO"] - seqs["PLACEBO-MSC"]) <= 2  # permuted blocks of 2 and 4
    failed = {p.participant_id for p in s.participants if p.disposition.status == "SCREEN FAILURE"}
    not_met = {
        e.participant_id
        for e in s.eligibility
        if (e.criterion_id.startswith("I") and e.met is False) or (e.criterion_id.startswith("E") and e.met)
    }
    assert failed == not_met
    for p in s.randomized:
        products = [
            i.product for i in sorted(s.infusions, key=lambda i: i.date) if i.participant_id == p.participant_id
        ]
        assert products == protocol.sequence(str(p.sequence)).treatments
        assert all(m.cua_count >= m.gel_count for m in s.mri if m.participant_id == p.participant_id)
    assert [p.disposition.status for p in s.randomized].count("WITHDRAWN") == 1
    msc = [i for i in s.infusions if i.product == "MSC"]
    assert all(1.0e6 <= float(i.cells_per_kg) <= 2.0e6 for i in msc)  # type: ignore[arg-type]
    assert all(i.cells_infused is None for i in s.infusions if i.product == "PLACEBO")
