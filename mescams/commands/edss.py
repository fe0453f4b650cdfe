"""``mescams`` commands of the edss area (see mescams.cli for how areas register)."""

from __future__ import annotations

from collections.abc import Callable

import typer


def register(root: typer.Typer, group: Callable[[str, str], typer.Typer]) -> None:
    """Add this area's commands to the command line (none yet)."""
