"""Generating, verifying and drawing from the allocation list.

Randomising takes the lowest free slot of the participant's stratum (site) inside one transaction. On
PostgreSQL the stratum's site row is locked (``SELECT ... FOR UPDATE``) before the lowest free slot is read, so
two simultaneous requests never share a slot and slots go out in list order; on SQLite the IMMEDIATE transaction
serialises writers. The participant row is locked first, so the same participant is never randomised twice.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from typing import Any

from django.db import transaction
from django.utils.translation import gettext

from mescams.core.blinding import BLINDING_POLICY, Reveal, Role
from mescams.core.lifecycle import LifecycleStep, ParticipantState
from mescams.core.randomisation import (
    GENERATOR_VERSION,
    IMPORT_GENERATOR,
    AllocationListMismatch,
    ImportedList,
    compare_slots,
    generate_allocation_list,
    new_seed,
    parse_allocation_csv,
    verify_allocation_list,
)
from mescams.core.randomisation import (
    AllocationSlot as CoreSlot,
)
from mescams.edc.audit.context import Actor, acting
from mescams.edc.randomisation.models import AllocationList, AllocationSlot
from mescams.edc.trial.models import Site
from mescams.edc.trial.services import get_visible_participant, require_role, step
from mescams.errors import AllocationExhausted, AlreadyRandomised, IllegalTransition, InputValidationError, MescamsError
from mescams.protocols import default_protocol

__all__ = ["active_list", "generate_list", "import_list", "randomise", "verify_list"]


class NoAllocationList(MescamsError):
    """No allocation list has been generated yet."""


def active_list() -> AllocationList:
    found = AllocationList.objects.filter(active=True).order_by("-id").first()
    if found is None:
        raise NoAllocationList(gettext("no allocation list: the unblinded statistician must generate one first"))
    return found


def generate_list(*, actor: Actor | Any, seed: str | None = None, slots_per_site: int | None = None) -> AllocationList:
    """Generate and store the list from ``seed`` (a fresh CSPRNG seed if None); refuses a second active list."""
    role = actor.role if isinstance(actor, Actor) else actor.role
    if role != "system":
        BLINDING_POLICY.require(role, Reveal.ALLOCATION_LIST)
    protocol = default_protocol()
    seed = seed or new_seed()
    per_site = slots_per_site or protocol.design.target_enrolment
    slots = generate_allocation_list(seed=seed, sites=protocol.site_codes, ratio=protocol.design.allocation_ratio,
                                     slots_per_site=per_site)
    with transaction.atomic(), acting(actor, reason="allocation list generated"):
        if AllocationList.objects.filter(active=True).exists():
            raise InputValidationError("allocation_list", gettext("an active list exists already; it is never "
                                                                  "regenerated"))
        stored = AllocationList(seed=seed, generator=GENERATOR_VERSION, slots_per_site=per_site,
                                created_by=getattr(actor, "username", "system"))
        stored.save()
        for s in slots:
            AllocationSlot(allocation_list=stored, site_code=s.site, number=s.number, block=s.block,
                           block_size=s.block_size, sequence=s.sequence, product_code=s.product_code).save()
    return stored


def import_list(*, actor: Actor | Any, content: bytes) -> tuple[AllocationList, ImportedList]:
    """Store a list generated elsewhere (CSV: site, slot, sequence, product_code), only while no list exists.

    The list has no seed; the file and its SHA-256 are recorded so ``verify_list`` can check every slot against
    it. Returns the stored list and the parsed import (its ``warnings``, e.g. blocks out of the ratio).
    """
    role = actor.role if isinstance(actor, Actor) else actor.role
    if role != "system":
        BLINDING_POLICY.require(role, Reveal.ALLOCATION_LIST)
    protocol = default_protocol()
    parsed = parse_allocation_csv(content, sites=protocol.site_codes, ratio=protocol.design.allocation_ratio)
    per_site = max(s.number for s in parsed.slots)
    with transaction.atomic(), acting(actor, reason="allocation list imported"):
        if AllocationList.objects.exists():
            raise InputValidationError("allocation_list", gettext("a list exists already; import needs an empty list"))
        stored = AllocationList(seed="", generator=IMPORT_GENERATOR, slots_per_site=per_site,
                                created_by=getattr(actor, "username", "system"),
                                source_csv=content.decode("utf-8"), source_sha256=parsed.sha256)
        stored.save()
        for s in parsed.slots:
            AllocationSlot(allocation_list=stored, site_code=s.site, number=s.number, block=s.block,
                           block_size=s.block_size, sequence=s.sequence, product_code=s.product_code).save()
    return stored, parsed


def verify_list(allocation_list: AllocationList | None = None) -> int:
    """Re-derive the stored list from its seed, or for an imported list re-read the recorded file (checked against
    its SHA-256 recorded at import); AllocationListMismatch names the first differing slot."""
    stored = allocation_list or active_list()
    protocol = default_protocol()
    slots = [CoreSlot(s.site_code, s.number, s.block, s.block_size, s.sequence, s.product_code)
             for s in stored.slots.order_by("site_code", "number")]
    if stored.generator == IMPORT_GENERATOR:
        content = stored.source_csv.encode("utf-8")
        if hashlib.sha256(content).hexdigest() != stored.source_sha256:
            raise AllocationListMismatch(gettext(
                "the recorded import file no longer matches its SHA-256 recorded at import"))
        parsed = parse_allocation_csv(content, sites=protocol.site_codes, ratio=protocol.design.allocation_ratio)
        return compare_slots(parsed.slots, slots, "the imported file")
    return verify_allocation_list(slots, seed=stored.seed, sites=protocol.site_codes,
                                  ratio=protocol.design.allocation_ratio, slots_per_site=stored.slots_per_site)


def randomise(*, user: Any, participant_id: str, on: dt.date) -> AllocationSlot:
    """Give an eligible participant the next free slot of their site's stratum; week 0 is ``on``."""
    require_role(user, Role.SITE_COORDINATOR, Role.INVESTIGATOR)
    if on > dt.datetime.now(dt.UTC).date():
        raise InputValidationError("randomisation_date", gettext("must not be in the future"))
    with transaction.atomic(), acting(user, reason="randomisation"):
        participant = get_visible_participant(user, participant_id, for_update=True)
        if AllocationSlot.objects.filter(participant=participant).exists():
            raise AlreadyRandomised(gettext("participant %(participant_id)s is already randomised") % {
                "participant_id": participant_id})
        if participant.status != ParticipantState.ELIGIBLE:
            raise IllegalTransition(gettext("cannot randomise a participant who is %(status)s (must be eligible)") % {
                "status": participant.status})
        allocation = active_list()
        # The stratum's lock: concurrent randomisations at one site queue here, and each then reads the slots
        # committed before it (READ COMMITTED takes a fresh snapshot per statement), so slots go out in order.
        Site.objects.select_for_update().get(pk=participant.site_id)
        slot = (AllocationSlot.objects.select_for_update()
                .filter(allocation_list=allocation, site_code=participant.site.code, participant__isnull=True)
                .order_by("number").first())
        if slot is None:
            raise AllocationExhausted(gettext("no free slot left for site %(code)s; extend the list") % {
                "code": participant.site.code})
        slot.participant = participant
        slot.assigned_at = dt.datetime.now(dt.UTC)
        slot.save()
        participant.week0_date = on
        step(participant, LifecycleStep.RANDOMISE)
    return slot
