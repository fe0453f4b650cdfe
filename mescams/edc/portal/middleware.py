"""A participant's session counts only after the second factor: a participant account signed in any other way
(the staff log-in page, a session without the code) is signed out and sent to the portal's log-in. Once in, a
participant reaches the portal and nothing else (no staff page, no API): 403 everywhere else."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse, HttpResponseForbidden, HttpResponseRedirect, JsonResponse

from mescams.core.blinding import Role

__all__ = ["SECOND_FACTOR_KEY", "SecondFactorMiddleware"]

SECOND_FACTOR_KEY = "portal_second_factor"
OPEN_PATHS = ("/portal/login/", "/portal/verify/", "/portal/activate/", "/static/", "/language/")
PARTICIPANT_PATHS = ("/portal/", "/static/", "/language/", "/accounts/logout/")


class SecondFactorMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated or getattr(user, "role", "") != Role.PARTICIPANT.value:
            return self.get_response(request)
        if not request.session.get(SECOND_FACTOR_KEY) and not request.path.startswith(OPEN_PATHS):
            logout(request)
            if request.path.startswith("/api/"):
                return JsonResponse({"error": "forbidden", "detail": "participant accounts use the portal only"},
                                    status=403)
            return HttpResponseRedirect("/portal/login/")
        if request.path == "/":
            return HttpResponseRedirect("/portal/")
        if not request.path.startswith(PARTICIPANT_PATHS):
            if request.path.startswith("/api/"):
                return JsonResponse({"error": "forbidden", "detail": "participant accounts use the portal only"},
                                    status=403)
            return HttpResponseForbidden("participant accounts use the portal only")
        return self.get_response(request)
