"""Each user's own choice of e-mail notifications."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from mescams.core.blinding import Role
from mescams.edc.notifications.services import KINDS, chosen_kinds, set_choices
from mescams.edc.web.access import role_required


@role_required(*Role)  # every role chooses its own notifications
def preferences(request: HttpRequest) -> HttpResponse:
    """Tick the notifications you want; they go to the e-mail address of your account."""
    if request.method == "POST":
        chosen = set_choices(user=request.user, kinds=request.POST.getlist("kinds"))
        messages.success(request, f"{len(chosen)} notification{'s' if len(chosen) != 1 else ''} chosen.")
        return redirect("web:notifications")
    return render(request, "web/notifications.html", {"kinds": KINDS.items(), "chosen": chosen_kinds(request.user),
                                                      "email": request.user.email})
