"""Database fixtures of the EDC tests: every test using ``edc`` runs once on SQLite and once on PostgreSQL.

PostgreSQL is the local server (127.0.0.1:5432, database ``test``, user postgres, trust auth); without it the
PostgreSQL half skips locally and fails in CI (``tests.conftest.require``).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from mescams.edc.testing import configure_for_tests, use_database
from tests.conftest import require

HAS_PG = configure_for_tests()
ALIASES = ["default", "postgres"] if HAS_PG else ["default"]
HERE = Path(__file__).parent


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if HERE in Path(str(item.fspath)).parents and item.get_closest_marker("django_db") is None:
            item.add_marker(pytest.mark.django_db(databases=ALIASES))


@pytest.fixture(params=["sqlite", "postgresql"])
def edc(request: pytest.FixtureRequest) -> Iterator[str]:
    """Run the test on SQLite, then on PostgreSQL (services see the chosen database as the default)."""
    if request.param == "postgresql":
        require(HAS_PG, "PostgreSQL at 127.0.0.1:5432 (database test, user postgres) is not reachable")
    request.getfixturevalue("db")
    from mescams.edc.trial.sites import sync_sites

    with use_database("postgres" if request.param == "postgresql" else "default"):
        sync_sites()
        yield request.param


@pytest.fixture()
def users(edc: str) -> dict[str, object]:
    from tests.factories.edc import make_users

    return make_users()


@pytest.fixture()
def allocation(users: dict[str, object]) -> object:
    from mescams.edc.randomisation.services import generate_list
    from tests.factories.edc import LIST_SEED

    return generate_list(actor=users["statistician"], seed=LIST_SEED, slots_per_site=8)
