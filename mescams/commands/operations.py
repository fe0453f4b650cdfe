"""``mescams`` commands for running the system safely: backups and restores (see mescams.cli for areas)."""

from __future__ import annotations

from collections.abc import Callable

import typer


def register(root: typer.Typer, group: Callable[[str, str], typer.Typer]) -> None:
    """Add the operations commands to the command line."""
