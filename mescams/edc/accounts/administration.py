"""User administration: every change of anyone's rights goes through here and into the hash-chained audit trail.

Creating an account, changing a role, the sites, activation or a password each writes audit entries (table
``accounts_user``: field, old value, new value, who, and the reason the person typed), in the same transaction as
the change. The Django admin and the ``mescams users`` commands call these functions; nothing else changes these
fields.

Two people for the roles that matter most: a role that may see allocation (derived from the blinding policy, so a
role added there later is covered) or the administrator role is never given directly. One person files a
:class:`~mescams.edc.accounts.models.RoleRequest`, and a different authorised person (an active administrator who
is neither the requester nor the user concerned) approves or refuses it. Nobody changes their own role, sites,
activation or (here) password.

A password set by someone else is known to that person, so its holder must change it at the next log-in
(``password_change_required``); until then the account reaches only the password page, and the password never
serves as an e-signature (:mod:`mescams.edc.accounts.passwords`).

Who may act: an active administrator, or the command line on the server (``Actor.system("cli")``), which holds the
database anyway; the command line may create the first administrator directly (bootstrap) and set the password of
an account with a two-person role (the web admin may not: whoever sets it could sign in as that person), but never
decides a role request.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import Any

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext

from mescams.core.blinding import BLINDING_POLICY, Role
from mescams.edc.accounts.models import RoleRequest, User
from mescams.edc.accounts.usernames import check_username
from mescams.edc.audit import chain
from mescams.edc.audit.audited import plain_value
from mescams.edc.audit.context import Actor, acting
from mescams.edc.security.roles import Forbidden
from mescams.edc.trial.models import Site
from mescams.errors import InputValidationError, TrialStateError

__all__ = ["approve_role_request", "change_role", "check_new_password", "create_account", "refuse_role_request",
           "request_role", "server_set_password_roles", "set_active", "set_password", "set_sites", "two_person_roles"]

USER_TABLE = User._meta.db_table
PASSWORD_SET = "set by an administrator; must be changed at the next log-in"  # noqa: S105  an audit note


def two_person_roles() -> frozenset[Role]:
    """Roles given only on one person's request and another's approval: every role the blinding policy lets see
    anything that reveals allocation, and the administrator (who could otherwise make a second account to approve
    its own requests)."""
    return frozenset({r for r in Role if BLINDING_POLICY.view(r).reveals} | {Role.ADMINISTRATOR})


def server_set_password_roles() -> frozenset[Role]:
    """Roles whose password is set on the server only, never from the web: the two-person roles and every role the
    blinding policy lets unblind a participant in an emergency (the investigator, who also signs casebooks). An
    administrator who set such a password could sign in as its holder once it is changed."""
    unblinding = {r for r in Role if BLINDING_POLICY.view(r).may_request_emergency_unblinding}
    return two_person_roles() | frozenset(unblinding)


# -- checks -------------------------------------------------------------------------------------------------------
def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _actor(by: User | Actor) -> Actor:
    """The acting person as an Actor, refused unless an active administrator or the server's command line."""
    if isinstance(by, Actor):
        if by.user_id is None and by.role == "system":
            return by
        user: User = User.objects.get(pk=by.user_id)
    else:
        user = by
    if not (user.is_active and user.role == Role.ADMINISTRATOR.value):
        raise Forbidden(gettext("only an active administrator may change users' access"))
    return Actor.of(user)


def _reason(reason: str) -> str:
    text = (reason or "").strip()
    if not text:
        raise InputValidationError("reason", gettext("say why (the reason is recorded in the audit trail)"))
    return text


def _not_self(actor: Actor, user: User, what: str) -> None:
    if actor.user_id is not None and actor.user_id == user.pk:
        raise Forbidden(gettext("nobody changes their own %(what)s; ask another administrator") % {"what": what})


def _role(role: Role | str) -> Role:
    try:
        return Role(role)
    except ValueError:
        raise InputValidationError("role", gettext("must be one of %(role)s") % {
            "role": ', '.join(r.value for r in Role)}) from None


def _sites(role: Role, site_codes: Iterable[str]) -> list[Any]:
    codes = sorted({c.strip() for c in site_codes if c.strip()})
    found = {s.code: s for s in Site.objects.filter(code__in=codes)}
    unknown = [c for c in codes if c not in found]
    if unknown:
        known = ", ".join(Site.objects.order_by("code").values_list("code", flat=True)) or "none"
        raise InputValidationError("sites", gettext("unknown site code %(unknown)s (known: %(known)s)") % {
            "unknown": ', '.join(unknown), "known": known})
    if BLINDING_POLICY.view(role).site_bound and not codes:
        raise InputValidationError("sites",
                                   gettext("the role %(value)s works at sites: give at least one site code") % {
            "value": role.value})
    return [found[c] for c in codes]


