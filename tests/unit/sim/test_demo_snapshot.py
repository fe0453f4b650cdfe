"""The simulated trial the exports are tested on (``--demo SEED``): reproducible, the simulation's people and
courses, and shaped like the protocol says."""

from __future__ import annotations

from collections import Counter

import numpy as np

from mescams.core.protocol import Protocol
from mescams.sim.demo_snapshot import simulated_snapshot
from mescams.sim.screening import screen_candidates
from mescams.sim.virtual_patients import load_params


def test_same_seed_same_trial_other_seed_other_trial(protocol: Protocol) -> None:
    assert simulated_snapshot(protocol, seed=3) == simulated_snapshot(protocol, seed=3)
    assert simulated_snapshot(protocol, seed=3) != simulated_snapshot(protocol, seed=4)


def test_the_people_are_the_simulations_referred_candidates(protocol: Protocol) -> None:
    """Same seed stream as ``sim populate``: the screened people are the screening generator's, in order."""
    import datetime as dt

    params = load_params()
    start = dt.date.fromisoformat(protocol.identification.dates.study_start + "-01") + dt.timedelta(days=45)
    rng = np.random.default_rng(np.random.SeedSequence(11, spawn_key=(0,)))
    candidates = list(screen_candidates(protocol, params, rng, screen=45, eligible=31, first_randomisation=start,
                                        recruitment_days=params.conduct.recruitment_days))
    s = simulated_snapshot(protocol, seed=11, params=params)
    by_screening = sorted(s.participants, key=lambda p: (p.screening_date, p.participant_id))
    assert sorted((c.screening_date, c.birth_date, c.course) for c in candidates) == sorted(
        (p.screening_date, p.birth_date, p.ms_course) for p in by_screening)
    assert sum(c.eligible is True for c in candidates) == len(s.randomised) == 31


def test_simulated_trial_follows_the_protocol(protocol: Protocol) -> None:
    s = simulated_snapshot(protocol, seed=11)
    assert len(s.participants) == 45 and len(s.randomised) == protocol.design.target_enrolment
    for site in protocol.site_codes:
        seqs = Counter(p.sequence for p in s.randomised if p.site == site)
        assert abs(seqs["MSC-PLACEBO"] - seqs["PLACEBO-MSC"]) <= 2  # permuted blocks of 2 and 4, taken in order
    failed = {p.participant_id for p in s.participants if p.disposition.status == "SCREEN FAILURE"}
    not_met = {
        e.participant_id
        for e in s.eligibility
        if (e.criterion_id.startswith("I") and e.met is False) or (e.criterion_id.startswith("E") and e.met)
    }
    assert failed == not_met
    assert {e.participant_id for e in s.eligibility} == {p.participant_id for p in s.participants}
    for p in s.randomised:
        infusions = sorted((i for i in s.infusions if i.participant_id == p.participant_id), key=lambda i: i.date)
        treatments = protocol.sequence(str(p.sequence)).treatments
        assert [i.product for i in infusions] == treatments[: len(infusions)]
        assert infusions and infusions[0].date == p.randomization_date  # week 0: randomisation and infusion
        assert all(m.cua_count >= m.gel_count for m in s.mri if m.participant_id == p.participant_id)  # type: ignore[operator]
        if p.disposition.status == "COMPLETED":
            assert len(infusions) == len(treatments)
    msc = [i for i in s.infusions if i.product == "MSC"]
    assert all(0.5e6 <= float(i.cells_per_kg) <= 2.5e6 for i in msc)  # type: ignore[arg-type]
    assert all(i.cells_infused is None for i in s.infusions if i.product == "PLACEBO")
    assert {d.status for d in (p.disposition for p in s.randomised)} <= {"COMPLETED", "WITHDRAWN"}
