"""An investigator's emergency unblinding can be shown again, to that investigator only: everyone else (other
investigators included) gets exactly the answer given for a participant who was never unblinded."""

from __future__ import annotations

from django.test import Client

from mescams.edc.accounts.services import create_user
from mescams.edc.randomisation.models import AllocationSlot
from mescams.edc.trial.services import emergency_unblind
from tests.factories.edc import PASSWORD, randomised


def _get(user, pid: str):
    client = Client()
    client.force_login(user)
    return client.get(f"/api/participants/{pid}/emergency-unblinding")


def test_only_the_requesting_investigator_sees_the_unblinding_again(users, allocation) -> None:
    unblinded, never = randomised(users["coord"]), randomised(users["coord"])
    requester = create_user(username="inv_requester", password=PASSWORD, role="investigator", site_codes=["OTT"])
    before = _get(requester, unblinded)
    assert before.status_code == 404
    assert emergency_unblind(user=requester, participant_id=unblinded, reason="anaphylaxis") in {
        "MSC-PLACEBO", "PLACEBO-MSC"}

    again = _get(requester, unblinded)
    assert again.status_code == 200
    body = again.json()
    assert body["sequence"] == AllocationSlot.objects.get(participant__participant_id=unblinded).sequence
    assert body["participant_id"] == unblinded and "anaphylaxis" in body["note"]

    for user in users.values():  # every other user, the other investigator included
        for pid in (unblinded, never):
            answer = _get(user, pid)
            assert answer.status_code in {404, 401, 403}
        seen = _get(user, unblinded)
        expected = _get(user, never)
        refused = 403 if user.role == "participant" else 404  # the participant is refused outside its portal
        assert seen.status_code == expected.status_code == refused, user.username
        assert seen.content.replace(unblinded.encode(), b"<pid>") == expected.content.replace(never.encode(), b"<pid>")
    assert _get(requester, never).content.replace(never.encode(), b"<pid>") == \
        before.content.replace(unblinded.encode(), b"<pid>")