def check_new_password(password: str, *, user: User) -> None:
    """Django's password validators (length, common passwords, similarity to the user's name and e-mail)."""
    try:
        validate_password(password, user=user)
    except ValidationError as exc:
        raise InputValidationError("password", " ".join(exc.messages)) from None


def _audit(actor: Actor, user: User, action: str, changes: Sequence[tuple[str, Any, Any]], reason: str) -> None:
    chain.append(actor=actor, table=USER_TABLE, record_id=str(user.pk), action=action,
                 changes=[(f, plain_value(old), plain_value(new)) for f, old, new in changes if old != new],
                 reason=reason)


def _locked(user: User) -> User:
    return User.objects.select_for_update().get(pk=user.pk)


# -- accounts -----------------------------------------------------------------------------------------------------
def create_account(*, by: User | Actor, username: str, password: str, role: Role | str,
                   site_codes: Iterable[str] = (), reason: str, email: str = "", first_name: str = "",
                   last_name: str = "") -> tuple[User, RoleRequest | None]:
    """Create an account; with a two-person role it stays inactive behind a pending request (returned)."""
    actor, text = _actor(by), _reason(reason)
    check_username(username)
    if User.objects.filter(username__iexact=username).exists():
        raise InputValidationError("username",
                                   gettext("a user named %(username)s already exists (names ignore case)") % {
            "username": username})
    wanted = _role(role)
    sites = _sites(wanted, site_codes)
    user = User(username=username, email=email, first_name=first_name, last_name=last_name, role=wanted.value)
    check_new_password(password, user=user)
    bootstrap = (wanted is Role.ADMINISTRATOR and actor.user_id is None
                 and not User.objects.filter(role=Role.ADMINISTRATOR.value, is_active=True).exists())
    needs_approval = wanted in two_person_roles() and not bootstrap
    with transaction.atomic(), acting(actor, reason=text):
        user.is_active = not needs_approval
        user.is_staff = user.is_superuser = wanted is Role.ADMINISTRATOR
        user.password_change_required = True
        user.set_password(password)
        user.save()
        user.sites.set(sites)
        _audit(actor, user, "create", [
            ("username", None, username), ("role", None, wanted.value), ("sites", None, [s.code for s in sites]),
            ("is_active", None, user.is_active), ("password", None, PASSWORD_SET)], text)
        request = _file_request(actor, user, wanted, text, activates=True) if needs_approval else None
    return user, request


def set_password(*, by: User | Actor, user: User, password: str, reason: str) -> None:
    """Set another person's password; the holder must change it at the next log-in.

    Not from the web for a role of :func:`server_set_password_roles`: an administrator who set the statistician's,
    the investigator's or another administrator's password could sign in as them once it is changed, and so read
    the allocation, unblind or sign, or approve their own requests. Those passwords are set on the server
    (``mescams users set-password``).
    """
    actor, text = _actor(by), _reason(reason)
    _not_self(actor, user, "password here (use the password page, which asks for the current one)")
    if actor.user_id is not None and Role(user.role) in server_set_password_roles():
        raise Forbidden(gettext("the password of a %(role)s account is set on the server only: mescams users "
                                "set-password %(username)s --reason ...") % {
                                    "role": user.role, "username": user.username})
    check_new_password(password, user=user)
    with transaction.atomic(), acting(actor, reason=text):
        target = _locked(user)
        target.set_password(password)
        target.password_change_required = True
        target.save(update_fields=["password", "password_change_required"])
        chain.append(actor=actor, table=USER_TABLE, record_id=str(target.pk), action="update",
                     changes=[("password", None, plain_value(PASSWORD_SET))], reason=text)
    user.refresh_from_db()


def set_active(*, by: User | Actor, user: User, active: bool, reason: str) -> None:
    """Activate or deactivate an account (an account awaiting approval of its role is activated by the approval)."""
    actor, text = _actor(by), _reason(reason)
    _not_self(actor, user, "activation")
    with transaction.atomic(), acting(actor, reason=text):
        target = _locked(user)
        if active and RoleRequest.objects.filter(user=target, status=RoleRequest.PENDING, activates=True).exists():
            raise TrialStateError(gettext("%(username)s's role awaits approval; approving the request activates it") % {
                "username": target.username})
        if target.is_active != active:
            _audit(actor, target, "update", [("is_active", target.is_active, active)], text)
            target.is_active = active
            target.save(update_fields=["is_active"])
    user.refresh_from_db()


