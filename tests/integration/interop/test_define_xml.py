"""Define-XML 2.1 of the SDTM datasets: built with odmlib, valid against odmlib's Define-XML 2.1 XSD, complete."""

from __future__ import annotations

import datetime as dt
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from mescams.core.protocol import Protocol
from mescams.interop.dataset import Dataset
from mescams.interop.define_xml import build_define, validate_define, write_define
from mescams.interop.errors import ExportError
from mescams.interop.sdtm import build_sdtm
from mescams.interop.snapshot import TrialSnapshot

NS = {"odm": "http://www.cdisc.org/ns/odm/v1.3", "def": "http://www.cdisc.org/ns/def/v2.1"}


@pytest.fixture(scope="module")
def sdtm(protocol: Protocol, snapshot: TrialSnapshot) -> list[Dataset]:
    return build_sdtm(protocol, snapshot)


@pytest.fixture(scope="module")
def define_path(sdtm: list[Dataset], tmp_path_factory: pytest.TempPathFactory) -> Path:
    odm = build_define(
        sdtm,
        study_oid="NCT02239393",
        study_name="MESCAMS",
        description="MSC crossover trial",
        protocol_name="NCT02239393",
        created=dt.datetime(2026, 1, 1, tzinfo=dt.UTC),
    )
    return write_define(odm, tmp_path_factory.mktemp("define") / "define.xml")


def test_define_is_valid_against_the_xsd(define_path: Path) -> None:
    validate_define(define_path)


def test_every_dataset_variable_and_codelist_is_defined(define_path: Path, sdtm: list[Dataset]) -> None:
    root = ET.parse(define_path).getroot()
    mdv = root.find("odm:Study/odm:MetaDataVersion", NS)
    assert mdv is not None
    groups = {g.get("Name"): g for g in mdv.findall("odm:ItemGroupDef", NS)}
    assert set(groups) == {d.name for d in sdtm}
    items = {i.get("OID"): i for i in mdv.findall("odm:ItemDef", NS)}
    codelists = {c.get("OID") for c in mdv.findall("odm:CodeList", NS)}
    for ds in sdtm:
        refs = [r.get("ItemOID") for r in groups[ds.name].findall("odm:ItemRef", NS)]
        assert refs == [f"IT.{ds.name}.{n}" for n in ds.names]
        assert groups[ds.name].find("def:Class", NS).get("Name") == ds.klass
        assert (
            groups[ds.name].find("def:leaf", NS).get("{http://www.w3.org/1999/xlink}href") == f"{ds.name.lower()}.xpt"
        )
        for v in ds.variables:
            item = items[f"IT.{ds.name}.{v.name}"]
            assert item.find("def:Origin", NS) is not None
            if v.codelist:
                assert item.find("odm:CodeListRef", NS).get("CodeListOID") in codelists
    sex = next(c for c in mdv.findall("odm:CodeList", NS) if c.get("OID") == "CL.SEX")
    assert {e.get("CodedValue") for e in sex.findall("odm:EnumeratedItem", NS)} >= {"F", "M"}
    assert sex.find("odm:Alias", NS).get("Name") == "C66731"
    dy = next(r for r in groups["AE"].findall("odm:ItemRef", NS) if r.get("ItemOID") == "IT.AE.AESTDY")
    assert dy.get("MethodOID") == "MT.AE.AESTDY"
    decod = items["IT.DS.DSDECOD"]
    assert decod.find("def:ValueListRef", NS).get("ValueListOID") == "VL.DS.DSDECOD"
    milestone = items["IT.DS.DSDECOD.PROTOCOL_MILESTONE"]
    assert milestone.find("odm:CodeListRef", NS).get("CodeListOID") == "CL.PROTMLST"
    assert "CL.PROTMLST" in codelists


