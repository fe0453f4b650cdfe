"""Names spelt with -ize before the project settled on randomis- (Canadian usage, as the protocol file) keep
working: each old name is the new one, not a copy (README, "Spelling")."""

from __future__ import annotations

import datetime as dt

from mescams import errors
from mescams.interop.snapshot import Disposition, Participant, TrialSnapshot


def _person(pid: str, randomised: bool) -> Participant:
    day = dt.date(2016, 3, 1)
    return Participant(pid, "OTT", "F", None, 40, "RRMS", None, day, day, Disposition("ONGOING"),
                       day if randomised else None, "MSC-PLACEBO" if randomised else None)


def test_snapshot_randomized_is_randomised() -> None:
    snapshot = TrialSnapshot("NCT02239393", dt.datetime(2016, 4, 1, tzinfo=dt.UTC),
                             (_person("OTT-001", True), _person("OTT-002", False)))
    assert [p.participant_id for p in snapshot.randomised] == ["OTT-001"]
    assert snapshot.randomized == snapshot.randomised
    assert [p.randomized for p in snapshot.participants] == [p.randomised for p in snapshot.participants] == [
        True, False]


def test_already_randomized_is_already_randomised() -> None:
    assert errors.AlreadyRandomized is errors.AlreadyRandomised
    try:
        raise errors.AlreadyRandomised("participant OTT-001 is already randomised")
    except errors.AlreadyRandomized as caught:
        assert isinstance(caught, errors.TrialStateError)
