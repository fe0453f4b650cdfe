"""The encrypted backup format: round trips at segment boundaries, and refuses reordering, truncation and tampering."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from mescams.edc.backup import sealed
from mescams.edc.backup.sealed import MAGIC, SEGMENT, TAG, BackupKeyError, open_sealed, seal

KEY = "a passphrase for the tests"
HEADER = len(MAGIC) + 16 + 7


@pytest.mark.parametrize("size", [0, 1, SEGMENT - 1, SEGMENT, SEGMENT + 1, 2 * SEGMENT + 5])
def test_round_trip_at_every_segment_boundary(tmp_path: Path, size: int) -> None:
    plain = tmp_path / "plain"
    plain.write_bytes(os.urandom(size))
    seal(plain, tmp_path / "sealed", KEY)
    assert sealed.is_sealed(tmp_path / "sealed")
    assert (tmp_path / "sealed").stat().st_size == HEADER + size + TAG * max(1, -(-size // SEGMENT))
    open_sealed(tmp_path / "sealed", tmp_path / "opened", KEY)
    assert (tmp_path / "opened").read_bytes() == plain.read_bytes()


def _sealed(tmp_path: Path, size: int) -> bytes:
    plain = tmp_path / "plain"
    plain.write_bytes(os.urandom(size))
    seal(plain, tmp_path / "sealed", KEY)
    return (tmp_path / "sealed").read_bytes()


def _refused(tmp_path: Path, content: bytes, key: str = KEY) -> str:
    bad = tmp_path / "bad"
    bad.write_bytes(content)
    with pytest.raises(BackupKeyError) as caught:
        open_sealed(bad, tmp_path / "out", key)
    assert not (tmp_path / "out").exists()  # nothing half-written
    return str(caught.value)


def test_a_wrong_or_missing_key_is_refused(tmp_path: Path) -> None:
    content = _sealed(tmp_path, 1000)
    assert "passphrase is wrong" in _refused(tmp_path, content, "another passphrase")
    assert "MESCAMS_BACKUP_KEY" in _refused(tmp_path, content, "")


def test_a_changed_byte_a_cut_at_a_segment_boundary_and_swapped_segments_are_refused(tmp_path: Path) -> None:
    content = _sealed(tmp_path, 2 * SEGMENT + 10)
    first, second = HEADER, HEADER + SEGMENT + TAG
    flipped = content[:first + 5] + bytes([content[first + 5] ^ 1]) + content[first + 6:]
    assert "segment 0" in _refused(tmp_path, flipped)
    assert "cut short" in _refused(tmp_path, content[:second + SEGMENT + TAG])  # the last segment dropped
    swapped = content[:first] + content[second:second + SEGMENT + TAG] + content[first:second] + content[
        second + SEGMENT + TAG:]
    _refused(tmp_path, swapped)
    assert "not an encrypted" in _refused(tmp_path, b"SQLite format 3\x00" + bytes(100))