def test_schema_validation_catches_a_broken_document(define_path: Path, tmp_path: Path) -> None:
    text = define_path.read_text(encoding="utf-8").replace('def:DefineVersion="2.1.0"', "", 1)
    broken = tmp_path / "broken.xml"
    broken.write_text(text, encoding="utf-8")
    with pytest.raises(ExportError, match="DefineVersion"):
        validate_define(broken)


def test_coded_variables_name_their_dictionary_and_version(sdtm: list[Dataset], tmp_path: Path) -> None:
    """MedDRA's names and codes, and WHODrug's names, each reference an external code list with the version."""
    odm = build_define(sdtm, study_oid="NCT02239393", study_name="MESCAMS", description="MSC crossover trial",
                       protocol_name="NCT02239393", created=dt.datetime(2026, 1, 1, tzinfo=dt.UTC),
                       dictionaries={"MedDRA": "27.0", "WHODrug": "GLOBALB3Mar24"})
    path = write_define(odm, tmp_path / "define.xml")
    validate_define(path)
    mdv = ET.parse(path).getroot().find("odm:Study/odm:MetaDataVersion", NS)
    assert mdv is not None
    external = {c.get("OID"): (c.get("DataType"), c.find("odm:ExternalCodeList", NS))
                for c in mdv.findall("odm:CodeList", NS) if c.find("odm:ExternalCodeList", NS) is not None}
    assert {oid: (kind, e.get("Dictionary"), e.get("Version")) for oid, (kind, e) in external.items()} == {
        "CL.MEDDRA": ("text", "MEDDRA", "27.0"), "CL.MEDDRA.CODE": ("integer", "MEDDRA", "27.0"),
        "CL.WHODRUG": ("text", "WHODRUG", "GLOBALB3Mar24")}
    refs = {i.get("Name"): i.find("odm:CodeListRef", NS).get("CodeListOID")  # type: ignore[union-attr]
            for i in mdv.findall("odm:ItemDef", NS)
            if i.get("OID", "").startswith(("IT.AE.", "IT.MH.", "IT.CM."))
            and i.find("odm:CodeListRef", NS) is not None}
    assert refs["AEBODSYS"] == refs["AEDECOD"] == refs["AELLT"] == "CL.MEDDRA"
    assert refs["AEPTCD"] == refs["AESOCCD"] == "CL.MEDDRA.CODE"
    assert refs["MHBODSYS"] == refs["MHDECOD"] == refs["MHLLT"] == refs["MHHLT"] == "CL.MEDDRA"  # medical history
    assert refs["MHPTCD"] == refs["MHSOCCD"] == refs["MHLLTCD"] == "CL.MEDDRA.CODE"
    assert refs["CMDECOD"] == refs["CMCLAS"] == "CL.WHODRUG"


def _mdv(path: Path) -> ET.Element:
    mdv = ET.parse(path).getroot().find("odm:Study/odm:MetaDataVersion", NS)
    assert mdv is not None
    return mdv


def _define(datasets: list[Dataset], path: Path, standard: str, **kwargs: object) -> Path:
    odm = build_define(
        datasets,
        study_oid="NCT02239393",
        study_name="MESCAMS",
        description="MSC crossover trial",
        protocol_name="NCT02239393",
        created=dt.datetime(2026, 1, 1, tzinfo=dt.UTC),
        standard=standard,
        **kwargs,  # type: ignore[arg-type]
    )
    return write_define(odm, path)


@pytest.fixture(scope="module")
def adam(protocol: Protocol, sdtm: list[Dataset]) -> list[Dataset]:
    from mescams.interop.adam import build_adam

    return build_adam(protocol, sdtm)


