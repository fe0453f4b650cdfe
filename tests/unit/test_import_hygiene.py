"""Imports of mescams modules inside functions only where a comment names the reason (developers' guide).

An import hidden in a function hides a dependency from the reader (import-linter still sees it) and, before, hid
package cycles. A reason is a comment on the import, on the line just above it (or above the run of imports it
belongs to), or a module-wide line ``# Imports inside functions: <reason>`` (the CLI's command modules, the WSGI
entry point).
"""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[2] / "mescams"
MODULE_REASON = "# Imports inside functions:"

# Not held to the rule: migrations are frozen history (they are skipped by their folder name below).
EXCLUDED: set[str] = set()


def _imports_mescams(node: ast.AST) -> bool:
    if isinstance(node, ast.ImportFrom):
        return node.level > 0 or (node.module or "").split(".")[0] == "mescams"
    if isinstance(node, ast.Import):
        return any(alias.name.split(".")[0] == "mescams" for alias in node.names)
    return False


def _statement_lists(node: ast.AST) -> list[list[ast.stmt]]:
    """Every list of statements inside ``node`` (bodies, else branches, handlers...), nested ones included."""
    out = []
    for child in ast.walk(node):
        for name in ("body", "orelse", "finalbody", "handlers"):
            block = getattr(child, name, None)
            if isinstance(block, list) and block and isinstance(block[0], ast.stmt):
                out.append(block)
    return out


def unexplained_imports(source: str) -> list[int]:
    """Line numbers of function-level imports of mescams modules that no comment explains."""
    lines = source.splitlines()
    if any(line.startswith(MODULE_REASON) for line in lines):
        return []
    found = set()
    for function in ast.walk(ast.parse(source)):
        if not isinstance(function, ast.FunctionDef | ast.AsyncFunctionDef):
            continue
        for block in _statement_lists(function):
            for i, node in enumerate(block):
                if not _imports_mescams(node):
                    continue
                if any("#" in lines[n] for n in range(node.lineno - 1, node.end_lineno or node.lineno)):
                    continue  # a comment on the import itself
                start = i
                while start > 0 and isinstance(block[start - 1], ast.Import | ast.ImportFrom) \
                        and block[start - 1].end_lineno == block[start].lineno - 1:
                    start -= 1  # the run of imports (line after line) this one belongs to
                above = block[start].lineno - 2
                if above >= 0 and lines[above].strip().startswith("#"):
                    continue
                found.add(node.lineno)
    return sorted(found)


def test_every_function_level_import_of_mescams_names_its_reason() -> None:
    offenders = []
    for path in sorted(PACKAGE.rglob("*.py")):
        relative = path.relative_to(PACKAGE).as_posix()
        if relative in EXCLUDED or "/migrations/" in relative:
            continue
        offenders += [f"mescams/{relative}:{n}" for n in unexplained_imports(path.read_text(encoding="utf-8"))]
    assert offenders == [], (
        "imports of mescams modules inside functions without a comment naming the reason (hoist them to the top "
        "of the module, or say why not):\n" + "\n".join(offenders))


def test_the_check_finds_an_unexplained_import_and_accepts_explained_ones() -> None:
    source = '''
from mescams.core import blinding


def plain():
    from mescams.errors import MescamsError

    return MescamsError


def with_reason_above():
    # Imported here: Django's models load only once the apps are ready
    from mescams.edc.trial.models import Site
    from mescams.edc.accounts.models import User

    return Site, User


def with_reason_on_the_line():
    import mescams.stats.analysis  # pandas and SciPy, only for this command
    return mescams


def stdlib_only():
    import json
    return json
'''
    assert unexplained_imports(source) == [6]
    assert unexplained_imports(MODULE_REASON + " the CLI starts fast\n" + source) == []
