"""The two database engines' copy operations (no Django here: paths and connection settings in, files out)."""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from mescams.errors import MescamsError

__all__ = ["SQLITE_MAGIC", "PG_MAGIC", "ToolError", "pg_dump", "pg_restore", "sqlite_copy"]

SQLITE_MAGIC = b"SQLite format 3\x00"
PG_MAGIC = b"PGDMP"


class ToolError(MescamsError):
    """A database tool failed or is missing; the message carries its own error text."""


def sqlite_copy(source: Path, target: Path) -> int:
    """Copy ``source`` into ``target`` page by page with SQLite's online backup API; returns the page count.

    The copy is consistent even while other connections write (the API restarts on a change). ``target``'s
    previous content is replaced in one step for its readers.
    """
    src = sqlite3.connect(f"file:{source}?mode=ro", uri=True, timeout=30)
    try:
        check = src.execute("PRAGMA quick_check").fetchone()[0]
        if check != "ok":
            raise ToolError(f"{source} fails SQLite's integrity check: {check}")
        dst = sqlite3.connect(str(target), timeout=30)
        try:
            src.backup(dst, pages=1024)
            pages = int(dst.execute("PRAGMA page_count").fetchone()[0])
        finally:
            dst.close()
    finally:
        src.close()
    return pages


def _tool(name: str) -> str:
    found = shutil.which(name) or shutil.which(name, path="/usr/lib/postgresql/15/bin")
    if found is None:
        raise ToolError(f"{name} is not installed (PostgreSQL client tools, matching the server's major version)")
    return found


def _pg_args(db: Mapping[str, Any]) -> tuple[list[str], dict[str, str]]:
    args = ["--dbname", str(db["NAME"])]
    if db.get("HOST"):
        args += ["--host", str(db["HOST"])]
    if db.get("PORT"):
        args += ["--port", str(db["PORT"])]
    if db.get("USER"):
        args += ["--username", str(db["USER"])]
    env = {**os.environ, "PGCONNECT_TIMEOUT": "10"}
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = str(db["PASSWORD"])  # to the child only; never on the command line or in a log
    return args, env


def _run(cmd: list[str], env: dict[str, str]) -> None:
    done = subprocess.run(cmd, env=env, capture_output=True, text=True, check=False)  # noqa: S603
    if done.returncode != 0:
        raise ToolError(f"{Path(cmd[0]).name} failed: {done.stderr.strip()[-2000:]}")


def pg_dump(db: Mapping[str, Any], out: Path) -> None:
    """``pg_dump -Fc`` of the database into ``out`` (a single consistent snapshot)."""
    args, env = _pg_args(db)
    _run([_tool("pg_dump"), "--format=custom", "--no-owner", "--no-privileges", "--file", str(out), *args], env)


def pg_restore(db: Mapping[str, Any], dump: Path) -> None:
    """Replace the database's objects with the dump's, in one transaction (all or nothing)."""
    args, env = _pg_args(db)
    _run([_tool("pg_restore"), "--clean", "--if-exists", "--no-owner", "--no-privileges", "--single-transaction",
          "--exit-on-error", *args, str(dump)], env)
