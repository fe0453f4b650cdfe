"""User administration (issue 14, finding 1): every change of role, sites, activation or password is audited in the
hash chain with who, old, new and the typed reason; a role that may see allocation takes two people; nobody changes
their own access; a password an administrator set must be changed before anything else and never signs."""

from __future__ import annotations

import pytest
from django.test import Client

from mescams.core.blinding import BLINDING_POLICY, Role
from mescams.edc.accounts import administration as admin_services
from mescams.edc.accounts.models import RoleRequest, User
from mescams.edc.accounts.passwords import PasswordChangeRequired, change_own_password
from mescams.edc.accounts.services import create_user
from mescams.edc.audit.context import Actor
from mescams.edc.audit.models import AuditEntry
from mescams.edc.audit.verify import verify_audit_trail
from mescams.edc.queries.services import sign_casebook
from mescams.edc.trial.services import Forbidden
from mescams.errors import InputValidationError
from tests.factories.edc import PASSWORD, randomised

NEW_PASSWORD = "plum orchard lantern 42"


def _entries(user: User, field: str) -> list[AuditEntry]:
    return list(AuditEntry.objects.filter(table="accounts_user", record_id=str(user.pk), field=field).order_by("seq"))


def _client(user: User) -> Client:
    c = Client(raise_request_exception=False)
    c.force_login(user)
    return c


@pytest.fixture()
def admin2(users) -> User:
    return create_user(username="admin2", password=PASSWORD, role=Role.ADMINISTRATOR)


def test_unblinded_roles_come_from_the_blinding_policy(edc) -> None:
    seeing = {r for r in Role if BLINDING_POLICY.view(r).reveals}
    # the safety officer reveals one SUSAR case at a time: giving that role takes two people too
    assert seeing == {Role.CELL_LAB, Role.UNBLINDED_STATISTICIAN, Role.DSMB, Role.SAFETY_OFFICER}
    assert admin_services.two_person_roles() == seeing | {Role.ADMINISTRATOR}


def test_nobody_changes_their_own_role_sites_activation_or_password(users) -> None:
    admin = users["admin"]
    for change in (lambda: admin_services.change_role(by=admin, user=admin, role="cell_lab", reason="x"),
                   lambda: admin_services.set_sites(by=admin, user=admin, site_codes=["OTT"], reason="x"),
                   lambda: admin_services.set_active(by=admin, user=admin, active=False, reason="x"),
                   lambda: admin_services.set_password(by=admin, user=admin, password=NEW_PASSWORD, reason="x"),
                   lambda: admin_services.request_role(by=admin, user=admin, role="dsmb", reason="x")):
        with pytest.raises(Forbidden):
            change()
    admin.refresh_from_db()
    assert admin.role == "administrator" and admin.site_codes() == [] and admin.is_active
    assert not AuditEntry.objects.filter(table="accounts_user").exists()


def test_only_an_active_administrator_administers(users) -> None:
    with pytest.raises(Forbidden):
        admin_services.set_sites(by=users["dm"], user=users["coord"], site_codes=["WPG"], reason="move")


def test_a_blinded_change_is_audited_with_who_old_new_and_reason(users) -> None:
    admin, coord = users["admin"], users["coord"]
    with pytest.raises(InputValidationError, match="reason"):
        admin_services.set_sites(by=admin, user=coord, site_codes=["WPG"], reason="  ")
    admin_services.set_sites(by=admin, user=coord, site_codes=["OTT", "WPG"], reason="covers Winnipeg in May")
    admin_services.change_role(by=admin, user=coord, role="investigator", reason="delegation log updated")
    admin_services.set_active(by=admin, user=coord, active=False, reason="left the study team")
    (sites,), (role,), (active,) = _entries(coord, "sites"), _entries(coord, "role"), _entries(coord, "is_active")
    assert (sites.old, sites.new, sites.username, sites.reason) == ('["OTT"]', '["OTT","WPG"]', "admin",
                                                                     "covers Winnipeg in May")
    assert (role.old, role.new, role.role, role.reason) == ('"site_coordinator"', '"investigator"', "administrator",
                                                            "delegation log updated")
    assert (active.old, active.new) == ("true", "false")
    coord.refresh_from_db()
    assert (coord.role, coord.site_codes(), coord.is_active) == ("investigator", ["OTT", "WPG"], False)
    assert verify_audit_trail().entries == AuditEntry.objects.count()