@pytest.mark.parametrize("standard", ["SDTM", "ADaM"])
def test_every_derived_variable_has_a_method(
    standard: str, sdtm: list[Dataset], adam: list[Dataset], tmp_path: Path
) -> None:
    """Issue 17: 71 of 110 SDTM and 74 of 79 ADaM derived variables had no method."""
    datasets = sdtm if standard == "SDTM" else adam
    path = _define(datasets, tmp_path / "define.xml", standard)
    validate_define(path)
    mdv = _mdv(path)
    methods = {m.get("OID"): m for m in mdv.findall("odm:MethodDef", NS)}
    items = {i.get("OID"): i for i in mdv.findall("odm:ItemDef", NS)}
    derived = 0
    for group in mdv.findall("odm:ItemGroupDef", NS):
        for ref in group.findall("odm:ItemRef", NS):
            origin = items[ref.get("ItemOID")].find("def:Origin", NS)
            if origin is not None and origin.get("Type") == "Derived":
                derived += 1
                assert ref.get("MethodOID") in methods, ref.get("ItemOID")
                text = methods[ref.get("MethodOID")].find("odm:Description/odm:TranslatedText", NS)
                assert text is not None and len(text.text or "") > 10
    assert derived > 20


@pytest.mark.parametrize("standard", ["SDTM", "ADaM"])
def test_controlled_terminology_is_declared_and_linked(
    standard: str, sdtm: list[Dataset], adam: list[Dataset], tmp_path: Path
) -> None:
    """Issue 17: define declared no CT standard, so its codelists with NCI codes were unlinked."""
    from mescams.interop.terminology import CT_VERSIONS

    path = _define(sdtm if standard == "SDTM" else adam, tmp_path / "define.xml", standard)
    mdv = _mdv(path)
    standards = {s.get("OID"): s for s in mdv.findall("def:Standards/def:Standard", NS)}
    ct = standards[f"STD.CT.{standard}"]
    assert (ct.get("Type"), ct.get("Name"), ct.get("Version")) == ("CT", "CDISC/NCI", CT_VERSIONS[standard])
    with_nci = [c for c in mdv.findall("odm:CodeList", NS) if c.find("odm:Alias", NS) is not None]
    assert with_nci
    for cl in with_nci:
        assert cl.get("{http://www.cdisc.org/ns/def/v2.1}StandardOID") in standards, cl.get("OID")


def test_adam_dates_have_the_date9_format(adam: list[Dataset], tmp_path: Path) -> None:
    path = _define(adam, tmp_path / "define.xml", "ADaM")
    items = {i.get("OID"): i for i in _mdv(path).findall("odm:ItemDef", NS)}
    for oid in ("IT.ADSL.RANDDT", "IT.ADSL.TRTSDT", "IT.ADSL.AP01SDT", "IT.ADAE.ASTDT", "IT.ADTTE.ADT"):
        assert items[oid].get("{http://www.cdisc.org/ns/def/v2.1}DisplayFormat") == "DATE9.", oid
        assert items[oid].get("DataType") == "integer"
    assert items["IT.ADSL.AGE"].get("{http://www.cdisc.org/ns/def/v2.1}DisplayFormat") is None


def test_sdtm_define_references_the_annotated_crf_and_the_reviewers_guide(
    sdtm: list[Dataset], tmp_path: Path
) -> None:
    from mescams.interop.acrf import crf_pages

    path = _define(sdtm, tmp_path / "define.xml", "SDTM", crf_pages=crf_pages())
    validate_define(path)
    mdv = _mdv(path)
    xlink = "{http://www.w3.org/1999/xlink}href"
    leaves = {leaf.get("ID"): leaf.get(xlink) for leaf in mdv.findall("def:leaf", NS)}
    assert leaves == {"LF.acrf": "acrf.pdf", "LF.csdrg": "csdrg.pdf"}
    assert mdv.find("def:AnnotatedCRF/def:DocumentRef", NS).get("leafID") == "LF.acrf"
    assert mdv.find("def:SupplementalDoc/def:DocumentRef", NS).get("leafID") == "LF.csdrg"
    sex = next(i for i in mdv.findall("odm:ItemDef", NS) if i.get("OID") == "IT.DM.SEX")
    page = sex.find("def:Origin/def:DocumentRef/def:PDFPageRef", NS)
    assert page is not None and page.get("Type") == "NamedDestination" and "F.DM" in page.get("PageRefs").split()
