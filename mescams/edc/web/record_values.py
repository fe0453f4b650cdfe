"""One eCRF record as label/value lines for pages that show records read-only (the monitor's verification page,
the casebook PDF): the form's own labels, values as people read them, and nothing a role may not see (the lab's
cell counts stay with the roles the blinding policy lets see them)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils.translation import gettext

from mescams.core.blinding import BLINDING_POLICY, Reveal
from mescams.edc.api.management import LAB_FIELDS
from mescams.edc.i18n.labels import VALUE_LABELS, value_label
from mescams.edc.web.forms import field_label_in
from mescams.edc.web.numbers import scientific

BOOKKEEPING = ("id", "participant", "created_at", "record", "criteria")
"""Columns that are not the record's values (the screening record's criteria are shown by its own section)."""


def shown_value(value: Any) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return gettext("yes") if value else gettext("no")
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, float) and abs(value) >= 1e4:
        return scientific(value)
    if isinstance(value, list):
        return ", ".join(str(value_label(v)) for v in value) or "—"
    return str(VALUE_LABELS.get(value, value)) if isinstance(value, str) else str(value)  # a coded value, or as typed


def record_rows(form: str, record: Any, role: str) -> list[tuple[str, str]]:
    """(label, value) of each field of ``record`` that ``role`` may see, in the form's order."""
    hidden = set() if BLINDING_POLICY.may_see(role, Reveal.CELL_COUNTS) else {
        field for table, field in LAB_FIELDS if table == record._meta.db_table}
    rows = []
    for f in record._meta.concrete_fields:
        if f.name in BOOKKEEPING or f.name in hidden:
            continue
        label = "Visit" if f.name == "visit_code" else field_label_in(form, f.name)
        rows.append((label, shown_value(getattr(record, f.name))))
    return rows
