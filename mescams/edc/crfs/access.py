"""Which roles may read and write which eCRF (the site rule and blinding are applied on top of this)."""

from __future__ import annotations

from mescams.core.blinding import Role

SITE = frozenset({Role.SITE_COORDINATOR, Role.INVESTIGATOR})
OVERSIGHT = frozenset({Role.DATA_MANAGER, Role.UNBLINDED_STATISTICIAN, Role.DSMB})

WRITE: dict[str, frozenset[Role]] = {
    "demographics": SITE,
    "vital_signs": SITE,
    "infusion": SITE,
    "adverse_event": SITE,
    "mri": SITE,  # registers a scan done; the MRI reader enters the read by scan ID
    "relapse": SITE,
    "edss": frozenset({Role.EDSS_RATER, Role.INVESTIGATOR}),
    "safety_lab": SITE,
    "conmed": SITE,
}
"""Forms entered through the generic form routes (screening and consent have their own services)."""

MONITORING = frozenset({Role.MONITOR})  # reads every form of its sites, blinded (no lab cell counts), writes none

READ: dict[str, frozenset[Role]] = {
    form: SITE | OVERSIGHT | MONITORING
    for form in ("screening", "consent", "demographics", "vital_signs", "adverse_event", "mri", "relapse",
                 "safety_lab", "conmed")
}
READ["edss"] = SITE | OVERSIGHT | MONITORING | {Role.EDSS_RATER}
READ["infusion"] = SITE | OVERSIGHT | MONITORING | {Role.CELL_LAB}


def may_write(role: str, form: str) -> bool:
    return Role(role) in WRITE.get(form, frozenset())


def may_read(role: str, form: str) -> bool:
    return Role(role) in READ.get(form, frozenset())
