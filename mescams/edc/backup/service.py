"""``backup_database`` and ``restore_database`` for the configured EDC database (Django must be configured)."""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

from mescams.edc.audit.models import AuditEntry
from mescams.edc.audit.verify import verify_audit_trail
from mescams.edc.backup import engines, sealed
from mescams.errors import AuditChainBroken, MescamsError

__all__ = ["BackupError", "BackupReport", "backup_database", "restore_database"]


class BackupError(MescamsError):
    """A backup or restore that cannot be done (wrong kind of file, tool failure, broken audit trail)."""


@dataclass(frozen=True)
class BackupReport:
    path: Path
    engine: str
    size: int
    sha256: str
    audit_entries: int | None = None
    encrypted: bool = False


def _database() -> dict:  # type: ignore[type-arg]
    from django.conf import settings

    return dict(settings.DATABASES["default"])


def _engine(db: dict) -> str:  # type: ignore[type-arg]
    return "sqlite" if db["ENGINE"].endswith("sqlite3") else "postgresql"


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _kind(path: Path) -> str:
    with path.open("rb") as fh:
        head = fh.read(16)
    if head.startswith(engines.SQLITE_MAGIC):
        return "sqlite"
    if head.startswith(engines.PG_MAGIC):
        return "postgresql"
    raise BackupError(f"{path} is neither a SQLite backup nor a pg_dump custom-format file")


def _close_connections() -> None:
    from django.db import connections

    connections.close_all()


def _take(db: dict, out: Path) -> None:  # type: ignore[type-arg]
    try:
        if _engine(db) == "sqlite":
            engines.sqlite_copy(Path(db["NAME"]), out)
        else:
            engines.pg_dump(db, out)
    except engines.ToolError as exc:
        raise BackupError(str(exc)) from None


def _passphrase() -> str:
    from django.conf import settings

    return str(getattr(settings, "MESCAMS_BACKUP_KEY", "") or "")


def backup_database(out: Path) -> BackupReport:
    """Write a consistent backup of the configured database to ``out`` (written aside, then renamed into place),
    encrypted when ``MESCAMS_BACKUP_KEY`` is set (:mod:`mescams.edc.backup.sealed`)."""
    db = _database()
    passphrase = _passphrase()
    out = out.resolve()
    if out.is_dir():
        stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
        out = out / f"mescams-{stamp}.{'sqlite3' if _engine(db) == 'sqlite' else 'pgdump'}"
        out = out.with_name(out.name + ".sealed") if passphrase else out
    out.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=".backup-", dir=out.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    tmp.unlink()
    try:
        if passphrase:  # the clear copy stays in this machine's private temporary folder, never beside the backups
            with tempfile.TemporaryDirectory(prefix="mescams-backup-") as private:
                plain = Path(private) / "plain"
                _take(db, plain)
                sealed.seal(plain, tmp, passphrase)
        else:
            _take(db, tmp)
        tmp.replace(out)
    finally:
        tmp.unlink(missing_ok=True)
    return BackupReport(out, _engine(db), out.stat().st_size, _sha256(out), AuditEntry.objects.count(),
                        encrypted=bool(passphrase))


def restore_database(source: Path) -> tuple[BackupReport, int]:
    """Replace the configured database with ``source``'s content and prove its audit trail.

    Returns the report and the number of audit entries verified. If the restored audit trail does not verify,
    the database is put back from a safety copy taken just before, and AuditChainBroken is raised.
    """
    db = _database()
    if not source.is_file():
        raise BackupError(f"{source}: no such backup file")
    encrypted = sealed.is_sealed(source)
    with tempfile.TemporaryDirectory(prefix="mescams-restore-") as tmp:
        plain = source
        if encrypted:  # opened before anything is touched: a wrong key leaves the database as it is
            plain = Path(tmp) / "opened"
            sealed.open_sealed(source, plain, _passphrase())
        kind = _kind(plain)
        if kind != _engine(db):
            raise BackupError(f"{source} is a {kind} backup; the configured database is {_engine(db)}")
        safety = Path(tmp) / "before-restore"
        _close_connections()
        _take(db, safety)
        _put(db, plain)
        try:
            report = verify_audit_trail()
        except AuditChainBroken:
            _put(db, safety)
            raise
        finally:
            _close_connections()
    return BackupReport(source, kind, source.stat().st_size, _sha256(source), encrypted=encrypted), report.entries


def _put(db: dict, source: Path) -> None:  # type: ignore[type-arg]
    _close_connections()
    try:
        if _engine(db) == "sqlite":
            engines.sqlite_copy(source, Path(db["NAME"]))
        else:
            engines.pg_restore(db, source)
    except engines.ToolError as exc:
        raise BackupError(str(exc)) from None
