"""Users of the EDC: one role each (from the blinding policy's role list), one or more sites; and the requests for
a role that two people must agree on (:class:`RoleRequest`).

No lock-out state: failed log-ins are counted by :mod:`mescams.edc.security.throttle`, per name as typed and
address, so that an unknown name and a real one behave alike."""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _

from mescams.core.blinding import BLINDING_POLICY, Role
from mescams.edc.accounts.usernames import USERNAME_MAX, USERNAME_RULE, UsernameValidator
from mescams.edc.audit.audited import AuditedModel

ROLE_CHOICES = [(r.value, r.label) for r in Role]


class User(AbstractUser):
    username = models.CharField(_("username"), max_length=USERNAME_MAX, unique=True, help_text=USERNAME_RULE,
                                validators=[UsernameValidator()],
                                error_messages={"unique": "A user with that user name already exists."})
    role = models.CharField(max_length=40, choices=ROLE_CHOICES)
    sites = models.ManyToManyField("trial.Site", blank=True, related_name="users")
    # Set when an administrator sets the password (the administrator knows it): the holder must choose a new one
    # before doing anything else, and the known one never signs (see mescams.edc.accounts.passwords).
    password_change_required = models.BooleanField(default=False)
    # The language the holder chose (mescams.edc.i18n.languages); empty: the browser's Accept-Language decides.
    language = models.CharField(max_length=10, blank=True, default="")

    @property
    def role_enum(self) -> Role:
        return Role(self.role)

    @property
    def is_site_bound(self) -> bool:
        return BLINDING_POLICY.view(self.role).site_bound

    def site_codes(self) -> list[str]:
        return sorted(self.sites.values_list("code", flat=True))


class RoleRequest(AuditedModel):
    """A request to give ``user`` a role that takes two people (an unblinded role, or administrator).

    One person requests (with a reason), a different authorised person approves or refuses (with a reason); the
    user concerned can do neither. ``activates`` marks the request filed when the account was created with that
    role: the account stays inactive until it is approved. Audited like trial data (create and every decision).
    """

    PENDING, APPROVED, REFUSED = "pending", "approved", "refused"
    STATUS_CHOICES = [(PENDING, _("pending")), (APPROVED, _("approved")),
                      (REFUSED, _("refused"))]

    user = models.ForeignKey(User, on_delete=models.PROTECT, related_name="role_requests")
    role = models.CharField(max_length=40, choices=ROLE_CHOICES)
    activates = models.BooleanField(default=False)
    requested_by = models.ForeignKey(User, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    requested_by_name = models.CharField(max_length=USERNAME_MAX)
    requested_at = models.DateTimeField()
    reason = models.TextField()
    status = models.CharField(max_length=10, choices=STATUS_CHOICES, default=PENDING)
    decided_by = models.ForeignKey(User, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_reason = models.TextField(blank=True, default="")

    class Meta:
        ordering = ["-requested_at", "-id"]

    def __str__(self) -> str:
        return f"request {self.pk}: {self.role} for {self.user.username} ({self.status})"
