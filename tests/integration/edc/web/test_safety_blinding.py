"""Sites and every blinded role learn nothing from the safety officer's work on a SUSAR candidate.

Two worlds differ only in P1's sequence (MSC first in one, placebo first in the other). In each the safety officer
reveals P1's serious, related, unexpected event: a SUSAR in the first world (a 7-day report is then recorded), not
one in the second. Every page and every API route, as every other blinded role, must still answer the same in both
worlds (the safety officer's own view is meant to differ for this one case). The CIOMS form of a case not yet
revealed must not differ either.
"""

from __future__ import annotations

import datetime as dt
import re
from types import SimpleNamespace
from typing import Any

import pytest
from django.db import transaction
from django.test import Client

from mescams.core.blinding import BLINDING_POLICY, Role
from mescams.core.safety.susar import SusarVerdict
from mescams.edc.crfs.base import today
from mescams.edc.crfs.models import AdverseEvent
from mescams.edc.safety import actions, coded_terms
from mescams.edc.safety.cases import safety_case
from mescams.edc.safety.cioms import cioms_html
from tests.integration.edc import test_blinding as api_walk
from tests.integration.edc.test_blinding import _build_world, _seed_with
from tests.integration.edc.web import test_page_blinding as page_walk

WORLDS = (("MSC-PLACEBO", "PLACEBO-MSC"), ("PLACEBO-MSC", "MSC-PLACEBO"))


@pytest.fixture(autouse=True)
def coded_unexpected(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every AE coded to a PT outside the RSI (invented code, not MedDRA): the serious related one is a candidate."""
    term = SimpleNamespace(pt_code=90009999, pt_name="Anaphylactic reaction (not MedDRA)", version="26.0")
    monkeypatch.setattr(coded_terms, "_coding_lookup", lambda: SimpleNamespace(preferred_term=lambda f, pk: term))


@pytest.fixture()
def others_only(monkeypatch: pytest.MonkeyPatch) -> None:
    """The walks, as every blinded role but the safety officer (who revealed this case on purpose)."""
    others = SimpleNamespace(blinded_roles=[r for r in BLINDING_POLICY.blinded_roles if r is not Role.SAFETY_OFFICER])
    monkeypatch.setattr(page_walk, "BLINDING_POLICY", others)
    monkeypatch.setattr(api_walk, "BLINDING_POLICY", others)


def _revealed(users: dict[str, Any], first: str, second: str) -> tuple[dict[str, Any], SusarVerdict | None]:
    ctx = _build_world(users, _seed_with(first, second))
    ae = AdverseEvent.objects.get(participant__participant_id=ctx["participants"][0], serious=True)
    case = actions.reveal_case(user=users["safety"], record_pk=ae.pk, reason="verdict needed")
    if case.verdict is SusarVerdict.SUSAR:
        actions.record_report(user=users["safety"], record_pk=ae.pk, kind="initial_7_day",
                              sent_on=ae.awareness_date + dt.timedelta(days=1), reference="HC-1")
    return ctx, case.verdict


def test_pages_and_api_are_the_same_whatever_the_verdict(users, others_only) -> None:
    schema = Client().get("/api/openapi.json").json()
    routes = sorted((m.upper(), p) for p, ops in schema["paths"].items() for m in ops
                    if not p.startswith("/api/auth/") or p == "/api/auth/me")
    pages, apis, verdicts = [], [], []
    for first, second in WORLDS:
        with transaction.atomic():
            ctx, verdict = _revealed(users, first, second)
            verdicts.append(verdict)
            ctx["random"] = page_walk._random_tokens()
            pages.append(page_walk._walk(ctx, users))
            apis.append(api_walk._walk(ctx, users, routes))
            transaction.set_rollback(True)
    assert verdicts == [SusarVerdict.SUSAR, SusarVerdict.NOT_SUSAR_CONTROL]  # the worlds do differ for safety
    for a, b in (pages, apis):
        assert a.keys() == b.keys() and len(a) > 300
        differing = [key for key in a if a[key] != b[key]]
        assert not differing, f"{len(differing)} answers reveal the verdict, e.g. {differing[0]}"
    assert not any(role == "safety_officer" for role, *_ in pages[0])


def test_an_unrevealed_case_form_is_the_same_in_both_worlds(users) -> None:
    forms = []
    for first, second in WORLDS:
        with transaction.atomic():
            ctx = _build_world(users, _seed_with(first, second))
            ae = AdverseEvent.objects.get(participant__participant_id=ctx["participants"][0], serious=True)
            html = cioms_html(safety_case(user=users["safety"], record_pk=ae.pk, today=today()),
                              generated_on=dt.date(2016, 3, 1))
            for token in page_walk._random_tokens():
                html = html.replace(token, "<random>")
            forms.append(re.sub(r"\d", "#", html))
            transaction.set_rollback(True)
    assert forms[0] == forms[1]
    assert "blinded:" in forms[0]
