"""Portal accounts: the coordinator's invitation (e-mailed link, hashed token, expiry), the participant's own
password, and the second factor: a six-digit code e-mailed at each log-in.

Why an e-mailed code and not TOTP (pyotp, django-otp): the invitation already reaches the participant by e-mail,
people with MS may have trouble with vision or fine movements that makes an authenticator app a real barrier, and
it needs no new dependency. The code is random (``secrets``), stored hashed, valid ten minutes, five tries, used
once; a new log-in invalidates older codes. The portal shows a participant only their own schedule and reports.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets
from typing import Any

from django.db import transaction
from django.template.loader import render_to_string
from django.utils.translation import gettext
from django.utils.translation import gettext as _

from mescams.core.blinding import Role
from mescams.core.symptom_report import ParticipantPortal
from mescams.edc.accounts.administration import USER_TABLE, check_new_password
from mescams.edc.accounts.models import User
from mescams.edc.accounts.services import check_credentials
from mescams.edc.audit import chain
from mescams.edc.audit.audited import plain_value
from mescams.edc.audit.context import Actor, acting
from mescams.edc.i18n.languages import LANGUAGE_CODES
from mescams.edc.i18n.mail import send_in_language
from mescams.edc.portal.models import LoginCode, PortalAccount
from mescams.edc.security.roles import NotFound, require_role
from mescams.edc.trial.visibility import get_visible_participant
from mescams.errors import InputValidationError, MescamsError
from mescams.protocols import default_protocol

__all__ = ["CODE_MINUTES", "PortalClosed", "activate", "invite", "portal_settings", "send_login_code",
           "verify_login_code"]

CODE_MINUTES = 10
CODE_TRIES = 5


class PortalClosed(MescamsError):
    """The trial's protocol does not turn the participant portal on."""


def portal_settings() -> ParticipantPortal:
    return default_protocol().participant_portal


def require_open() -> ParticipantPortal:
    portal = portal_settings()
    if not portal.enabled:
        raise PortalClosed(gettext(
            "the participant portal is not turned on for this trial (participant_portal.enabled)"))
    return portal


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _sha256(value: str) -> str:
    return hashlib.sha256(value.encode("utf-8")).hexdigest()


def _mail(template: str, account: PortalAccount, context: dict[str, Any]) -> None:
    """An e-mail to the participant, in their language."""
    send_in_language(account, lambda: (render_to_string(f"portal/{template}_subject.txt", context).strip(),
                                       render_to_string(f"portal/{template}.txt", context)))


def invite(*, user: Any, participant_id: str, email: str, language: str, base_url: str) -> PortalAccount:
    """The coordinator invites their participant: an account (no usable password yet) and an e-mailed link."""
    require_role(user, Role.SITE_COORDINATOR, Role.INVESTIGATOR)
    portal = require_open()
    if language not in LANGUAGE_CODES:
        raise InputValidationError("language", _("must be one of %(sorted)s") % {
            "sorted": ', '.join(sorted(LANGUAGE_CODES))})
    if "@" not in email or len(email) > 254:
        raise InputValidationError("email", _("must be an e-mail address"))
    token = secrets.token_urlsafe(32)
    now = _now()
    with transaction.atomic():
        participant = get_visible_participant(user, participant_id, for_update=True)
        account = PortalAccount.objects.filter(participant=participant).first()
        if account is not None and account.activated_at is not None:
            raise InputValidationError("participant_id", _("%(participant_id)s already uses the portal") % {
                "participant_id": participant_id})
        if account is None:
            person = User(username=f"p-{participant.participant_id.lower()}", role=Role.PARTICIPANT.value,
                          email=email, language=language)
            person.set_unusable_password()
            person.save()
            chain.append(actor=Actor.of(user), table=USER_TABLE, record_id=str(person.pk), action="create",
                         changes=[("username", None, plain_value(person.username)),
                                  ("role", None, plain_value(person.role))],
                         reason=f"portal invitation of {participant.participant_id}")
            account = PortalAccount(participant=participant, user=person)
        with acting(user, reason=f"portal invitation of {participant.participant_id}"):
            account.email, account.language, account.invited_by, account.invited_at = email, language, user, now
            account.invitation_sha256 = _sha256(token)
            account.invitation_expires_at = now + dt.timedelta(days=portal.invitation_valid_days)
            account.save()
        link = f"{base_url.rstrip('/')}/portal/activate/{token}/"
        transaction.on_commit(lambda: _mail("invitation", account, {
            "link": link, "username": account.user.username, "days": portal.invitation_valid_days}))
    return account


def activate(*, token: str, password: str) -> PortalAccount:
    """The participant sets their own password with the invitation's link (once, before it expires)."""
    require_open()
    with transaction.atomic():
        account = (PortalAccount.objects.select_for_update().select_related("user")
                   .filter(invitation_sha256=_sha256(token)).first())
        if account is None or account.invitation_expires_at < _now() or account.activated_at is not None:
            raise NotFound(_("This invitation link is not valid (used, expired or replaced)."))
        check_new_password(password, user=account.user)
        person = account.user
        person.set_password(password)
        person.save(update_fields=["password"])
        chain.append(actor=Actor.of(person), table=USER_TABLE, record_id=str(person.pk), action="update",
                     changes=[("password", None, plain_value("set by its holder"))],
                     reason="portal account activated by the participant")
        with acting(person, reason="portal account activated"):
            account.activated_at = _now()
            account.invitation_sha256 = ""
            account.save()
    return account


def send_login_code(*, username: str, password: str, request: Any = None) -> PortalAccount:
    """First factor: the password (throttled like every log-in); then a code is e-mailed."""
    require_open()
    person = check_credentials(username=username, password=password, request=request)
    account = PortalAccount.objects.filter(user=person, activated_at__isnull=False).first()
    if account is None or person.role != Role.PARTICIPANT.value:
        raise NotFound(_("Wrong user name or password."))
    code = f"{secrets.randbelow(10**6):06d}"
    now = _now()
    with transaction.atomic():
        LoginCode.objects.filter(account=account, used_at__isnull=True).update(used_at=now)
        LoginCode.objects.create(account=account, code_sha256=_sha256(code), created_at=now,
                                 expires_at=now + dt.timedelta(minutes=CODE_MINUTES))
    _mail("login_code", account, {"code": code, "minutes": CODE_MINUTES})
    return account


def verify_login_code(*, account_id: int, code: str) -> User:
    """Second factor: the latest code, within its time and tries; used once."""
    require_open()
    with transaction.atomic():
        entry = (LoginCode.objects.select_for_update().select_related("account__user")
                 .filter(account_id=account_id, used_at__isnull=True).order_by("-created_at").first())
        if entry is None or entry.expires_at < _now() or entry.attempts >= CODE_TRIES:
            raise InputValidationError("code", _("This code has expired: log in again to receive a new one."))
        entry.attempts += 1
        if not hmac.compare_digest(entry.code_sha256, _sha256(code.strip())):
            entry.save(update_fields=["attempts"])
            raise InputValidationError("code", _("The code is not right."))
        entry.used_at = _now()
        entry.save(update_fields=["attempts", "used_at"])
    return entry.account.user