def test_an_unblinded_role_takes_a_request_and_another_administrators_approval(users, admin2) -> None:
    admin, coord = users["admin"], users["coord"]
    request = admin_services.change_role(by=admin, user=coord, role="cell_lab", reason="moves to the lab")
    coord.refresh_from_db()
    assert request is not None and request.status == "pending" and coord.role == "site_coordinator"
    with pytest.raises(Forbidden, match="filed"):
        admin_services.approve_role_request(by=admin, request_id=request.pk, reason="fine")
    with pytest.raises(Forbidden, match="command line"):
        admin_services.approve_role_request(by=Actor.system("cli"), request_id=request.pk, reason="fine")
    admin_services.approve_role_request(by=admin2, request_id=request.pk, reason="lab manager's e-mail of 3 May")
    coord.refresh_from_db()
    request.refresh_from_db()
    assert coord.role == "cell_lab" and request.status == "approved" and request.decided_by_id == admin2.pk
    (role,) = _entries(coord, "role")
    assert (role.old, role.new, role.username, role.reason) == ('"site_coordinator"', '"cell_lab"', "admin2",
                                                                "lab manager's e-mail of 3 May")
    filed = AuditEntry.objects.filter(table="accounts_rolerequest", record_id=str(request.pk))
    assert {(e.username, e.action) for e in filed} == {("admin", "create"), ("admin2", "update")}
    assert verify_audit_trail().entries == AuditEntry.objects.count()


def test_nobody_approves_a_request_for_their_own_role(users, admin2) -> None:
    request = admin_services.request_role(by=users["admin"], user=admin2, role="dsmb", reason="joins the DSMB")
    with pytest.raises(Forbidden, match="own role"):
        admin_services.approve_role_request(by=admin2, request_id=request.pk, reason="yes")
    admin2.refresh_from_db()
    assert admin2.role == "administrator"


def test_an_account_created_with_an_unblinded_role_stays_inactive_until_approved(users, admin2) -> None:
    user, request = admin_services.create_account(by=users["admin"], username="newstat", password=NEW_PASSWORD,
                                                  role="unblinded_statistician", reason="second statistician")
    assert request is not None and not user.is_active and user.password_change_required
    with pytest.raises(Exception, match="awaits approval"):
        admin_services.set_active(by=admin2, user=user, active=True, reason="activate")
    admin_services.refuse_role_request(by=admin2, request_id=request.pk, reason="no delegation record")
    user.refresh_from_db()
    assert not user.is_active
    created = {e.field: e.new for e in AuditEntry.objects.filter(table="accounts_user", record_id=str(user.pk),
                                                                  action="create")}
    assert created["role"] == '"unblinded_statistician"' and created["is_active"] == "false"
    assert "argon2" not in str(created["password"]) and "set by an administrator" in created["password"]


def test_a_password_set_by_an_administrator_must_be_changed_and_never_signs(users, allocation) -> None:
    inv = users["inv"]
    pid = randomised(users["coord"])
    admin_services.set_password(by=Actor.system("cli"), user=inv, password=NEW_PASSWORD,
                                reason="forgot it (ticket 12)")
    inv.refresh_from_db()
    assert inv.password_change_required
    (entry,) = _entries(inv, "password")
    assert entry.username == "cli" and entry.reason == "forgot it (ticket 12)" and "argon2" not in entry.new
    with pytest.raises(PasswordChangeRequired):
        sign_casebook(user=inv, participant_id=pid, password=NEW_PASSWORD, meaning="I attest.")
    c = _client(inv)
    page = c.get(f"/site/p/{pid}/")
    assert page.status_code == 302 and page["Location"].startswith("/accounts/password/")
    api = c.get("/api/participants")
    assert api.status_code == 403 and api.json()["error"] == "password_change_required"
    assert c.get("/accounts/password/").status_code == 200
    changed = c.post("/accounts/password/", {"old_password": NEW_PASSWORD, "new_password1": "my own quiet river 7",
                                             "new_password2": "my own quiet river 7"})
    assert changed.status_code == 302, changed.content.decode()
    inv.refresh_from_db()
    assert not inv.password_change_required
    assert c.get("/api/participants").status_code == 200
    sign_casebook(user=inv, participant_id=pid, password="my own quiet river 7", meaning="I attest.",
                  sign_anyway=True, reason="interim review of an incomplete casebook")
    assert [e.new for e in _entries(inv, "password_change_required")] == ["false"]
    assert verify_audit_trail().entries == AuditEntry.objects.count()


