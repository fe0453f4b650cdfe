"""Blinding: every API route, as every blinded role, must answer the same whichever sequence a participant has.

Two worlds are built from the same inputs; only the allocation list's seed differs, chosen so that participant
P1 has MSC-PLACEBO in one world and PLACEBO-MSC in the other (and P2 the reverse). Everything a blinded role can
get from the API (status codes, bodies, error messages, counts, ordering, response size) must be identical in
both worlds once the values that are random by design (product codes, scan IDs, database IDs, timestamps) are
replaced by placeholders. The only route allowed to differ is an investigator's own emergency unblinding.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from typing import Any

from django.db import transaction
from django.test import Client

from mescams.core.blinding import BLINDING_POLICY
from mescams.core.randomisation import generate_allocation_list
from mescams.edc.accounts.services import create_user
from mescams.edc.crfs.models import FORMS
from mescams.edc.crfs.services import read_scan, record_lab_product, save_form
from mescams.edc.queries import services as queries
from mescams.edc.randomisation.models import AllocationSlot
from mescams.edc.randomisation.services import generate_list
from mescams.edc.trial.consent import log_prescreening
from mescams.edc.trial.services import emergency_unblind
from mescams.protocols import default_protocol
from tests.factories.edc import PASSWORD, RANDOMISATION, infuse, randomised
from tests.integration.edc.safety_world import SERIOUS_AE
from tests.integration.edc.test_validation_rules import GOOD

D = dt.timedelta
RANDOM_BY_DESIGN = {"id", "record_id", "url", "product_code", "scan_id", "created_at", "signed_at",
                    "opened_at", "locked_at", "unlocked_at", "at", "read_at", "assigned_at"}
READ = {"gel_count": 1, "new_enlarging_t2_count": 1, "cua_count": 2, "gel_volume_mm3": 50.0,
        "black_hole_volume_mm3": 800.0}
EXEMPT = {("investigator", "POST", "/api/participants/{participant_id}/emergency-unblinding")}


def _seed_with(first: str, second: str) -> str:
    """The first seed (in a fixed search order) whose OTT slots 1 and 2 carry ``first`` and ``second``."""
    ratio = default_protocol().design.allocation_ratio
    for i in range(1, 500):
        seed = f"{i:064x}"
        slots = generate_allocation_list(seed=seed, sites=["OTT"], ratio=ratio, slots_per_site=2)
        if (slots[0].sequence, slots[1].sequence) == (first, second):
            return seed
    raise AssertionError("no seed found")


def _load_synthetic_meddra() -> None:
    import tempfile
    from pathlib import Path

    from mescams.edc.audit.context import Actor
    from mescams.edc.coding.loading import load_meddra
    from mescams.interop.dictionaries.synthetic import write_synthetic_meddra

    with tempfile.TemporaryDirectory() as folder:
        load_meddra(write_synthetic_meddra(Path(folder)), actor=Actor.system("test"))


def _build_world(users: dict[str, Any], seed: str) -> dict[str, Any]:
    generate_list(actor=users["statistician"], seed=seed, slots_per_site=4)
    _load_synthetic_meddra()  # the AEs are coded as they are saved, so the coder's pages show real codings
    coord, protocol = users["coord"], default_protocol()
    ctx: dict[str, Any] = {"participants": []}
    log_prescreening(user=coord, site_code="OTT", local_number="PS-1", logged_on=RANDOMISATION - D(days=40),
                     age_band="30-39", ms_course="RRMS")  # the pre-screening routes walk a real entry
    for _ in range(2):
        pid = randomised(coord)
        ctx["participants"].append(pid)
        sequence = AllocationSlot.objects.get(participant__participant_id=pid).sequence
        for code, period in (("W0", 1), ("W24", 2)):
            infuse(coord, pid, code)
            msc = protocol.treatment_in_period(sequence, period) == "MSC"
            record_lab_product(user=users["lab"], participant_id=pid, visit_code=code,
                               cells_infused=70 * 1.5e6 if msc else 0.0, viability_percent=92.0)
        # a serious event the investigator judged related: a SUSAR candidate once coded (the safety walks)
        serious = save_form(user=coord, participant_id=pid, form="adverse_event", values=SERIOUS_AE)
        save_form(user=users["inv"], participant_id=pid, form="adverse_event", record_pk=serious.pk,
                  values={"causality": "probable"}, reason="timing after the infusion")
        for form in ("vital_signs", "adverse_event", "relapse", "safety_lab", "conmed", "demographics"):
            save_form(user=coord, participant_id=pid, form=form, values=GOOD[form])
        save_form(user=users["rater"], participant_id=pid, form="edss", values=GOOD["edss"])
        scan = save_form(user=coord, participant_id=pid, form="mri",
                         values={"visit_code": "W12", "scan_date": RANDOMISATION + D(weeks=12, days=9)})
        read_scan(user=users["mri"], scan_id=scan.scan_id, values=READ)
        queries.open_query(user=users["dm"], participant_id=pid, form="vital_signs", field="weight_kg", text="?")
    # P1 was emergency-unblinded by another investigator: its GET .../emergency-unblinding must answer the walking
    # investigator (and every blinded role) exactly as for a participant never unblinded, in both worlds.
    other = create_user(username="inv_other", password=PASSWORD, role="investigator", site_codes=["OTT"])
    emergency_unblind(user=other, participant_id=ctx["participants"][0], reason="test")
    return ctx


def _normalise(value: Any) -> Any:
    if isinstance(value, dict) and "field" in value and "new" in value:  # an audit entry
        field = str(value["field"])
        if field.endswith("_id") or field in RANDOM_BY_DESIGN:
            value = {**value, "old": "<old>" if value["old"] is not None else None,
                     "new": "<new>" if value["new"] is not None else None}
    if isinstance(value, dict):
        return {k: (f"<{k}>" if k in RANDOM_BY_DESIGN and v is not None else _normalise(v)) for k, v in value.items()}
    if isinstance(value, list):
        return [_normalise(v) for v in value]
    return value


def _params(ctx: dict[str, Any], pid: str, template: str) -> dict[str, str]:
    from mescams.edc.crfs.models import MriScan
    from mescams.edc.queries.models import Query

    form = next((f for f in FORMS if f"/forms/{f}/" in template), None)
    record = FORMS[form].objects.filter(participant__participant_id=pid).order_by("pk").first() if form else None
    scan = MriScan.objects.filter(participant__participant_id=pid).order_by("pk").first()
    query = Query.objects.filter(participant__participant_id=pid).order_by("pk").first()
    from mescams.edc.trial.models import PreScreening

    entry = PreScreening.objects.order_by("pk").first()
    return {"participant_id": pid, "record_id": str(record.pk if record else 999999), "visit_code": "W0",
            "entry_id": str(entry.pk if entry else 999999),
            "scan_id": scan.scan_id if scan else "S0", "query_id": str(query.pk if query else 999999)}


def _body(method: str, template: str, pid: str) -> dict[str, Any] | None:
    if method == "GET":
        return None
    bodies: list[tuple[str, dict[str, Any]]] = [
        ("/eligibility", {"on": "2016-02-01"}), ("/randomise", {"on": "2016-02-01"}),
        ("/consent", {"consent_date": "2016-01-05", "consent_time": "10:00", "form_version": "v1"}),
        ("/withdraw", {"reason": "test", "on": "2016-03-01"}),
        ("/screening", {"screening_date": "2016-01-04", "record": {}, "reason": "test"}),
        ("/not-screened", {"reason_not_screened": "declined"}),
        ("/api/prescreening", {"site": "OTT", "local_number": "X1", "logged_on": "2016-01-01", "age_band": "18-29",
                               "ms_course": "RRMS"}),
        ("/emergency-unblinding", {"reason": "test"}), ("/unlock", {"reason": "test"}),
        ("/signature", {"password": PASSWORD, "meaning": "I attest."}), ("/answer", {"answer": "yes"}),
        ("/lab/", {"cells_infused": 0, "viability_percent": 90}),
        ("/mri/scans/", READ),
        ("/randomisation/list", {"seed": "ab" * 32}),
        ("/queries", {"participant_id": pid, "form": "vital_signs", "text": "?"}),
    ]
    if "/forms/" in template:
        form = template.split("/forms/")[1].split("/")[0]
        if template.endswith("{record_id}"):
            return {"reason": "test", "values": {}}
        return {k: v.isoformat() if isinstance(v, dt.date) else v for k, v in GOOD.get(form, {}).items()}
    if template == "/api/participants":
        return {"site": "OTT", "consent_date": "2016-01-04", "consent_time": "09:00", "form_version": "v1"}
    return next((b for key, b in bodies if key in template), {})


def _concrete(routes: list[tuple[str, str]], ctx: dict[str, Any], pid: str) -> list[tuple[str, str, str]]:
    """Each route with its path filled in; the audit route once per table of the participant's records."""
    from mescams.edc.crfs.models import Infusion
    from mescams.edc.trial.models import Participant

    out = []
    for method, template in routes:
        if template == "/api/audit":
            slot = AllocationSlot.objects.get(participant__participant_id=pid)
            infusion = Infusion.objects.filter(participant__participant_id=pid).order_by("pk").first()
            participant = Participant.objects.get(participant_id=pid)
            for table, pk in (("crfs_infusion", infusion.pk), ("trial_participant", participant.pk),
                              ("randomisation_allocationslot", slot.pk)):
                out.append((method, template, f"{template}?table={table}&record_id={pk}"))
        else:
            out.append((method, template, template.format(**_params(ctx, pid, template))))
    return out


