"""``mescams``: one command line over the whole system.

Each area's commands live in ``mescams.commands.<area>``; this module only mounts them.
"""

from __future__ import annotations

import typer

from mescams.commands import protocol

app = typer.Typer(
    name="mescams",
    help="Run and analyse the MESCAMS trial (NCT02239393).",
    no_args_is_help=True,
    pretty_exceptions_show_locals=False,
)
app.add_typer(protocol.app, name="protocol")


def main() -> None:
    app()


if __name__ == "__main__":
    main()
