"""Fixtures of the reliability and security tests: the EDC's database fixtures (SQLite, then PostgreSQL).

The EDC's ``edc``, ``users`` and ``allocation`` fixtures are reused so that these tests see the same users and
allocation list as the EDC's own tests; every test here may use both database aliases.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.integration.edc.conftest import ALIASES, allocation, edc, users  # noqa: F401 - fixtures

HERE = Path(__file__).parent


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if HERE in Path(str(item.fspath)).parents and item.get_closest_marker("django_db") is None:
            item.add_marker(pytest.mark.django_db(databases=ALIASES))

