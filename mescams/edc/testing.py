"""Django configuration for the test suites: SQLite always, PostgreSQL as a second alias when reachable.

Tests of the data layer run on both databases: the alias ``postgres`` points at the local server
(``MESCAMS_TEST_POSTGRES_URL``, default ``postgresql://postgres@127.0.0.1:5432/test``), and
:func:`use_database` makes it the default connection for the duration of a test, so the services under test run
unchanged on either database. Any test suite needing Django calls :func:`configure_for_tests` first (it is a
no-op once Django is configured).
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from mescams.edc.settings import configure, database_settings

DEFAULT_PG_URL = "postgresql://postgres@127.0.0.1:5432/test"
TEST_ENV = {
    "MESCAMS_DEMO": "1",
    "MESCAMS_SECRET_KEY": "test-secret-key-not-for-production-0123456789",
    "MESCAMS_ALLOWED_HOSTS": "testserver,127.0.0.1,localhost",
    "MESCAMS_LOGIN_FREE_FAILURES": "5",
}


def postgres_url() -> str:
    return os.environ.get("MESCAMS_TEST_POSTGRES_URL", DEFAULT_PG_URL)


def postgres_available() -> bool:
    try:
        import psycopg

        with psycopg.connect(postgres_url(), connect_timeout=2):
            return True
    except Exception:  # noqa: BLE001 - any failure means "not available here"
        return False


def configure_for_tests() -> bool:
    """Configure Django for tests once; returns whether the ``postgres`` alias is configured."""
    from django.conf import settings

    if settings.configured:
        return "postgres" in settings.DATABASES
    data = Path(tempfile.mkdtemp(prefix="mescams-test-"))
    env = {**TEST_ENV, "MESCAMS_DATA_DIR": str(data)}
    databases = {"default": database_settings(env)}
    has_pg = postgres_available()
    if has_pg:
        databases["postgres"] = database_settings({"MESCAMS_DATABASE_URL": postgres_url()})
        databases["postgres"]["CONN_MAX_AGE"] = 0
        # One test database per test process, so two suites running at once on one server never collide.
        databases["postgres"]["TEST"] = {"NAME": f"test_mescams_{os.getpid()}"}
    configure(env, DATABASES=databases, PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher",
                                                          "django.contrib.auth.hashers.Argon2PasswordHasher"])
    return has_pg


@contextmanager
def use_database(alias: str) -> Iterator[None]:
    """Make ``alias``'s connection the default one in this thread for the duration of the block."""
    from django.db import connections

    if alias == "default":
        yield
        return
    from django.contrib.contenttypes.models import ContentType

    previous = connections["default"]
    setattr(connections._connections, "default", connections[alias])  # noqa: B010
    ContentType.objects.clear_cache()  # content type ids differ between the databases (the admin log refers to them)
    try:
        yield
    finally:
        setattr(connections._connections, "default", previous)  # noqa: B010
        ContentType.objects.clear_cache()


@contextmanager
def thread_connection(alias: str) -> Iterator[None]:
    """In a worker thread: a fresh connection to ``alias`` as the default, closed at the end."""
    from django.db import connections

    if alias == "default":
        try:
            yield
        finally:
            connections["default"].close()
        return
    conn = connections.create_connection(alias)
    previous = getattr(connections._connections, "default", None)
    setattr(connections._connections, "default", conn)  # noqa: B010
    try:
        yield
    finally:
        conn.close()
        if previous is not None:
            setattr(connections._connections, "default", previous)  # noqa: B010
        else:
            delattr(connections._connections, "default")
