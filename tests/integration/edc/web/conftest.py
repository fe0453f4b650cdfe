"""Fixtures of the page tests: Django configured for tests (SQLite), users and an allocation list built through
the EDC's services (the EDC's own factories)."""

from __future__ import annotations

from pathlib import Path

import pytest

from mescams.edc.testing import configure_for_tests

configure_for_tests()
HERE = Path(__file__).parent


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if HERE in Path(str(item.fspath)).parents and item.get_closest_marker("django_db") is None:
            item.add_marker(pytest.mark.django_db)


@pytest.fixture()
def users(db: None) -> dict[str, object]:
    from mescams.edc.trial.sites import sync_sites
    from tests.factories.edc import make_users

    sync_sites()
    return make_users()


@pytest.fixture()
def allocation(users: dict[str, object]) -> object:
    from mescams.edc.randomisation.services import generate_list
    from tests.factories.edc import LIST_SEED

    return generate_list(actor=users["statistician"], seed=LIST_SEED, slots_per_site=8)


@pytest.fixture()
def client_for(users: dict[str, object]):
    from django.test import Client

    def make(name: str) -> Client:
        client = Client()
        client.force_login(users[name])
        return client

    return make
