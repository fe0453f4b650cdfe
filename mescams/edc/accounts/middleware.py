"""Send an account whose password someone else set to the password page before anything else.

Pages answer with a redirect to the password page; the API answers 403 with the code ``password_change_required``
(a client cannot follow a redirect to a form). Log-out, the password page itself and static files stay reachable.
"""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse

from mescams.edc.accounts.passwords import PASSWORD_PAGE, PasswordChangeRequired

__all__ = ["PasswordChangeRequiredMiddleware"]

OPEN_PATHS = (PASSWORD_PAGE, "/accounts/logout/", "/language/", "/static/", "/api/auth/logout", "/api/auth/csrf")


class PasswordChangeRequiredMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if (user is not None and user.is_authenticated and getattr(user, "password_change_required", False)
                and not request.path.startswith(OPEN_PATHS)):
            error = PasswordChangeRequired()
            if request.path.startswith("/api/"):
                return JsonResponse({"error": error.code, "detail": str(error)}, status=403)
            return HttpResponseRedirect(f"{PASSWORD_PAGE}?{urlencode({'next': request.get_full_path()})}")
        return self.get_response(request)
