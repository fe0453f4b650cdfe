"""Backups and restores of the EDC database: SQLite through its online backup API, PostgreSQL through pg_dump.

A backup is one file: a consistent SQLite database copy (taken while the server runs) or a PostgreSQL custom-format
dump (``pg_dump -Fc``). A restore replaces the configured database with the file's content and then proves the
audit trail (hash chain and every row against its last audited values); if the proof fails, the database is put
back as it was before the restore and the error names the first broken entry. With ``MESCAMS_BACKUP_KEY`` set,
backups are written encrypted and restores open them with it (:mod:`mescams.edc.backup.sealed`).
"""

from mescams.edc.backup.service import BackupError, BackupReport, backup_database, restore_database

__all__ = ["BackupError", "BackupReport", "backup_database", "restore_database"]
