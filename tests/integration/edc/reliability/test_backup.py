"""``mescams backup`` / ``mescams restore`` round trips on SQLite and PostgreSQL, through the real command line.

Each test builds a small trial in a fresh database (users, allocation list, a randomised participant) through the
services, backs it up, changes the data, restores, and checks that the data are back and the audit trail verifies;
a backup whose audit trail was tampered with is refused and the database is left as it was.
"""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from mescams.edc.testing import postgres_available
from tests.conftest import REPO, require
from tests.factories.edc import USERS

MESCAMS = [sys.executable, "-c", "from mescams.cli import main; main()"]
PG_BASE = "postgresql://postgres@127.0.0.1:5432"
PG_DB = f"mescams_backup_test_{os.getpid()}"  # per process: two runs at once never collide
SEED = """
from mescams.edc.settings import configure
configure()
from django.core.management import call_command
call_command("migrate", interactive=False, verbosity=0)
from mescams.edc.randomisation.services import generate_list
from mescams.edc.trial.sites import sync_sites
from tests.factories.edc import LIST_SEED, make_users, randomised
sync_sites()
users = make_users()
generate_list(actor=users["statistician"], seed=LIST_SEED, slots_per_site=8)
randomised(users["coord"])
"""
MORE = """
from mescams.edc.settings import configure
configure()
from mescams.edc.accounts.models import User
from tests.factories.edc import screened
screened(User.objects.get(username="coord"))
"""


def _run(env: dict[str, str], *args: str, code: str | None = None) -> subprocess.CompletedProcess[str]:
    cmd = [sys.executable, "-c", code] if code else [*MESCAMS, *args]
    return subprocess.run(cmd, env=env, cwd=REPO, capture_output=True, text=True, timeout=600, check=False)  # noqa: S603 - generous for a loaded machine


def _ok(done: subprocess.CompletedProcess[str]) -> str:
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout


@pytest.fixture(params=["sqlite", "postgresql"])
def database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[dict[str, str]]:
    env = {**os.environ, "MESCAMS_DATA_DIR": str(tmp_path / "data"), "MESCAMS_SECRET_KEY": "k" * 50,
           "MESCAMS_INSECURE_HTTP": "1", "MESCAMS_LOG_LEVEL": "ERROR", "PYTHONPATH": str(REPO)}
    env.pop("MESCAMS_DATABASE_URL", None)
    env.pop("MESCAMS_DEMO", None)
    if request.param == "postgresql":
        require(postgres_available(), "PostgreSQL at 127.0.0.1:5432 is not reachable")
        import psycopg

        with psycopg.connect(f"{PG_BASE}/postgres", autocommit=True) as conn:
            conn.execute(f"DROP DATABASE IF EXISTS {PG_DB} WITH (FORCE)")
            conn.execute(f"CREATE DATABASE {PG_DB}")
        env["MESCAMS_DATABASE_URL"] = f"{PG_BASE}/{PG_DB}"
    _ok(_run(env, code=SEED))  # migrate, then users, allocation list and a randomised participant
    yield env
    if request.param == "postgresql":
        import psycopg

        with psycopg.connect(f"{PG_BASE}/postgres", autocommit=True) as conn:
            conn.execute(f"DROP DATABASE IF EXISTS {PG_DB} WITH (FORCE)")


def _sql(env: dict[str, str], query: str, *, write: bool = False) -> object:
    if "MESCAMS_DATABASE_URL" in env:
        import psycopg

        with psycopg.connect(env["MESCAMS_DATABASE_URL"], autocommit=True) as conn:
            row = conn.execute(query).fetchone() if not write else conn.execute(query) and None
            return row[0] if row else None
    with sqlite3.connect(Path(env["MESCAMS_DATA_DIR"]) / "mescams.sqlite3") as conn:
        row = conn.execute(query).fetchone()
        return row[0] if row else None


def _participants(env: dict[str, str]) -> int:
    return int(_sql(env, "SELECT count(*) FROM trial_participant"))  # type: ignore[arg-type]


