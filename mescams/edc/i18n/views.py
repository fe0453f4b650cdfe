"""The language switch on every page: remembered in a cookie (before log-in) and on the account (after)."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, HttpResponseRedirect
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from mescams.edc.i18n.languages import LANGUAGE_CODES
from mescams.edc.i18n.preference import choose_language

__all__ = ["set_language"]


@require_POST
def set_language(request: HttpRequest) -> HttpResponse:
    """POST ``language`` (and ``next``, a page of this site): switch, then go back to that page."""
    language = request.POST.get("language", "")
    if language not in LANGUAGE_CODES:
        return HttpResponseBadRequest(_("Unknown language."))
    target = request.POST.get("next") or "/"
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()},
                                           require_https=request.is_secure()):
        target = "/"
    if request.user.is_authenticated:
        choose_language(user=request.user, language=language)  # type: ignore[arg-type]
    response = HttpResponseRedirect(target)
    response.set_cookie(settings.LANGUAGE_COOKIE_NAME, language, max_age=365 * 24 * 3600, samesite="Lax",
                        secure=settings.SESSION_COOKIE_SECURE, httponly=True)
    return response
