"""``mescams``: one command line over the whole system.

Each area's commands live in ``mescams.commands.<area>``, a module with ``register(root, group)``:
``root`` is the top-level Typer app (for commands such as ``mescams analyze``), ``group(name, help)`` returns
the shared sub-command group of that name (``export``, ``sim``, ...), creating it on first use, so two areas
can add commands to one group. The list of areas is explicit: nothing registers itself by being imported.
"""

from __future__ import annotations

import importlib

import typer

AREAS = ("protocol", "eligibility", "edss", "prescreen", "feasibility", "edc", "coding", "stats", "sim", "interop",
         "operations", "safety", "federated")


def build_app() -> typer.Typer:
    root = typer.Typer(
        name="mescams",
        help="Run and analyse the MESCAMS trial (NCT02239393).",
        no_args_is_help=True,
        pretty_exceptions_show_locals=False,
    )
    groups: dict[str, typer.Typer] = {}

    def group(name: str, help: str = "") -> typer.Typer:  # noqa: A002 - Typer's own word
        if name not in groups:
            groups[name] = typer.Typer(help=help or None, no_args_is_help=True)
            root.add_typer(groups[name], name=name)
        return groups[name]

    for area in AREAS:
        importlib.import_module(f"mescams.commands.{area}").register(root, group)
    return root


app = build_app()


def main() -> None:
    app()


if __name__ == "__main__":
    main()
