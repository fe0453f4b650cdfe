"""Split a ClinicalTrials.gov eligibility text into numbered criteria and recognise the numbers in each.

The registry's text is loosely formatted Markdown. Its headings vary from record to record: "Inclusion Criteria:",
"Key Inclusion Criteria:", "Main exclusion criteria", "EXCLUSION CRITERIA:", "Eligibility criteria:", "Exclusion
Criteria for all participants:", sometimes in bold or as a bullet, sometimes with the first criterion on the same
line. A heading is never a criterion. Top-level bullets ('* ', '- ', '1. ', '1) ') become one criterion each
(I1.., E1..) with their sub-bullets folded in; a short top-level line ending in ':' inside a section ("For
adolescent participants:") qualifies the criteria under it and is kept in front of their text; a top-level "Note:"
line or a lead-in sentence ("Subjects who meet any of the following criteria ...:") is a remark, not a criterion.
The parameters recognised are the ones our eligibility rules read (ages, EDSS range, disease duration, look-back
windows, eGFR threshold); anything else stays text for a human.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Literal

__all__ = ["EligibilityText", "parse_criteria", "recognise_params", "split_criteria"]

BULLET = re.compile(r"^(\s*)(?:[*\-\u2022+]\s+|\d+[.)]\s+|[a-z][.)]\s+)(.*)$")
NUMBERING = re.compile(r"^\s*(?:\d+[.)]|[ivx]+\))\s*", re.IGNORECASE)
NUM = r"(\d+(?:\.\d+)?)"
HEADING = re.compile(
    r"""^\W*                                      # bullets, '#', '**' before the heading
    (?:(?:key|main|major|principal|general|primary|other|additional|specific)\s+)?
    (?P<kind>inclusion|exclusion|eligibility)(?:\s+criteri(?:a|on)|(?=\s*:))   # 'Exclusion Criteria', 'Exclusion:'
    (?P<scope>\s+(?:for|in)\s+[^:]{1,60})?        # 'for all participants', 'for healthy volunteers'
    \W*?\s*(?::|$)\s*\**\s*(?P<rest>.*)$""",
    re.IGNORECASE | re.VERBOSE,
)
LEAD_IN = re.compile(
    r"\b(?:any|all|each|one or more|none) of the following\b|\bthe following (?:criteria|conditions|requirements)\b"
    r"|\b(?:are|is|will be) (?:eligible|excluded|included|not (?:eligible|enrolled|to be enrolled))\b",
    re.IGNORECASE,
)
NOTE = re.compile(r"^\s*\W*note\s*:", re.IGNORECASE)


@dataclass
class EligibilityText:
    """What the eligibility text holds: the criteria by section, the headings as written, and remarks."""

    inclusion: list[str] = field(default_factory=list)
    exclusion: list[str] = field(default_factory=list)
    headings: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    #: True when no heading was found, so every criterion was read as an inclusion criterion
    unlabelled: bool = False


def _heading(line: str) -> tuple[Literal["inclusion", "exclusion"], str] | None:
    """(section, text on the heading's own line) when the line is an inclusion or exclusion heading."""
    m = HEADING.match(line.strip())
    if not m or (":" not in line and len(line.strip()) > 40):  # a sentence that starts like a heading is a criterion
        return None
    kind = "exclusion" if m.group("kind").lower() == "exclusion" else "inclusion"
    return kind, m.group("rest").strip(" *")  # type: ignore[return-value]


def _clean(text: str) -> str:
    return " ".join(text.replace("\u2265", ">=").replace("\u2264", "<=").replace("\\", "").split())


def parse_criteria(text: str) -> EligibilityText:
    """Read the registry's eligibility text into criteria by section (see the module docstring for the rules)."""
    out = EligibilityText()
    sections: dict[str, list[str]] = {"inclusion": out.inclusion, "exclusion": out.exclusion}
    current = "inclusion"
    qualifier = ""
    items = out.inclusion
    last_was_bullet = False
    for raw in (text or "").splitlines():
        if not raw.strip():
            continue
        indent = len(raw) - len(raw.lstrip())
        if indent == 0 and (head := _heading(raw)):
            current, rest = head
            out.headings.append(raw.strip())
            items, qualifier = sections[current], ""
            if rest:
                items.append(_clean(NUMBERING.sub("", rest)))
            last_was_bullet = True
            continue
        m = BULLET.match(raw)
        body = (m.group(2) if m else raw).strip()
        if indent == 0 and not m and NOTE.match(body):
            out.notes.append(_clean(body))
            continue
        if indent == 0 and not m and body.endswith(":") and LEAD_IN.search(body):
            out.notes.append(_clean(body))  # 'Subjects who meet any of the following ... :' only leads in
            continue
        if indent == 0 and not m and body.endswith(":") and len(body) <= 60:
            qualifier = body  # 'For adolescent participants:' qualifies what follows
            continue
        if m and indent == 0 or not items or (not m and indent == 0 and not last_was_bullet):
            criterion = NUMBERING.sub("", body).strip()
            items.append(_clean(f"{qualifier} {criterion}" if qualifier else criterion))
            last_was_bullet = bool(m)
        else:
            items[-1] = _clean(f"{items[-1]} {body}")
    for name in sections:
        sections[name][:] = [c for c in sections[name] if c]
    out.unlabelled = not out.headings and bool(out.inclusion)
    return out


def split_criteria(text: str) -> tuple[list[str], list[str]]:
    """(inclusion texts, exclusion texts) from the registry's eligibility text."""
    parsed = parse_criteria(text)
    return parsed.inclusion, parsed.exclusion


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
