"""``mescams safety``: the expedited-reporting reminders (see mescams.cli for areas).

``mescams safety remind`` e-mails each safety officer the Health Canada reports due within a few days or overdue,
through the configured mail backend (``MESCAMS_EMAIL_*``); run it daily (cron or a systemd timer).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import typer

from mescams.commands._common import reports_errors

# Imports inside functions: Django and the EDC load only when the command runs (after configure()), so
# `mescams --help` and the other commands start fast.


@reports_errors
def remind(
    within_days: int = typer.Option(3, "--within-days", min=0, max=30,
                                    help="Remind of reports due within this many days (overdue ones always)."),
    on: str = typer.Option("", "--on", help="Pretend today is this ISO 8601 date (default: today, UTC)."),
) -> None:
    """E-mail the safety officers the expedited reports due soon or overdue."""
    from mescams.edc.settings import configure

    configure()
    from mescams.edc.safety.reminders import send_reminders

    try:
        today = dt.date.fromisoformat(on) if on else dt.datetime.now(dt.UTC).date()
    except ValueError:
        raise typer.BadParameter(f"must be an ISO 8601 date (YYYY-MM-DD), got {on!r}", param_hint="--on") from None
    run = send_reminders(today=today, within_days=within_days)
    if not run.due:
        typer.echo(f"no expedited report due by {today + dt.timedelta(days=within_days)} and none overdue; "
                   "nothing sent")
        return
    overdue = sum(1 for r in run.due if r.overdue)
    if not run.recipients:
        typer.echo("reports are due but no active safety officer has an e-mail address", err=True)
        raise typer.Exit(1)
    typer.echo(f"reminded {len(run.recipients)} safety officer(s) of {len(run.due)} report(s), {overdue} overdue")


def register(root: typer.Typer, group: Callable[[str, str], typer.Typer]) -> None:
    """Add the safety commands to the command line."""
    group("safety", "Safety reporting: expedited-report reminders.").command("remind")(remind)