def test_passwords_that_unblind_sign_or_approve_are_never_set_from_the_web(users, admin2) -> None:
    assert admin_services.server_set_password_roles() == admin_services.two_person_roles() | {Role.INVESTIGATOR}
    for holder in (users["statistician"], users["lab"], users["dsmb"], users["inv"], admin2):
        with pytest.raises(Forbidden, match="set-password"):
            admin_services.set_password(by=users["admin"], user=holder, password=NEW_PASSWORD, reason="reset")
        assert not holder.check_password(NEW_PASSWORD)
    admin_services.set_password(by=Actor.system("cli"), user=users["statistician"], password=NEW_PASSWORD,
                                reason="forgot it; identity checked in person")
    users["statistician"].refresh_from_db()
    assert users["statistician"].password_change_required


def test_the_holder_cannot_keep_the_administrators_password(users) -> None:
    admin_services.set_password(by=users["admin"], user=users["dm"], password=NEW_PASSWORD, reason="reset")
    with pytest.raises(InputValidationError, match="different"):
        change_own_password(user=users["dm"], current=NEW_PASSWORD, new=NEW_PASSWORD)


def test_the_django_admin_goes_through_the_audited_services(users, admin2) -> None:
    admin, coord = users["admin"], users["coord"]
    c = _client(admin)
    for page in ("/admin/accounts/user/", "/admin/accounts/user/add/", f"/admin/accounts/user/{coord.pk}/change/",
                 f"/admin/accounts/user/{coord.pk}/password/", "/admin/accounts/rolerequest/", "/admin/trial/site/"):
        assert c.get(page).status_code == 200, page
    url = f"/admin/accounts/user/{admin.pk}/change/"
    mine = c.post(url, {"role": "unblinded_statistician", "sites": [], "is_active": "on", "reason": "I need it"})
    assert mine.status_code == 200 and "own role" in mine.content.decode()
    admin.refresh_from_db()
    assert admin.role == "administrator"
    assert c.get("/api/randomisation/list").status_code == 403
    ott = str(coord.sites.get().pk)
    other = c.post(f"/admin/accounts/user/{coord.pk}/change/", {"role": "dsmb", "sites": [ott], "is_active": "on",
                                                                "reason": "joins the DSMB"})
    assert other.status_code == 302
    coord.refresh_from_db()
    assert coord.role == "site_coordinator"
    request = RoleRequest.objects.get(user=coord)
    assert c.get(f"/admin/accounts/rolerequest/{request.pk}/change/").status_code == 200
    decided = _client(admin2).post(f"/admin/accounts/rolerequest/{request.pk}/change/",
                                   {"decision": "approve", "decision_reason": "DSMB charter signed"})
    assert decided.status_code == 302
    coord.refresh_from_db()
    assert coord.role == "dsmb" and _entries(coord, "role")[0].username == "admin2"
    assert c.get(f"/admin/accounts/rolerequest/{request.pk}/change/").status_code == 200  # decided: read-only
    body = {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD, "reason": "locked out"}
    refused = c.post(f"/admin/accounts/user/{coord.pk}/password/", body)  # now DSMB: set on the server only
    assert refused.status_code == 200 and "mescams users set-password" in refused.content.decode()
    dm = users["dm"]
    assert c.post(f"/admin/accounts/user/{dm.pk}/password/", body).status_code == 302
    dm.refresh_from_db()
    assert dm.password_change_required and dm.check_password(NEW_PASSWORD)
    assert _entries(dm, "password")[0].reason == "locked out"
    added = c.post("/admin/accounts/user/add/", {"username": "coord3", "role": "site_coordinator", "sites": [ott],
                                                 "password1": NEW_PASSWORD, "password2": NEW_PASSWORD,
                                                 "reason": "new coordinator"})
    assert added.status_code == 302, added.content.decode()
    assert _entries(User.objects.get(username="coord3"), "role")[0].reason == "new coordinator"
    assert verify_audit_trail().entries == AuditEntry.objects.count()
