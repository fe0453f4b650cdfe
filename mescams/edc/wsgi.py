"""WSGI entry point for gunicorn (``mescams serve``): settings come from the environment at start-up.

Before serving, the stored allocation list (if any) is re-derived from its seed: a list changed behind the
system's back stops the server from starting rather than randomising from it. Outside demo mode, demo accounts that
still open with their public passwords stop it too (:mod:`mescams.edc.demo.guard`).
"""

from __future__ import annotations

from typing import Any

# Imports inside functions: nothing of the EDC may load before configure() has built the settings from the
# environment (create_application), and the checks run only once Django is set up.


def startup_checks() -> None:
    """Verify the active allocation list against its seed (AllocationListMismatch if it differs); refuse demo
    accounts with their public passwords outside demo mode (DemoAccountsOutsideDemoMode)."""
    from django.db import DatabaseError

    from mescams.edc.demo.guard import refuse_demo_accounts_outside_demo_mode
    from mescams.edc.randomisation.models import AllocationList
    from mescams.edc.randomisation.services import verify_list

    try:
        stored = AllocationList.objects.filter(active=True).order_by("-id").first()
    except DatabaseError:  # not migrated yet: nothing to check
        return
    if stored is not None:
        verify_list(stored)
    refuse_demo_accounts_outside_demo_mode()


def warm_up() -> None:
    """Do in each worker, before it takes requests, the one-off work its first requests would otherwise pay for
    (seconds of latency for the first people served after a start or restart): import the URL
    configuration, which builds the API and its schemas, and load the protocol."""
    from django.urls import get_resolver

    from mescams.protocols import default_protocol

    get_resolver().resolve("/api/participants")
    default_protocol()


def create_application() -> Any:
    from django.core.wsgi import get_wsgi_application

    from mescams.edc.settings import configure

    configure()
    application = get_wsgi_application()
    startup_checks()
    warm_up()
    return application
