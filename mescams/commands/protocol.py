"""``mescams protocol ...``: show, date and validate the protocol."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import typer
from rich.console import Console
from rich.table import Table

from mescams.commands._common import reports_errors
from mescams.errors import InputValidationError

# Imports inside functions: each command loads only the area it uses (pandas, SciPy, DuckDB, Django after
# configure()), so `mescams --help` and the other commands start fast.

ProtocolOption = typer.Option(None, "--protocol", help="Protocol YAML (default: the MESCAMS protocol).")


def _parse_date(value: str, field: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise InputValidationError(field, f"expected an ISO 8601 date YYYY-MM-DD, got {value!r}") from None


@reports_errors
def show(protocol: Path | None = ProtocolOption) -> None:
    """Print a readable summary of the protocol."""
    from mescams.protocols import load_protocol

    p = load_protocol(protocol)
    ident, design = p.identification, p.design
    con = Console()
    con.print(f"[bold]{ident.acronym}[/bold] {ident.nct_id} (other IDs: {', '.join(ident.other_ids)})")
    con.print(ident.brief_title)
    con.print(f"Official title: {ident.official_title}")
    con.print(f"Sponsor: {ident.sponsor}; PI: {ident.principal_investigator.name}")
    con.print(f"Phase: {ident.phase}; conditions: {', '.join(ident.conditions)}")
    con.print(
        f"Design: {design.allocation}, {design.intervention_model}, masking {design.masking_label} "
        f"({', '.join(design.masking)}); target enrolment {design.target_enrolment}; "
        f"ages {design.population.min_age_years}-{design.population.max_age_years}"
    )
    sites = Table("site", "name", "city", title="Sites")
    for s in ident.sites:
        sites.add_row(s.code, s.name, f"{s.city}, {s.region}, {s.country}")
    con.print(sites)
    seq = Table("sequence", "ratio", *[f"period {per.number} (weeks {per.start_week}-{per.end_week})"
                                       for per in design.periods], title="Sequences")
    for sq in design.sequences:
        seq.add_row(sq.code, str(design.allocation_ratio[sq.code]), *sq.treatments)
    con.print(seq)
    prod = Table("product", "dose", "vehicle", title="Products")
    for pr in p.products:
        dose = (f"{pr.dose.min_cells_per_kg:.1e}-{pr.dose.max_cells_per_kg:.1e} cells/kg"
                if pr.dose else f"matching {pr.matches}, equal volume")
        v = pr.vehicle
        prod.add_row(pr.name, dose, f"{v.base}, {v.human_albumin_percent:g}% albumin, "
                     f"{v.dmso_percent:g}% DMSO ({v.dmso_volume_ml:g} mL)")
    con.print(prod)
    visits = Table("visit", "week", "window (days)", "activities", title="Visit schedule")
    for vi in p.visits:
        week = "-" if vi.week is None else str(vi.week)
        window = (f"up to {vi.window_before_days} before week 0" if vi.week is None
                  else f"-{vi.window_before_days}/+{vi.window_after_days}")
        visits.add_row(vi.code, week, window, ", ".join(vi.activities))
    con.print(visits)
    outcomes = Table("id", "type", "time frame", "measure", title="Outcome measures")
    for o in p.outcomes:
        outcomes.add_row(o.id, o.type, o.time_frame, f"{o.title}: {o.description}")
    con.print(outcomes)
    crit = Table("id", "criterion", title="Eligibility criteria")
    for c in p.eligibility.criteria:
        crit.add_row(c.id, c.text if len(c.text) < 160 else c.text[:157] + "...")
    con.print(crit)


@reports_errors
def schedule(
    randomised_on: str = typer.Option(
        ..., "--randomised-on", "--randomized-on", help="Week 0: randomisation and first infusion."
    ),
    as_json: bool = typer.Option(False, "--json", help="Print JSON instead of a table."),
    protocol: Path | None = ProtocolOption,
) -> None:
    """Print the dated visit plan, with windows, for a participant randomised on the given date."""
    from mescams.core.schedule import planned_visits, study_day
    from mescams.protocols import load_protocol

    week0 = _parse_date(randomised_on, "--randomised-on")
    plan = planned_visits(load_protocol(protocol), week0)
    rows: list[dict[str, Any]] = [
        {
            "visit": pv.code,
            "name": pv.visit.name,
            "week": pv.visit.week,
            "planned_date": pv.planned_date.isoformat() if pv.visit.week is not None else None,
            "window_start": pv.window_start.isoformat(),
            "window_end": pv.window_end.isoformat(),
            "study_day": study_day(pv.planned_date, week0) if pv.visit.week is not None else None,
            "activities": list(pv.visit.activities),
        }
        for pv in plan
    ]
    if as_json:
        typer.echo(json.dumps({"week0": week0.isoformat(), "visits": rows}, indent=2))
        return
    table = Table("visit", "week", "planned", "study day", "window", "activities",
                  title=f"Visit plan, week 0 = {week0.isoformat()}")
    for r in rows:
        table.add_row(r["visit"], "-" if r["week"] is None else str(r["week"]), r["planned_date"] or "-",
                      "-" if r["study_day"] is None else str(r["study_day"]),
                      f"{r['window_start']} to {r['window_end']}", ", ".join(r["activities"]))
    Console(width=160).print(table)


@reports_errors
def validate(file: Path = typer.Argument(..., help="Protocol YAML file to check.")) -> None:
    """Check a protocol file; errors name the path of each bad field (exit status 2)."""
    from mescams.protocols import load_protocol

    p = load_protocol(file)
    typer.echo(
        f"valid: {p.identification.nct_id}, {len(p.design.sequences)} sequences, {len(p.visits)} visits, "
        f"{len(p.outcomes)} outcomes, {len(p.eligibility.criteria)} criteria"
    )


def register(root: typer.Typer, group: Callable[[str, str], typer.Typer]) -> None:
    protocol_group = group("protocol", "Show, schedule and validate the trial protocol.")
    for command in (show, schedule, validate):
        protocol_group.command()(command)
