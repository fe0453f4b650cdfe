"""WSGI entry point for gunicorn (``mescams serve``): settings come from the environment at start-up.

Before serving, the stored allocation list (if any) is re-derived from its seed: a list changed behind the
system's back stops the server from starting rather than randomising from it.
"""

from __future__ import annotations

from typing import Any


def startup_checks() -> None:
    """Verify the active allocation list against its seed (AllocationListMismatch if it differs)."""
    from django.db import DatabaseError

    from mescams.edc.randomisation.models import AllocationList
    from mescams.edc.randomisation.services import verify_list

    try:
        stored = AllocationList.objects.filter(active=True).order_by("-id").first()
    except DatabaseError:  # not migrated yet: nothing to check
        return
    if stored is not None:
        verify_list(stored)


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
