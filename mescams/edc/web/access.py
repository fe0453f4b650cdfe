"""Who may open which page: role checks on the server, and the one place where service errors become pages.

``role_required`` answers 403 (PermissionDenied) to a logged-in user of another role and sends anonymous users
to the log-in page. ``service_errors`` turns the EDC's deliberate errors into HTTP answers the same way the API
does (``mescams.edc.api.errors``): not found 404, forbidden or blinded 403. Messages never carry allocation.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable
from typing import Any, Literal

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext

from mescams.core.blinding import BLINDING_POLICY, Reveal, Role
from mescams.edc.trial.services import Forbidden, NotFound
from mescams.errors import BlindingViolation

SITE_ROLES = (Role.SITE_COORDINATOR, Role.INVESTIGATOR)

HOME_OF: dict[Role, str] = {
    Role.SITE_COORDINATOR: "web:site_dashboard",
    Role.INVESTIGATOR: "web:site_dashboard",
    Role.EDSS_RATER: "web:rater_home",
    Role.MRI_READER: "web:mri_scans",
    Role.CELL_LAB: "web:lab_worklist",
    Role.DATA_MANAGER: "web:dm_queries",
    Role.UNBLINDED_STATISTICIAN: "web:oversight",
    Role.DSMB: "web:oversight",
    Role.ADMINISTRATOR: "admin:index",
    Role.PARTICIPANT: "portal:home",
    Role.MEDICAL_CODER: "web:coding_queue",
    Role.SAFETY_OFFICER: "web:safety_dashboard",
    Role.MONITOR: "web:monitor_home",
}
"""The dashboard each role lands on after log-in."""


View = Callable[..., HttpResponse]


def role_required(*roles: Role) -> Callable[[View], View]:
    """Only these roles may open the page: anonymous -> log-in page, any other role -> 403."""

    def decorate(view: View) -> View:
        @functools.wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if Role(request.user.role) not in roles:  # type: ignore[union-attr]
                raise PermissionDenied(f"this page is not for the role {request.user.role}")  # type: ignore[union-attr]
            with service_errors():
                return view(request, *args, **kwargs)

        wrapped.allowed_roles = frozenset(roles)  # type: ignore[attr-defined]
        return wrapped

    return decorate


def post_only(back: str, *keep: str) -> Callable[[View], View]:
    """A view that only takes a form's submission: a GET (a bookmark, the address bar, revisiting the address after a
    form error) is sent back to the page holding the form, ``back`` with the URL arguments named in ``keep``, with
    a note, instead of Django's blank 405. Other methods still get 405."""

    def decorate(view: View) -> View:
        signature = inspect.signature(view)

        @functools.wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if request.method in ("GET", "HEAD"):
                given = signature.bind(request, *args, **kwargs).arguments
                messages.info(request, gettext("That address takes a form's submission; here is the form."))
                return redirect(reverse(back, kwargs={k: given[k] for k in keep}))
            if request.method != "POST":
                return HttpResponseNotAllowed(["POST"])
            return view(request, *args, **kwargs)

        wrapped.post_only_back = back  # type: ignore[attr-defined]
        return wrapped

    return decorate


def reveal_required(what: Reveal) -> Callable[[View], View]:
    """Only roles the blinding policy lets see ``what`` may open the page (403 for everyone else)."""
    return role_required(*BLINDING_POLICY.roles_seeing(what))


class service_errors:  # noqa: N801 - used as a context manager, reads like a statement
    """Map NotFound -> 404 and Forbidden / BlindingViolation -> 403 inside a view."""

    def __enter__(self) -> None:
        return None

    def __exit__(self, kind: Any, exc: BaseException | None, tb: Any) -> Literal[False]:
        if isinstance(exc, NotFound):
            raise Http404(str(exc)) from exc
        if isinstance(exc, Forbidden | BlindingViolation):
            raise PermissionDenied(str(exc)) from exc
        return False
