"""ICF versions as the protocol declares them: validated when built, and who must re-consent after a new one."""

from __future__ import annotations

import datetime as dt

import pytest
from pydantic import ValidationError

from mescams.core.consent_forms import InformedConsent

V1 = {"version": "1.0", "approved_on": dt.date(2015, 5, 12)}
V2 = {"version": "2.0", "approved_on": dt.date(2016, 1, 10)}  # a typo fixed: no re-consent
V3 = {"version": "3.0", "approved_on": dt.date(2016, 6, 1), "reconsent": True}


def test_reconsent_is_asked_only_by_a_later_version_that_says_so() -> None:
    forms = InformedConsent(versions=[V1, V2, V3])
    assert forms.current.version == "3.0"
    assert forms.reconsent_needed("1.0").version == "3.0"
    assert forms.reconsent_needed("2.0").version == "3.0"
    assert forms.reconsent_needed("3.0") is None
    assert InformedConsent(versions=[V1, V2]).reconsent_needed("1.0") is None
    assert forms.in_use_on(dt.date(2016, 2, 1)).version == "2.0" and forms.in_use_on(dt.date(2015, 1, 1)) is None
    with pytest.raises(KeyError):
        forms.reconsent_needed("0.9")


@pytest.mark.parametrize(("versions", "message"), [
    ([V1, V1], "unique"),
    ([V2, V1], "increasing approval date"),
    ([{**V1, "reconsent": True}], "first ICF version"),
    ([], "at least 1"),
])
def test_a_bad_declaration_fails_when_built(versions, message) -> None:
    with pytest.raises(ValidationError, match=message):
        InformedConsent(versions=versions)
