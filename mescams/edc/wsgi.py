"""WSGI entry point for gunicorn (``mescams serve``): settings come from the environment at start-up."""

from __future__ import annotations

from typing import Any


def create_application() -> Any:
    from django.core.wsgi import get_wsgi_application

    from mescams.edc.settings import configure

    configure()
    return get_wsgi_application()
