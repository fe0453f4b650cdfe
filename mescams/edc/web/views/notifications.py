"""Each user's own choice of e-mail notifications."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import ngettext

from mescams.core.blinding import Role
from mescams.edc.notifications.services import KINDS, chosen_kinds, set_choices
from mescams.edc.web.access import role_required


# every staff role chooses its own notifications; a participant's account reaches the portal only
@role_required(*(role for role in Role if role is not Role.PARTICIPANT))
def preferences(request: HttpRequest) -> HttpResponse:
    """Tick the notifications you want; they go to the e-mail address of your account."""
    if request.method == "POST":
        chosen = set_choices(user=request.user, kinds=request.POST.getlist("kinds"))
        messages.success(request, ngettext("%(n)d notification chosen.", "%(n)d notifications chosen.",
                                           len(chosen)) % {"n": len(chosen)})
        return redirect("web:notifications")
    return render(request, "web/notifications.html", {"kinds": KINDS.items(), "chosen": chosen_kinds(request.user),
                                                      "email": request.user.email})
