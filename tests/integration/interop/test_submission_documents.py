"""The annotated CRF and the reviewer's guides: made from the form definitions, the metadata and the checks."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest

from mescams.core.protocol import Protocol
from mescams.interop.acrf import ANNOTATIONS, NOT_SUBMITTED, acrf_html, crf_pages, write_acrf
from mescams.interop.adam import build_adam
from mescams.interop.conformance import Issue, check_sdtm
from mescams.interop.dataset import Dataset
from mescams.interop.methods import method_for
from mescams.interop.odm_metadata import FORMS
from mescams.interop.reviewers_guide import adrg_html, csdrg_html, write_guide_pdf
from mescams.interop.sdtm import build_sdtm
from mescams.interop.sdtm.spec import SPECS
from mescams.interop.snapshot import TrialSnapshot

CREATED = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)


@pytest.fixture(scope="module")
def sdtm(protocol: Protocol, snapshot: TrialSnapshot) -> list[Dataset]:
    return build_sdtm(protocol, snapshot, dt.date(2017, 6, 30))


def test_every_form_item_is_annotated_and_every_annotation_is_a_variable() -> None:
    assert set(ANNOTATIONS) == set(FORMS)
    for form, (_name, _rep, items) in FORMS.items():
        assert [i[0] for i in items] == list(ANNOTATIONS[form]), form
    variables = {(d, v.name) for d, s in SPECS.items() for v in s["variables"]}  # type: ignore[attr-defined]
    assert set(crf_pages()) <= variables


def test_every_collected_sdtm_variable_is_on_the_acrf() -> None:
    pages = crf_pages()
    collected = {
        (d, v.name) for d, s in SPECS.items() for v in s["variables"] if v.origin == "Collected"  # type: ignore[attr-defined]
    }
    assert collected - set(pages) == set()
    assert pages[("DM", "RACE")] == ["F.DM"] and pages[("QS", "QSORRES")] == ["F.EDSS"]


def test_acrf_pdf_has_a_named_destination_per_form(protocol: Protocol, tmp_path: Path) -> None:
    from weasyprint import HTML

    path = write_acrf(protocol, tmp_path / "acrf.pdf")
    assert path.read_bytes().startswith(b"%PDF")
    plain = tmp_path / "plain.pdf"
    HTML(string=acrf_html(protocol)).write_pdf(str(plain), uncompressed_pdf=True)
    destinations = set(re.findall(rb"\((F\.[A-Z]+)\)", plain.read_bytes()))
    assert destinations == {f"F.{form}".encode() for form in FORMS}
    html = acrf_html(protocol)
    assert "QS.QSORRES when QSTESTCD = EDSS0101" in html and NOT_SUBMITTED in html


def test_csdrg_states_the_datasets_the_cutoff_and_the_conformance_results(
    protocol: Protocol, sdtm: list[Dataset], snapshot: TrialSnapshot, tmp_path: Path
) -> None:
    issues = [*check_sdtm(sdtm), Issue("SD0002", "error", "AE", "AETERM", 3, "required variable is null in 1 row(s)")]
    html = csdrg_html(protocol, sdtm, issues, created=CREATED)
    for ds in sdtm:
        assert f"<td>{ds.name}</td><td>{ds.label}</td>" in html
        assert f"<td>{len(ds.rows)}</td></tr>" in html
    assert "2017-06-30" in html and "SD0002" in html
    errors = sum(i.severity == "error" for i in issues)
    assert f"{errors} error(s), 0 warning(s)" in html
    assert "EDSS0101" in html and "<td>NV</td>" in html
    assert "TS PCLAS null (NA)" in html  # explained, not left for the reviewer to wonder
    ongoing = "subject(s) without a disposition event"
    assert ongoing in html  # the cut-off leaves people ongoing
    assert ongoing not in csdrg_html(protocol, build_sdtm(protocol, snapshot), [], created=CREATED)
    assert write_guide_pdf(html, tmp_path / "csdrg.pdf").read_bytes().startswith(b"%PDF")


def test_adrg_states_populations_derivations_and_dates(
    protocol: Protocol, sdtm: list[Dataset], tmp_path: Path
) -> None:
    adam = build_adam(protocol, sdtm)
    adsl = next(d for d in adam if d.name == "ADSL")
    html = adrg_html(protocol, adam, [], created=CREATED)
    saffl = sum(r["SAFFL"] == "Y" for r in adsl.rows)
    assert f"<tr><td>SAFFL</td><td>{saffl}</td><td>0</td></tr>" in html
    assert "ADSL.TRTSDT" in html and "DATE9." in html
    assert "0 error(s), 0 warning(s)" in html
    text = method_for("ADSL", "COMPLFL")
    assert text is not None and text.replace("'", "&#x27;") in html
    assert "(no method)" not in html
    assert write_guide_pdf(html, tmp_path / "adrg.pdf").read_bytes().startswith(b"%PDF")
