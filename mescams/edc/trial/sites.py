"""The protocol's sites in the database (created or renamed to match the protocol file)."""

from __future__ import annotations

from mescams.edc.trial.models import Site
from mescams.protocols import default_protocol


def sync_sites() -> list[Site]:
    out = []
    for s in default_protocol().identification.sites:
        site, _ = Site.objects.update_or_create(code=s.code, defaults={"name": s.name})
        out.append(site)
    return out