def test_backup_restore_round_trip_and_refusals(database: dict[str, str], tmp_path: Path) -> None:
    """One test per database (each step is a real command; the server-side work is what takes the time)."""
    env = database
    out = tmp_path / "backups"
    out.mkdir()
    written = _ok(_run(env, "backup", str(out)))
    good = next(out.iterdir())
    assert "backup written" in written and "audit entries" in written
    entries_at_backup = _sql(env, "SELECT count(*) FROM audit_auditentry")
    bad = tmp_path / "bad.bak"
    tamper = "UPDATE trial_participant SET status = 'withdrawn' WHERE participant_id = 'OTT-001'"
    if "MESCAMS_DATABASE_URL" in env:
        _sql(env, tamper, write=True)  # a dump of a database changed behind the system's back
        _ok(_run(env, "backup", str(bad)))
    else:
        bad.write_bytes(good.read_bytes())
        with sqlite3.connect(bad) as conn:
            conn.execute(tamper)
    _ok(_run(env, code=MORE))
    assert _participants(env) == 2
    # round trip: the data as they were at the backup, the audit trail proved
    assert "audit trail intact" in _ok(_run(env, "restore", "--yes", str(good)))
    assert _participants(env) == 1
    assert _sql(env, "SELECT count(*) FROM audit_auditentry") == entries_at_backup
    assert _sql(env, "SELECT count(*) FROM accounts_user") == len(USERS)  # users (and argon2 hashes) came back
    assert _sql(env, "SELECT status FROM trial_participant WHERE participant_id = 'OTT-001'") == "randomised"
    _ok(_run(env, code=MORE))  # the restored system keeps working
    assert _participants(env) == 2
    # a tampered backup is refused and the database put back as it was before the attempt
    refused = _run(env, "restore", "--yes", str(bad))
    assert refused.returncode == 2, refused.stderr
    assert "trial_participant" in refused.stderr and "behind the system's back" in refused.stderr
    assert _participants(env) == 2
    assert _sql(env, "SELECT status FROM trial_participant WHERE participant_id = 'OTT-001'") == "randomised"
    # a file that is not a backup is refused before anything is touched
    junk = tmp_path / "junk.bak"
    junk.write_text("not a backup")
    done = _run(env, "restore", "--yes", str(junk))
    assert done.returncode == 2 and "neither a SQLite backup nor a pg_dump" in done.stderr
    assert "audit trail intact" in _ok(_run(env, "audit", "verify"))


def test_an_encrypted_backup_round_trips_and_refuses_a_wrong_key_or_a_damaged_file(database: dict[str, str],
                                                                                   tmp_path: Path) -> None:
    """With MESCAMS_BACKUP_KEY the file holds no readable data; it restores with the key only, and a wrong key
    or a changed byte is refused before the database is touched."""
    env = {**database, "MESCAMS_BACKUP_KEY": "correct horse battery staple"}
    out = tmp_path / "backups"
    out.mkdir()
    assert "encrypted with MESCAMS_BACKUP_KEY" in _ok(_run(env, "backup", str(out)))
    sealed_file = next(out.iterdir())
    content = sealed_file.read_bytes()
    assert sealed_file.name.endswith(".sealed") and content.startswith(b"MESCAMS-SEALED1\n")
    assert b"SQLite format 3" not in content and b"PGDMP" not in content and b"OTT-001" not in content
    _ok(_run(env, code=MORE))
    assert _participants(env) == 2
    for wrong_env, damaged in (({**env, "MESCAMS_BACKUP_KEY": "wrong"}, None), ({**env}, 200),
                               ({**env, "MESCAMS_BACKUP_KEY": ""}, None)):
        target = sealed_file
        if damaged is not None:
            target = tmp_path / "damaged.sealed"
            target.write_bytes(content[:damaged] + bytes([content[damaged] ^ 1]) + content[damaged + 1:])
        refused = _run(wrong_env, "restore", "--yes", str(target))
        assert refused.returncode == 2 and "MESCAMS_BACKUP_KEY" in refused.stderr, refused.stderr
        assert _participants(env) == 2  # untouched
    assert "encrypted" in _ok(_run(env, "restore", "--yes", str(sealed_file)))
    assert _participants(env) == 1
    assert "audit trail intact" in _ok(_run(env, "audit", "verify"))
