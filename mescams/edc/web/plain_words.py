"""Words for people in place of the record's internal names: a criterion's protocol text beside its ID, and the
eligibility engine's reasons with field and condition names as a coordinator would say them ("able to consent:
yes", "HIV") instead of ``able_to_consent is true`` or ``hiv``. The engine's reasons stay as they are (the audit
trail and the API keep the exact names); only the page translates them."""

from __future__ import annotations

import re
from functools import lru_cache

from mescams.protocols import default_protocol

WORDS: dict[str, str] = {
    "able_to_consent": "able to consent",
    "consent_date": "consent date",
    "ms.csf_oligoclonal_bands": "CSF oligoclonal bands",
    "csf_oligoclonal_bands": "CSF oligoclonal bands",
    "childbearing_potential": "of childbearing potential",
    "willing_to_use_contraception": "willing to use contraception",
    "can_undergo_mri": "can undergo MRI",
    "in_other_trial": "in another clinical trial",
    "able_to_adhere": "able to adhere to the protocol",
    "hiv": "HIV",
    "hepatitis_b_chronic": "chronic hepatitis B",
    "hepatitis_c": "hepatitis C",
    "infection_active": "active infection",
    "infection_chronic": "chronic infection",
    "hematologic_disease": "haematological disease",
    "limited_life_expectancy": "severely limited life expectancy",
    "wbc": "white blood cells",
    "egfr": "eGFR",
    "gel_count": "GEL count",
}
"""Internal names whose plain form is not just the name with spaces for underscores."""

_TOKEN = re.compile(r"\b(?:[a-z][a-z0-9]*(?:[._][a-z0-9]+)+|hiv|wbc|egfr)\b")
_FLAG = re.compile(r"\b([a-z][a-z0-9]*(?:[._][a-z0-9]+)*) is (true|false)\b")


def plain_name(name: str) -> str:
    """One internal name in words: from :data:`WORDS`, else with spaces for underscores (``interferon beta``)."""
    return WORDS.get(name, name.rsplit(".", 1)[-1].replace("_", " "))


def plain_reason(reason: str) -> str:
    """An engine reason with every internal name in words and ``x is true/false`` as ``x: yes/no``."""
    text = _FLAG.sub(lambda m: f"{m.group(1)}: {'yes' if m.group(2) == 'true' else 'no'}", reason)
    return _TOKEN.sub(lambda m: plain_name(m.group(0)), text)


@lru_cache(maxsize=1)
def _criterion_texts() -> dict[str, str]:
    return {c.id: c.text for c in default_protocol().eligibility.criteria}


def criterion_text(criterion_id: str) -> str:
    """The protocol's wording of a criterion (``I2`` -> "Age 18 to 50 years old, ..."), or "" if unknown."""
    return _criterion_texts().get(criterion_id, "")
