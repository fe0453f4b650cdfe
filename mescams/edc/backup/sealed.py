"""Encrypted backup files: AES-256-GCM in 1 MiB segments under a key derived (scrypt) from ``MESCAMS_BACKUP_KEY``.

A backup holds every participant's data, so it should not lie readable wherever it is copied. The file is::

    MAGIC (16 bytes) | salt (16) | nonce prefix (7) | segment 0 | segment 1 | ... | last segment

Each segment is at most 1 MiB of the plain backup, sealed with AES-GCM under the nonce ``prefix | counter (4
bytes) | last (1 byte)``, the header as associated data. The counter stops segments being reordered or dropped,
the last flag stops the file being cut short at a segment boundary, and the tag stops any byte being changed: a
wrong passphrase and a damaged file both fail to open, and nothing is written from them.
"""

from __future__ import annotations

import os
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

from mescams.errors import MescamsError

__all__ = ["MAGIC", "BackupKeyError", "is_sealed", "open_sealed", "seal"]

MAGIC = b"MESCAMS-SEALED1\n"
SEGMENT = 1 << 20
TAG = 16
_SALT, _PREFIX = 16, 7


class BackupKeyError(MescamsError):
    """An encrypted backup that cannot be opened: no key, the wrong key, or a damaged file."""


def _key(passphrase: str, salt: bytes) -> bytes:
    if not passphrase:
        raise BackupKeyError("MESCAMS_BACKUP_KEY: an encrypted backup needs the passphrase it was written with")
    return Scrypt(salt=salt, length=32, n=2**15, r=8, p=1).derive(passphrase.encode("utf-8"))


def _nonce(prefix: bytes, counter: int, last: bool) -> bytes:
    return prefix + counter.to_bytes(4, "big") + (b"\x01" if last else b"\x00")


def is_sealed(path: Path) -> bool:
    with path.open("rb") as fh:
        return fh.read(len(MAGIC)) == MAGIC


def seal(source: Path, target: Path, passphrase: str) -> None:
    """Write ``source`` encrypted to ``target``."""
    salt, prefix = os.urandom(_SALT), os.urandom(_PREFIX)
    header = MAGIC + salt + prefix
    aead = AESGCM(_key(passphrase, salt))
    with source.open("rb") as src, target.open("wb") as out:
        out.write(header)
        counter, chunk = 0, src.read(SEGMENT)
        while True:
            following = src.read(SEGMENT)
            last = not following
            out.write(aead.encrypt(_nonce(prefix, counter, last), chunk, header))
            if last:
                break
            counter, chunk = counter + 1, following


def open_sealed(source: Path, target: Path, passphrase: str) -> None:
    """Decrypt ``source`` into ``target``; BackupKeyError (and no ``target``) if the key is wrong or any byte was
    changed, dropped or added."""
    try:
        with source.open("rb") as src, target.open("wb") as out:
            header = src.read(len(MAGIC) + _SALT + _PREFIX)
            if len(header) < len(MAGIC) + _SALT + _PREFIX or not header.startswith(MAGIC):
                raise BackupKeyError(f"{source} is not an encrypted MESCAMS backup")
            salt, prefix = header[len(MAGIC):len(MAGIC) + _SALT], header[len(MAGIC) + _SALT:]
            aead = AESGCM(_key(passphrase, salt))
            counter, sealed = 0, src.read(SEGMENT + TAG)
            while True:
                following = src.read(SEGMENT + TAG)
                last = not following
                try:
                    out.write(aead.decrypt(_nonce(prefix, counter, last), sealed, header))
                except InvalidTag:
                    raise BackupKeyError(f"{source} does not open with MESCAMS_BACKUP_KEY: the passphrase is wrong or "
                                         f"the file was changed or cut short (segment {counter})") from None
                if last:
                    return
                counter, sealed = counter + 1, following
    except BaseException:
        target.unlink(missing_ok=True)
        raise
