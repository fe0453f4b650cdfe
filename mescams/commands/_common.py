"""What every command shares: turning deliberate errors into a message on stderr and exit status 2."""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable
from typing import ParamSpec, TypeVar

import typer

from mescams.errors import MescamsError

P = ParamSpec("P")
R = TypeVar("R")

EXIT_BAD_INPUT = 2


def reports_errors(func: Callable[P, R]) -> Callable[P, R]:
    """Wrap a command so a MescamsError prints ``error: ...`` to stderr and exits with status 2."""

    @functools.wraps(func)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return func(*args, **kwargs)
        except MescamsError as exc:
            print(f"error: {exc}", file=sys.stderr)
            raise typer.Exit(EXIT_BAD_INPUT) from None

    return wrapper
