"""Use the signed-in user's chosen language; before log-in (or with no choice stored) Django's LocaleMiddleware
has already picked one from the language cookie or the browser's Accept-Language."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.utils import translation

from mescams.edc.i18n.languages import LANGUAGE_CODES

__all__ = ["UserLanguageMiddleware"]


class UserLanguageMiddleware:
    """After authentication: a stored preference overrides what the request asked for."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        chosen = getattr(user, "language", "") if user is not None and user.is_authenticated else ""
        if chosen in LANGUAGE_CODES:
            translation.activate(chosen)
            request.LANGUAGE_CODE = chosen
        response = self.get_response(request)
        if chosen in LANGUAGE_CODES:
            response.headers.setdefault("Content-Language", chosen)
        return response
