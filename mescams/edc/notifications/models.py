"""Which notifications a user wants by e-mail (their own choice; none until they choose)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy

KINDS: dict[str, str] = {
    "visit_due": gettext_lazy("A visit of my sites' participants is due (its window opens), in a daily summary"),
    "query_raised": gettext_lazy("A query is raised on my sites' data"),
    "query_answered": gettext_lazy("A query I raised is answered"),
    "serious_ae": gettext_lazy("A serious adverse event is entered at my sites"),
    "signature_requested": gettext_lazy("A casebook at my sites needs my signature"),
}
"""Notification kinds and how the preferences page describes them."""


class NotificationChoice(models.Model):
    """One kind of notification a user has chosen to receive (a row per chosen kind)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_choices")
    kind = models.CharField(max_length=30, choices=list(KINDS.items()))

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "kind"], name="one_choice_per_kind")]
