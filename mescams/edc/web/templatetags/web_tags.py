"""Template helpers: the navigation of each role, labels of roles, forms and visit states."""

from __future__ import annotations

from typing import Any

from django import template
from django.urls import reverse
from django.utils.translation import gettext, pgettext

from mescams.core.blinding import Role
from mescams.edc.web.forms import FORM_TITLES, label_of

register = template.Library()

NAV: dict[Role, list[tuple[str, str]]] = {
    Role.SITE_COORDINATOR: [("Participants", "web:site_dashboard"), ("Pre-screening", "web:prescreening"),
                            ("Consent and screen", "web:screen"), ("Re-consent", "web:reconsent_due"),
                            ("Queries", "web:site_queries")],
    Role.INVESTIGATOR: [("Participants", "web:site_dashboard"), ("Pre-screening", "web:prescreening"),
                        ("Consent and screen", "web:screen"), ("Re-consent", "web:reconsent_due"),
                        ("AE review", "web:ae_review"), ("Queries", "web:site_queries")],
    Role.EDSS_RATER: [("EDSS assessments", "web:rater_home"), ("Queries", "web:rater_queries")],
    Role.MRI_READER: [("Scans", "web:mri_scans")],
    Role.CELL_LAB: [("Worklist", "web:lab_worklist"), ("Accountability", "web:lab_accountability")],
    Role.DATA_MANAGER: [("Queries", "web:dm_queries"), ("Entry status", "web:dm_status"),
                        ("Missing data", "web:dm_missing"), ("Audit trail", "web:dm_audit"), ("Locks", "web:dm_locks"),
                        ("Access log", "web:dm_access_log")],
    Role.UNBLINDED_STATISTICIAN: [("Overview", "web:oversight"), ("Safety", "web:oversight_safety"),
                                  ("Lesions", "web:oversight_lesions"), ("Reports", "web:oversight_reports")],
    Role.DSMB: [("Overview", "web:oversight"), ("Safety", "web:oversight_safety"),
                ("Lesions", "web:oversight_lesions"), ("Reports", "web:oversight_reports")],
    Role.ADMINISTRATOR: [("Administration", "admin:index")],
}


@register.simple_tag(takes_context=True)
def nav_links(context: Any) -> list[tuple[str, str]]:
    user = context["request"].user
    if not user.is_authenticated:
        return []
    return [(gettext(label), reverse(name)) for label, name in NAV.get(Role(user.role), [])]


@register.simple_tag(takes_context=True)
def role_label(context: Any) -> str:
    user = context["request"].user
    return pgettext("role", Role(user.role).label) if user.is_authenticated else ""


@register.filter
def form_title(name: str) -> str:
    return FORM_TITLES.get(name, label_of(name))


@register.filter
def field_label(name: str) -> str:
    return label_of(name)


@register.filter
def state_label(state: str) -> str:
    return str(state).replace("_", " ")


@register.filter
def get(mapping: Any, key: Any) -> Any:
    return mapping.get(key) if hasattr(mapping, "get") else None


@register.filter
def sci(value: Any) -> str:
    """A cell count in scientific notation (1.05e+08)."""
    if value is None or value == "":
        return ""
    return f"{float(value):.3g}" if abs(float(value)) < 1e4 else f"{float(value):.3e}"
