"""The casebook signature on the participant page: what is incomplete is listed before signing; a replayed post
signs once; a change afterwards shows the signature invalidated (naming the audit entry) and asks for re-signing;
the manifestation shows printed name, UTC and site time, and meaning."""

from __future__ import annotations

from django.test import Client

from mescams.edc.crfs.models import VitalSigns
from mescams.edc.queries.models import Signature
from tests.factories.edc import PASSWORD, randomised

SIGN = {"meaning": "Approval of casebook contents", "password": PASSWORD, "sign_anyway": "on", "reason": "interim"}


def _as(users, name: str) -> Client:
    client = Client()
    client.force_login(users[name])
    return client


def test_sign_replay_and_change_after_signing_on_the_pages(users, allocation) -> None:
    pid = randomised(users["coord"])
    inv, coord = _as(users, "inv"), _as(users, "coord")
    page = inv.get(f"/site/p/{pid}/").content.decode()
    assert "This casebook is incomplete" in page and "visit W4" in page
    assert inv.post(f"/site/p/{pid}/sign/", SIGN).status_code == 302
    assert inv.post(f"/site/p/{pid}/sign/", SIGN).status_code == 302  # the same post again
    assert Signature.objects.count() == 1
    page = coord.get(f"/site/p/{pid}/").content.decode()
    assert "Approval of casebook contents" in page and " UTC" in page and "(America/Toronto)" in page
    assert ">valid<" in page
    record = VitalSigns.objects.get(participant__participant_id=pid)
    response = coord.post(f"/site/p/{pid}/forms/vital_signs/{record.pk}/",
                          {"visit_code": "SCR", "assessment_date": record.assessment_date.isoformat(),
                           "weight_kg": "72", "reason": "transcription error"})
    assert response.status_code == 302, response.content.decode()[:2000]
    seq = Signature.objects.get().invalidated_by_seq
    assert seq is not None
    for client in (inv, coord):
        page = client.get(f"/site/p/{pid}/").content.decode()
        assert f"invalidated by change (audit entry {seq})" in page and "needs re-signing" in page