def set_sites(*, by: User | Actor, user: User, site_codes: Iterable[str], reason: str) -> None:
    actor, text = _actor(by), _reason(reason)
    _not_self(actor, user, "sites")
    with transaction.atomic(), acting(actor, reason=text):
        target = _locked(user)
        sites = _sites(Role(target.role), site_codes)
        old = target.site_codes()
        new = [s.code for s in sites]
        if old != new:
            _audit(actor, target, "update", [("sites", old, new)], text)
            target.sites.set(sites)


def change_role(*, by: User | Actor, user: User, role: Role | str, reason: str) -> RoleRequest | None:
    """Change a role: a blinded one at once; a two-person role by filing a request (returned) for another to decide."""
    actor, text, wanted = _actor(by), _reason(reason), _role(role)
    _not_self(actor, user, "role")
    if wanted in two_person_roles():
        return request_role(by=by, user=user, role=wanted, reason=text)
    with transaction.atomic(), acting(actor, reason=text):
        target = _locked(user)
        _apply_role(actor, target, wanted, text)
    user.refresh_from_db()
    return None


def _apply_role(actor: Actor, target: User, role: Role, reason: str) -> None:
    if BLINDING_POLICY.view(role).site_bound and not target.sites.exists():
        raise InputValidationError("sites", gettext("the role %(value)s works at sites: give the user a site first") % {
            "value": role.value})
    admin = role is Role.ADMINISTRATOR
    _audit(actor, target, "update", [("role", target.role, role.value), ("is_staff", target.is_staff, admin),
                                     ("is_superuser", target.is_superuser, admin)], reason)
    target.role, target.is_staff, target.is_superuser = role.value, admin, admin
    target.save(update_fields=["role", "is_staff", "is_superuser"])


# -- two-person requests ------------------------------------------------------------------------------------------
def _file_request(actor: Actor, user: User, role: Role, reason: str, *, activates: bool) -> RoleRequest:
    request = RoleRequest(user=user, role=role.value, activates=activates, requested_by_id=actor.user_id,
                          requested_by_name=actor.username, requested_at=_now(), reason=reason)
    request.save()
    return request


def request_role(*, by: User | Actor, user: User, role: Role | str, reason: str) -> RoleRequest:
    """File a request for ``role`` (decided by another administrator); nobody requests a role for themselves."""
    actor, text, wanted = _actor(by), _reason(reason), _role(role)
    _not_self(actor, user, "role")
    if user.role == wanted.value:
        raise InputValidationError("role", gettext("%(username)s already has the role %(value)s") % {
            "username": user.username, "value": wanted.value})
    with transaction.atomic(), acting(actor, reason=text):
        if RoleRequest.objects.filter(user=user, status=RoleRequest.PENDING).exists():
            raise TrialStateError(gettext("%(username)s already has a pending role request; decide it first") % {
                "username": user.username})
        return _file_request(actor, user, wanted, text, activates=False)


def _decide(by: User | Actor, request_id: int, reason: str) -> tuple[Actor, str, RoleRequest]:
    actor, text = _actor(by), _reason(reason)
    if actor.user_id is None:
        raise Forbidden(gettext(
            "a role request is decided by an administrator signed in as themselves, not the command line"))
    request = RoleRequest.objects.select_for_update().select_related("user").get(pk=request_id)
    if request.status != RoleRequest.PENDING:
        raise TrialStateError(gettext("request %(pk)s was already %(status)s") % {
            "pk": request.pk, "status": request.status})
    if actor.user_id == request.user_id:
        raise Forbidden(gettext("nobody decides a request for their own role"))
    if actor.user_id == request.requested_by_id:
        raise Forbidden(gettext("the person who filed a request cannot decide it; another administrator must"))
    return actor, text, request


def approve_role_request(*, by: User | Actor, request_id: int, reason: str) -> RoleRequest:
    """Approve: the user gets the role (and an account created for it is activated)."""
    with transaction.atomic():
        actor, text, request = _decide(by, request_id, reason)
        with acting(actor, reason=text):
            target = _locked(request.user)
            if target.role != request.role:
                _apply_role(actor, target, Role(request.role), text)
            if request.activates and not target.is_active:
                _audit(actor, target, "update", [("is_active", False, True)], text)
                target.is_active = True
                target.save(update_fields=["is_active"])
            _close(request, actor, RoleRequest.APPROVED, text)
    return request


def refuse_role_request(*, by: User | Actor, request_id: int, reason: str) -> RoleRequest:
    """Refuse: nothing changes for the user (an account created for the role stays inactive)."""
    with transaction.atomic():
        actor, text, request = _decide(by, request_id, reason)
        with acting(actor, reason=text):
            _close(request, actor, RoleRequest.REFUSED, text)
    return request


def _close(request: RoleRequest, actor: Actor, status: str, reason: str) -> None:
    request.status, request.decided_by_id, request.decided_at = status, actor.user_id, _now()
    request.decision_reason = reason
    request.save()
