"""``mescams`` commands for running the system safely: backups and restores (see mescams.cli for areas).

``mescams backup OUT`` writes a consistent copy of the configured database (SQLite online backup API, or
``pg_dump -Fc`` for PostgreSQL) while the server may keep running; ``mescams restore IN`` puts one back and
proves the audit trail, undoing the restore if the proof fails.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import typer

from mescams.commands._common import reports_errors

# Imports inside functions: each command loads only the area it uses (pandas, SciPy, DuckDB, Django after
# configure()), so `mescams --help` and the other commands start fast.


@reports_errors
def backup(out: Path = typer.Argument(..., help="Backup file to write, or a folder for a time-stamped file.")) -> None:
    """Back up the configured database (SQLite file or PostgreSQL) to one file."""
    from mescams.edc.settings import configure

    configure()
    from mescams.edc.backup import backup_database

    report = backup_database(out)
    typer.echo(f"backup written: {report.path} ({report.engine}, {report.size} bytes, sha256 {report.sha256}, "
               f"{report.audit_entries} audit entries, "
               f"{'encrypted with MESCAMS_BACKUP_KEY' if report.encrypted else 'NOT encrypted'})")
    if not report.encrypted:
        typer.echo("note: the file holds every participant's data in the clear; set MESCAMS_BACKUP_KEY to encrypt "
                   "backups", err=True)


@reports_errors
def restore(
    source: Path = typer.Argument(..., help="A file written by `mescams backup`."),
    yes: bool = typer.Option(False, "--yes", help="Replace the configured database without asking."),
) -> None:
    """Replace the configured database with a backup, then verify the audit trail (undone if it fails)."""
    from mescams.edc.settings import configure

    configure()
    from django.conf import settings

    if not yes:
        name = settings.DATABASES["default"]["NAME"]
        typer.confirm(f"replace every row of the database {name} with {source}?", abort=True)
    from mescams.edc.backup import restore_database

    report, entries = restore_database(source)
    typer.echo(f"restored {report.path} ({report.engine}{', encrypted' if report.encrypted else ''}, sha256 "
               f"{report.sha256}); audit trail intact: {entries} entries")


@reports_errors
def visits_due(on: str = typer.Option("", "--on", help="ISO 8601 date (default: today, UTC)."),
               days: int = typer.Option(7, "--days", min=1, max=60, help="Windows opening within this many days.")
               ) -> None:
    """E-mail each site user who chose it the visits due at their sites (run daily, e.g. from cron)."""
    import datetime as dt

    # the EDC is imported once Django is configured, and only by the commands that need it
    from mescams.edc.settings import configure

    configure()
    from mescams.edc.web.reminders import send_visit_reminders

    day = dt.date.fromisoformat(on) if on else dt.datetime.now(dt.UTC).date()
    told = send_visit_reminders(day, days_ahead=days)
    typer.echo(f"visit reminders for {day}: {told} user{'s' if told != 1 else ''} written to")


def register(root: typer.Typer, group: Callable[[str, str], typer.Typer]) -> None:
    """Add the operations commands to the command line."""
    root.command("backup")(backup)
    root.command("restore")(restore)
    group("notify", "E-mail notifications users chose.").command("visits-due")(visits_due)
