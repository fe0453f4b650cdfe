"""``mescams federated``: a node's tokens and approvals, and the coordinator's federated analysis.

At a node (its server's environment): ``token create COORDINATOR`` prints a new token once, to hand to that
coordinator; ``approve ANALYSIS --coordinator C --statistician USER --reason ...`` is the unblinded statistician's
approval (password asked). At the coordinator: ``analyze --node URL=TOKEN ... --json OUT.json``.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import typer

from mescams.commands._common import reports_errors
from mescams.errors import InputValidationError

# Imports inside functions: Django only for the node's commands (after configure()), httpx and SciPy only for the
# coordinator's, so `mescams --help` stays fast.


@reports_errors
def token_create(
    coordinator: str = typer.Argument(..., help="The coordinator's name (letters, digits, '-', '_', '.')."),
    reason: str = typer.Option("", "--reason", help="Why (required when it replaces the coordinator's token)."),
) -> None:
    """Create (or replace) COORDINATOR's token at this node and print it once; only its salted hash is kept."""
    from mescams.edc.settings import configure

    configure()
    from mescams.edc.audit.context import Actor
    from mescams.edc.federation.services import create_token

    token = create_token(name=coordinator, actor=Actor.system("cli"), reason=reason)
    typer.echo(token)
    typer.echo("Hand this token to the coordinator now: it is not stored and cannot be shown again.", err=True)


@reports_errors
def approve(
    analysis: str = typer.Argument(..., help="gel_crossover or adverse_events."),
    coordinator: str = typer.Option(..., "--coordinator", help="The coordinator's name (see `token create`)."),
    statistician: str = typer.Option(..., "--statistician", help="The unblinded statistician's user name."),
    reason: str = typer.Option(..., "--reason", prompt=True, help="Why this analysis is approved (audited)."),
    password: str = typer.Option(..., "--password", prompt=True, hide_input=True,
                                 envvar="MESCAMS_STATISTICIAN_PASSWORD", help="The statistician's password."),
    max_evaluations: int = typer.Option(60, "--max-evaluations", help="Requests this approval allows (at most 60)."),
) -> None:
    """The node's unblinded statistician approves ANALYSIS for COORDINATOR (audited, with the typed reason)."""
    from mescams.edc.settings import configure

    configure()
    from mescams.edc.accounts.services import check_credentials
    from mescams.edc.federation.services import approve as approve_analysis

    user = check_credentials(username=statistician, password=password)
    approval = approve_analysis(analysis=analysis, coordinator=coordinator, statistician=user, reason=reason,
                                max_evaluations=max_evaluations)
    typer.echo(f"approved {approval.analysis} for {coordinator}: {approval.max_evaluations} requests")


def _node(text: str) -> tuple[str, str]:
    url, sep, token = text.partition("=")
    if not sep or not url.startswith(("http://", "https://")) or not token:
        raise InputValidationError("--node", f"expected URL=TOKEN with an http(s) URL, got {text.split('=')[0]!r}=...")
    return url, token


@reports_errors
def analyze(
    node: list[str] = typer.Option(..., "--node", help="URL=TOKEN of a node (repeat; the first is trial 1)."),
    analysis: str = typer.Option("gel_crossover", "--analysis", help="gel_crossover (with AE counts)."),
    json_out: Path = typer.Option(..., "--json", help="Where to write the results JSON."),
) -> None:
    """Fit the pooled crossover model across nodes (exact), the two-stage alternative, and pooled AE counts."""
    from mescams.stats.federated.client import HttpNode
    from mescams.stats.federated.coordinator import run_federated

    if analysis != "gel_crossover":
        raise InputValidationError("--analysis", "must be gel_crossover")
    nodes = [HttpNode(*_node(n)) for n in node]
    try:
        results = run_federated(nodes)
    finally:
        for n in nodes:
            n.close()
    json_out.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    fit = results["gel_crossover"]
    if fit["rate_ratio"] is None:
        typer.echo(f"gel_crossover did not converge: {fit['message']}")
    else:
        typer.echo(f"gel_crossover: rate ratio {fit['rate_ratio']:.3f} (95% CI {fit['ci_low']:.3f}-"
                   f"{fit['ci_high']:.3f}), {fit['n_participants']} participants at {fit['n_nodes']} nodes")


def register(root: typer.Typer, group: Callable[[str, str], typer.Typer]) -> None:
    federated = group("federated", "Federated analysis across trials: node tokens, approvals, the coordinator.")
    federated.command("approve")(approve)
    federated.command("analyze")(analyze)
    token = typer.Typer(help="Coordinators' tokens at this node.", no_args_is_help=True)
    token.command("create")(token_create)
    federated.add_typer(token, name="token")
