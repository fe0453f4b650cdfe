"""Split a ClinicalTrials.gov eligibility text into numbered criteria and recognise the numbers in each.

The registry's text is loosely formatted Markdown: 'Inclusion Criteria:' and 'Exclusion Criteria:' headings,
top-level bullets ('* ', '- ' or '1) ') and indented sub-bullets. Each top-level bullet becomes one criterion
(I1.., E1..) with its sub-bullets folded into its text. The parameters recognised are the ones our eligibility
rules read (ages, EDSS range, disease duration, look-back windows, eGFR threshold); anything else stays text for
a human to turn into rules.
"""

from __future__ import annotations

import re
from typing import Any

__all__ = ["recognise_params", "split_criteria"]

BULLET = re.compile(r"^(\s*)(?:[*\-\u2022]\s+|\d+[.)]\s+)(.*)$")
NUMBERING = re.compile(r"^\s*(?:\d+[.)]|[ivx]+\))\s*", re.IGNORECASE)
NUM = r"(\d+(?:\.\d+)?)"


def _items(block: str) -> list[str]:
    items: list[str] = []
    for raw in block.splitlines():
        if not raw.strip():
            continue
        m = BULLET.match(raw)
        indent = len(raw) - len(raw.lstrip())
        text = (m.group(2) if m else raw).strip()
        if m and indent == 0:
            items.append(NUMBERING.sub("", text).strip())
        elif items:
            items[-1] = f"{items[-1]} {text}"
        else:
            items.append(NUMBERING.sub("", text).strip())
    return [" ".join(i.replace("\u2265", ">=").replace("\u2264", "<=").split()) for i in items if i]


def split_criteria(text: str) -> tuple[list[str], list[str]]:
    """(inclusion texts, exclusion texts) from the registry's eligibility text."""
    parts = re.split(r"(?im)^\s*exclusion criteria\s*:?\s*$", text, maxsplit=1)
    inclusion = re.sub(r"(?im)^\s*inclusion criteria\s*:?\s*$", "", parts[0])
    exclusion = parts[1] if len(parts) > 1 else ""
    return _items(inclusion), _items(exclusion)


def recognise_params(text: str) -> dict[str, Any]:
    """The numbers of a criterion that our rules use, found by pattern; {} when none is recognised."""
    t = text.lower()
    params: dict[str, Any] = {}
    if m := re.search(rf"\bage[sd]?\s+{NUM}\s*(?:to|-)\s*{NUM}", t):
        params.update(min_age_years=int(float(m.group(1))), max_age_years=int(float(m.group(2))))
    if m := re.search(rf"\bedss\s+(?:score\s+)?(?:of\s+)?{NUM}\s*(?:to|-)\s*{NUM}", t):
        params.update(min_edss=float(m.group(1)), max_edss=float(m.group(2)))
    if m := re.search(rf"duration\s+(?:of\s+)?{NUM}\s*(?:to|-)\s*{NUM}\s*years", t):
        params.update(min_duration_years=int(float(m.group(1))), max_duration_years=int(float(m.group(2))))
    if m := re.search(rf"egfr\s*(?:<|less than)\s*{NUM}", t):
        params.update(lab_test="egfr", min_egfr=float(m.group(1)), unit="mL/min/1.73m2")
    if m := re.search(rf"(?:within|during)\s+(?:the\s+)?{NUM}\s+days", t):
        params["window_days"] = int(float(m.group(1)))
    elif m := re.search(rf"(?:within|during)\s+(?:the\s+)?{NUM}\s+months", t):
        params["window_months"] = int(float(m.group(1)))
    return params