def _walk(ctx: dict[str, Any], users: dict[str, Any], routes: list[tuple[str, str]]) -> dict[tuple, Any]:
    seen: dict[tuple, Any] = {}
    for role in BLINDING_POLICY.blinded_roles:
        user = next(u for u in users.values() if u.role == role.value and u.username != "coord_wpg")
        client = Client()
        client.force_login(user)
        # P1 alone carries each sequence across the two worlds; P2 (the other sequence) is in every list and count.
        for index, pid in enumerate(ctx["participants"][:1]):
            for method, template, path in _concrete(routes, ctx, pid):
                if (role.value, method, template) in EXEMPT:
                    continue
                body = _body(method, template, pid)
                with transaction.atomic():
                    call = getattr(client, method.lower())
                    response = call(path, json.dumps(body), content_type="application/json") if body is not None \
                        else call(path)
                    transaction.set_rollback(True)
                raw = response.content
                try:
                    content: Any = _normalise(json.loads(raw))
                except ValueError:
                    content = re.sub(rb"\d", b"#", raw)
                seen[(role.value, index, method, re.sub(r"record_id=\d+", "record_id=<pk>", path) if "?" in path
                      else template)] = (
                    response.status_code, content, len(raw) // 64)
    return seen


def test_no_blinded_role_can_tell_the_sequences_apart(users) -> None:
    schema = Client().get("/api/openapi.json").json()
    routes = sorted((m.upper(), p) for p, ops in schema["paths"].items() for m in ops
                    if not p.startswith("/api/auth/") or p == "/api/auth/me")
    assert len(routes) > 50
    worlds = []
    for first, second in (("MSC-PLACEBO", "PLACEBO-MSC"), ("PLACEBO-MSC", "MSC-PLACEBO")):
        with transaction.atomic():
            ctx = _build_world(users, _seed_with(first, second))
            sequences = [AllocationSlot.objects.get(participant__participant_id=p).sequence
                         for p in ctx["participants"]]
            assert sequences == [first, second]
            worlds.append(_walk(ctx, users, routes))
            transaction.set_rollback(True)
    a, b = worlds
    assert a.keys() == b.keys()
    differing = [key for key in a if a[key] != b[key]]
    assert not differing, f"{len(differing)} responses reveal allocation, e.g. {differing[0]}: " \
                          f"{a[differing[0]]} vs {b[differing[0]]}"
    statuses = {v[0] for v in a.values()}
    assert 200 in statuses and 403 in statuses  # the walk reached real data and refusals alike


def test_the_walk_would_notice_a_leak(users) -> None:
    """The comparison is not vacuous: an unblinded role's answers do differ between the worlds."""
    answers = []
    for first, second in (("MSC-PLACEBO", "PLACEBO-MSC"), ("PLACEBO-MSC", "MSC-PLACEBO")):
        with transaction.atomic():
            _build_world(users, _seed_with(first, second))
            client = Client()
            client.force_login(users["dsmb"])
            answers.append(_normalise(client.get("/api/participants").json()))
            transaction.set_rollback(True)
    assert answers[0] != answers[1]
