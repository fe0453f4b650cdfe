"""Users of the EDC: one role each (from the blinding policy's role list), one or more sites.

No lock-out state: failed log-ins are counted by :mod:`mescams.edc.security.throttle`, per name as typed and
address, so that an unknown name and a real one behave alike."""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models

from mescams.core.blinding import BLINDING_POLICY, Role

ROLE_CHOICES = [(r.value, r.label) for r in Role]


class User(AbstractUser):
    role = models.CharField(max_length=40, choices=ROLE_CHOICES)
    sites = models.ManyToManyField("trial.Site", blank=True, related_name="users")

    @property
    def role_enum(self) -> Role:
        return Role(self.role)

    @property
    def is_site_bound(self) -> bool:
        return BLINDING_POLICY.view(self.role).site_bound

    def site_codes(self) -> list[str]:
        return sorted(self.sites.values_list("code", flat=True))
