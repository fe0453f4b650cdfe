"""The stored allocation list (readable only by roles the blinding policy allows) and its slots."""

from __future__ import annotations

import datetime as dt

from django.db import models

from mescams.edc.audit.audited import AuditedModel


def _utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class AllocationList(AuditedModel):
    """One generated list: the recorded seed and generator, so ``mescams randomisation verify`` re-derives it."""

    seed = models.CharField(max_length=128)
    generator = models.CharField(max_length=80)
    slots_per_site = models.PositiveIntegerField()
    created_by = models.CharField(max_length=150)
    created_at = models.DateTimeField(default=_utcnow)
    active = models.BooleanField(default=True)
    # An imported list has no seed: the file itself (and its SHA-256, for the statistician to compare with the
    # copy kept offline) is recorded instead, so ``verify`` re-reads the file and compares every slot.
    source_csv = models.TextField(blank=True, default="")
    source_sha256 = models.CharField(max_length=64, blank=True, default="")


class AllocationSlot(AuditedModel):
    """The ``number``-th slot of a site's stratum; ``participant`` is set once, when it is taken."""

    allocation_list = models.ForeignKey(AllocationList, on_delete=models.PROTECT, related_name="slots")
    site_code = models.CharField(max_length=5)
    number = models.PositiveIntegerField()
    block = models.PositiveIntegerField()
    block_size = models.PositiveIntegerField()
    sequence = models.CharField(max_length=20)
    product_code = models.CharField(max_length=16, unique=True)
    participant = models.OneToOneField("trial.Participant", null=True, blank=True, on_delete=models.PROTECT,
                                       related_name="allocation")
    assigned_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["allocation_list", "site_code", "number"], name="one_slot_per_number"),
        ]
        indexes = [models.Index(fields=["allocation_list", "site_code", "participant", "number"])]
