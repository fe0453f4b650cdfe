"""``mescams`` commands of the edc area: the database, the demo trial, the server, the audit trail, the allocation
list and the analysis export (see mescams.cli for how areas register).

Django and the EDC are imported inside each command, so ``mescams --help`` stays fast.
"""

from __future__ import annotations

import os
import shutil
import sys
from collections.abc import Callable
from pathlib import Path

import typer

from mescams.commands._common import reports_errors

# Imports inside functions: the EDC (Django) loads only after configure() has built its settings from the environment,
# and only for the command that uses it, so `mescams --help` stays fast.


def _django() -> None:
    from mescams.edc.settings import configure

    configure()


@reports_errors
def migrate() -> None:
    """Create or upgrade the database schema (SQLite under MESCAMS_DATA_DIR, or MESCAMS_DATABASE_URL)."""
    _django()
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=1)


@reports_errors
def serve(
    host: str = typer.Option("127.0.0.1", "--host", help="Address to listen on."),
    port: int = typer.Option(8000, "--port", help="Port to listen on."),
    # 4 x 4 is the shape the load benchmarks measured on 2 cores (p95 69 ms at 100 clients): more processes, fewer
    # threads each, so requests wait less on one another for Python's interpreter lock.
    workers: int = typer.Option(4, "--workers", help="gunicorn worker processes."),
    threads: int = typer.Option(4, "--threads", help="Threads per worker (gthread)."),
    timeout: int = typer.Option(120, "--timeout", help="Seconds before a silent worker is restarted."),
    keep_alive: int = typer.Option(75, "--keep-alive", min=0,
                                   help="Seconds an idle connection is kept open for the client's next request."),
) -> None:
    """Serve the EDC with gunicorn (a production server, not Django's development server)."""
    from mescams.edc.settings import build_settings

    build_settings()  # fail now, with a clear message, if the environment is unsafe (e.g. no secret)
    _django()
    from django.db import connections

    from mescams.edc.wsgi import startup_checks

    startup_checks()  # and if the database is (a changed allocation list, demo accounts outside demo mode)
    connections.close_all()
    gunicorn = shutil.which("gunicorn", path=str(Path(sys.executable).parent)) or shutil.which("gunicorn")
    if gunicorn is None:
        raise typer.BadParameter("gunicorn is not installed")
    args = [gunicorn, "mescams.edc.wsgi:create_application()", "--bind", f"{host}:{port}",
            "--workers", str(workers), "--worker-class", "gthread", "--threads", str(threads),
            "--access-logfile", "-", "--graceful-timeout", "10", "--timeout", str(timeout),
            # gunicorn's default of 2 s closes a connection while a person reads the page; a request sent as it
            # closes fails in the client. 75 s is what browsers and proxies expect (nginx's default).
            "--keep-alive", str(keep_alive)]
    os.execv(gunicorn, args)  # noqa: S606 - replaces this process with the server


@reports_errors
def demo_load(
    seed: int = typer.Option(20150601, "--seed", help="Seed of the demo generator."),
    force: bool = typer.Option(False, "--force", help="Load even if the database already has participants."),
) -> None:
    """Fill the database with a demo trial through the same services the API uses (demo mode only)."""
    _django()
    from django.conf import settings

    from mescams.edc.demo.loader import load_demo

    if not settings.MESCAMS_DEMO:
        raise typer.BadParameter("demo data are loaded in demo mode only (MESCAMS_DEMO=1)")
    summary = load_demo(seed=seed, force=force)
    for line in summary.lines():
        typer.echo(line)


@reports_errors
def audit_verify() -> None:
    """Prove the audit trail: hash chain intact, every data row equal to its last audited values."""
    _django()
    from mescams.edc.audit.verify import verify_audit_trail

    report = verify_audit_trail()
    typer.echo(f"audit trail intact: {report.entries} entries, {report.records} records, head {report.head_hash[:16]}")


@reports_errors
def export_analysis_data(
    out_dir: Path = typer.Argument(..., help="Folder to write (created if needed)."),
    deidentify: bool = typer.Option(False, "--deidentify", help="Move every participant's dates by their offset "
                                    "and scrub AE terms, as the DSMB's export (see the README's security section)."),
) -> None:
    """Write the analysis-data folder (contracts/analysis-data.md); an administrator's tool on the server."""
    _django()
    from mescams.edc.export.analysis_data import write_analysis_data

    counts = write_analysis_data(out_dir, deidentified=deidentify)
    typer.echo(", ".join(f"{name}: {n} rows" for name, n in counts.items()))


