"""A participant's casebook as the investigator signs it: what is still incomplete, whether its signature stands,
and the signature's manifestation (21 CFR Part 11 §11.50: printed name, date and time, meaning).

Why here and not in the services: the pages, the API and the exports all show the same words, and the audit trail
calls :func:`invalidate_signatures` after any audited change of a casebook record (the signed data).
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from typing import Any

from mescams.edc.audit.context import acting, current_actor
from mescams.edc.crfs.visit_status import visit_statuses
from mescams.edc.notifications import events as notifications
from mescams.edc.queries.models import Query, Signature
from mescams.protocols import default_protocol

__all__ = ["casebook_gaps", "casebook_state", "invalidate_signatures", "manifestation", "site_timezone"]

PENDING = ("partial", "due", "overdue", "upcoming")
"""Visit states that leave a casebook incomplete (``done`` and ``not_expected`` do not)."""


def casebook_gaps(participant: Any) -> list[str]:
    """What is incomplete, one line each: visits pending with their missing forms, then open queries."""
    gaps = [f"visit {s.code} {s.state}: missing {', '.join(s.missing)}"
            for s in visit_statuses(participant) if s.state in PENDING and s.missing]
    for query in Query.objects.filter(participant=participant).exclude(status="closed").order_by("opened_at", "pk"):
        where = f"{query.form}.{query.field}" if query.field else query.form
        # no query number: numbers are global, so they would differ with what happened at other participants
        gaps.append(f"query on {where} {query.status} since {query.opened_at.date().isoformat()}")
    return gaps


def site_timezone(participant: Any) -> str:
    """The site's IANA time zone as the protocol file declares it ('' if it declares none)."""
    site = next((s for s in default_protocol().identification.sites if s.code == participant.site.code), None)
    return (site.timezone or "") if site else ""


def manifestation(signature: Signature) -> dict[str, Any]:
    """The signature as shown everywhere: who (printed name and user name), when (UTC and site time), meaning,
    and whether it still stands."""
    utc = signature.signed_at.astimezone(dt.UTC)
    zone = signature.site_timezone
    local = utc.astimezone(zoneinfo.ZoneInfo(zone)) if zone else None
    return {
        "participant_id": signature.participant.participant_id,
        "signed_by": signature.signed_by,
        "printed_name": signature.printed_name or signature.signed_by,
        "meaning": signature.meaning,
        "signed_at": utc,
        "signed_at_utc": utc.strftime("%Y-%m-%d %H:%M:%S UTC"),
        "signed_at_site": f"{local.strftime('%Y-%m-%d %H:%M:%S %Z')} ({zone})" if local else "",
        "site_timezone": zone,
        "audit_seq": signature.audit_seq,
        "incomplete": list(signature.incomplete or []),
        "signed_anyway_reason": signature.signed_anyway_reason,
        "state": signature.state,
        "invalidated_by_audit_seq": signature.invalidated_by_seq,
        "invalidating_change": signature.invalidating_change,
    }


def casebook_state(participant: Any) -> str:
    """``unsigned``, ``signed``, or ``needs re-signing`` (signed once, but no signature stands since a change)."""
    signatures = list(Signature.objects.filter(participant=participant))
    if not signatures:
        return "unsigned"
    return "signed" if any(s.stands for s in signatures) else "needs re-signing"


def invalidate_signatures(*, participant_pk: int, audit_seq: int, change: str) -> int:
    """Mark every standing signature of the participant's casebook invalidated by the change chained at
    ``audit_seq`` (audited, in the changing transaction); returns how many."""
    standing = list(Signature.objects.filter(participant_id=participant_pk, invalidated_by_seq__isnull=True,
                                             audit_seq__lt=audit_seq))
    if not standing:
        return 0
    now = dt.datetime.now(dt.UTC)
    with acting(current_actor(), reason=f"signature invalidated by change (audit entry {audit_seq})"):
        for signature in standing:
            signature.invalidated_by_seq, signature.invalidated_at = audit_seq, now
            signature.invalidating_change = change[:200]
            signature.save()
    notifications.casebook_needs_signature(standing[0].participant,
                                           f"its data changed after it was signed (audit entry {audit_seq})")
    return len(standing)