@reports_errors
def randomisation_generate(
    seed: str = typer.Option(None, "--seed", help="Hex seed to record (default: a fresh 256-bit CSPRNG seed)."),
    slots_per_site: int = typer.Option(None, "--slots-per-site", help="Default: the protocol's target enrolment."),
) -> None:
    """Generate and store the allocation list (the seed is recorded with it; the list is never printed)."""
    _django()
    from mescams.edc.audit.context import Actor
    from mescams.edc.randomisation.services import generate_list

    stored = generate_list(actor=Actor.system("cli"), seed=seed, slots_per_site=slots_per_site)
    typer.echo(f"allocation list {stored.pk}: {stored.slots.count()} slots, generator {stored.generator}")


@reports_errors
def randomisation_import(
    file: Path = typer.Argument(..., help="CSV with a header row and the columns site, slot, sequence, product_code.",
                                exists=True, dir_okay=False, readable=True),
) -> None:
    """Import an allocation list generated elsewhere, into an empty database only (no list may exist yet).

    Columns (header row required, any order, UTF-8): site = a protocol site code; slot = 1, 2, ... within the
    site, no gaps or duplicates; sequence = a protocol sequence code (e.g. MSC-PLACEBO); product_code = the blinded
    product code, unique over the whole file (at most 16 characters). Errors name the row and column; sequences out
    of the allocation ratio within a block are reported as warnings. The file's SHA-256 is recorded, and
    ``mescams randomisation verify`` checks every slot against the recorded file.
    """
    _django()
    from mescams.edc.audit.context import Actor
    from mescams.edc.randomisation.services import import_list

    stored, parsed = import_list(actor=Actor.system("cli"), content=file.read_bytes())
    for warning in parsed.warnings:
        typer.echo(f"warning: {warning}", err=True)
    typer.echo(f"allocation list {stored.pk}: {stored.slots.count()} slots imported, SHA-256 {parsed.sha256}")


@reports_errors
def randomisation_verify() -> None:
    """Re-derive the stored allocation list from its recorded seed (an imported list: re-read the file recorded at
    import, checked against its SHA-256) and compare every slot."""
    _django()
    from mescams.edc.randomisation.services import active_list, verify_list

    stored = active_list()
    checked = verify_list(stored)
    if stored.source_sha256:
        typer.echo(f"allocation list verified: {checked} slots checked against the imported file "
                   f"(SHA-256 {stored.source_sha256}, recorded at import; the list has no seed)")
    else:
        typer.echo(f"allocation list verified: {checked} slots re-derived from the seed")


@reports_errors
def create_user(
    username: str = typer.Argument(..., help="Letters, digits and . _ - @ (beginning with a letter or digit)."),
    role: str = typer.Option(..., "--role", help="One of the roles of the blinding policy, e.g. site_coordinator."),
    sites: str = typer.Option("", "--sites", help="Comma-separated site codes (required for site-bound roles)."),
    reason: str = typer.Option(..., "--reason", help="Why the account is created (recorded in the audit trail)."),
) -> None:
    """Create a user through the audited service; the password is read from MESCAMS_NEW_PASSWORD or prompted.

    The password must pass Django's validators (length, common passwords, similarity to the user name) and be
    changed by its holder at the first log-in. A role that may see allocation, or administrator (except the very
    first administrator), leaves the account inactive until an administrator approves its request in the admin.
    """
    _django()
    from mescams.edc.accounts.administration import create_account
    from mescams.edc.audit.context import Actor
    from mescams.edc.trial.sites import sync_sites

    password = os.environ.get("MESCAMS_NEW_PASSWORD") or typer.prompt("password", hide_input=True,
                                                                     confirmation_prompt=True)
    sync_sites()
    user, request = create_account(by=Actor.system("cli"), username=username, password=password, role=role,
                                   site_codes=sites.split(","), reason=reason)
    typer.echo(f"created {user.username} ({user.role}; sites {', '.join(user.site_codes()) or 'none'}); the password "
               "must be changed at the first log-in")
    if request is not None:
        typer.echo(f"the role {request.role} takes two people: the account stays inactive until an administrator "
                   f"approves request {request.pk} (/admin/accounts/rolerequest/{request.pk}/change/)")


@reports_errors
def set_password(
    username: str = typer.Argument(...),
    reason: str = typer.Option(..., "--reason", help="Why (recorded in the audit trail)."),
) -> None:
    """Set a user's password (MESCAMS_NEW_PASSWORD or prompted); the holder must change it at the next log-in.

    The only way to reset the password of a two-person role (lab, unblinded statistician, DSMB, administrator).
    """
    _django()
    from mescams.edc.accounts.administration import set_password as set_it
    from mescams.edc.accounts.models import User
    from mescams.edc.audit.context import Actor
    from mescams.errors import InputValidationError

    user = User.objects.filter(username=username).first()
    if user is None:
        raise InputValidationError("username", f"no user named {username}")
    password = os.environ.get("MESCAMS_NEW_PASSWORD") or typer.prompt("password", hide_input=True,
                                                                     confirmation_prompt=True)
    set_it(by=Actor.system("cli"), user=user, password=password, reason=reason)
    typer.echo(f"password of {username} set; it must be changed at the next log-in")


@reports_errors
def disable_demo() -> None:
    """Deactivate the demo accounts that still open with their public demo passwords (audited)."""
    _django()
    from mescams.edc.demo.guard import disable_demo_accounts

    names = disable_demo_accounts()
    typer.echo(f"deactivated: {', '.join(names)}" if names else "no demo account opens with its demo password")


@reports_errors
def unlock_user(
    username: str = typer.Argument(...),
    reason: str = typer.Option(..., "--reason", help="Why the delays are cleared (recorded in the audit trail)."),
) -> None:
    """Clear the growing log-in delays of an account at every address (e.g. after someone guessed at it); audited.
    Accounts are never locked, so this is only needed to let a user in before the delay runs out."""
    _django()
    from mescams.edc.security.throttle import release

    cleared = release(user=None, username=username, reason=reason)
    typer.echo(f"log-in delays of {username} cleared ({cleared} address(es))")


@reports_errors
def access_log_export(
    out: Path = typer.Argument(..., help="CSV file to write.", dir_okay=False),
    participant: str = typer.Option("", "--participant", help="Only this participant's records."),
    start: str = typer.Option("", "--from", help="First day (YYYY-MM-DD, UTC)."),
    end: str = typer.Option("", "--to", help="Last day (YYYY-MM-DD, UTC)."),
) -> None:
    """Write who viewed participant data (by participant and dates) as CSV, after verifying the log."""
    _django()
    from mescams.edc.security import access_log

    terms = access_log.search_terms({"participant_id": participant, "start": start, "end": end})
    access_log.verify()
    rows = access_log.records(**terms)
    out.write_text(access_log.as_csv(rows.iterator()), encoding="utf-8")
    typer.echo(f"{rows.count()} access records written to {out}")


@reports_errors
def access_log_verify() -> None:
    """Check every access record's hash and the seals' chain (sealing pending records first)."""
    _django()
    from mescams.edc.security.access_log import verify

    typer.echo(f"access log verified: {verify()} records")


@reports_errors
def access_log_purge() -> None:
    """Remove the sealed batches of access records older than MESCAMS_ACCESS_LOG_RETENTION_YEARS (default 15)."""
    _django()
    from mescams.edc.security.access_log import purge_expired

    typer.echo(f"{purge_expired()} access records past the retention period removed")


def register(root: typer.Typer, group: Callable[[str, str], typer.Typer]) -> None:
    root.command("migrate")(migrate)
    root.command("serve")(serve)
    group("demo", "The demo trial.").command("load")(demo_load)
    group("audit", "The audit trail.").command("verify")(audit_verify)
    group("export", "Exports.").command("analysis-data")(export_analysis_data)
    randomisation = group("randomisation", "The allocation list (unblinded statistician's tools).")
    randomisation.command("generate")(randomisation_generate)
    randomisation.command("import")(randomisation_import)
    randomisation.command("verify")(randomisation_verify)
    users = group("users", "EDC user accounts.")
    users.command("create")(create_user)
    users.command("set-password")(set_password)
    users.command("disable-demo")(disable_demo)
    users.command("unlock")(unlock_user)
    log = group("access-log", "Who viewed which participant's data (PHIPA/PHIA access log).")
    log.command("export")(access_log_export)
    log.command("verify")(access_log_verify)
    log.command("purge")(access_log_purge)
