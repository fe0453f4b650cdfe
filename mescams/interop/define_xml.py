"""Define-XML 2.1 for a set of SDTM or ADaM datasets, built with odmlib and validated against the XSD it ships.

Every dataset becomes an ItemGroupDef (class, structure, keys, leaf to its transport file), every variable an
ItemDef (data type, length, origin, codelist), every codelist used a CodeList with NCI codes where we have them
(:mod:`mescams.interop.terminology`), declared against the CDISC CT package the terms come from (a
``def:Standard`` of type CT, so each codelist with an NCI code links to it). Every derived variable points at a
MethodDef that says how it is derived (:mod:`mescams.interop.methods`); ADaM numeric dates carry
``def:DisplayFormat`` DATE9. Collected SDTM variables point into the annotated CRF by named destination, and the
reviewer's guide is a supplemental document. Variables coded with a licensed dictionary (MedDRA for the AE
terms, WHODrug for the medications) point at a CodeList naming that dictionary and its version as an
ExternalCodeList, as Define-XML 2.1 describes them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from mescams.interop.conformance import VALUE_LEVEL
from mescams.interop.dataset import Dataset, Variable
from mescams.interop.errors import ExportError
from mescams.interop.methods import method_for, method_oid
from mescams.interop.terminology import CODELISTS, CT_VERSIONS

__all__ = ["ACRF_LEAF", "DICTIONARY_VARIABLES", "REVIEWERS_GUIDES", "build_define", "validate_define",
           "write_define"]

PURPOSE = {"SDTM": "Tabulation", "ADaM": "Analysis"}
STANDARDS = {"SDTM": ("SDTMIG", "3.4"), "ADaM": ("ADaMIG", "1.3")}
#: file names of the documents define points at, relative to define.xml
ACRF_LEAF = ("LF.acrf", "acrf.pdf", "Annotated CRF")
REVIEWERS_GUIDES = {
    "SDTM": ("LF.csdrg", "csdrg.pdf", "Clinical Study Data Reviewer's Guide"),
    "ADaM": ("LF.adrg", "adrg.pdf", "Analysis Data Reviewer's Guide"),
}


_MEDDRA = tuple(f"{domain}{v}" for domain in ("AE", "MH") for v in ("LLT", "LLTCD", "DECOD", "PTCD", "HLT", "HLTCD",
                                                                  "HLGT", "HLGTCD", "BODSYS", "BDSYCD", "SOC", "SOCCD"))
DICTIONARY_VARIABLES: dict[str, str] = {**dict.fromkeys(_MEDDRA, "MedDRA"),
                                        **dict.fromkeys(("CMDECOD", "CMCLAS", "CMCLASCD"), "WHODrug")}
"""Variable -> the external dictionary its values come from."""
_EXTERNAL = {"MedDRA": "MEDDRA", "WHODrug": "WHODRUG"}  # the Dictionary attribute's usual spelling


def _data_type(ds: Dataset, v: Variable) -> str:
    if v.type == "Num":
        return "integer" if v.integer else "float"
    if v.iso8601:
        values = [str(x) for x in ds.column(v.name) if x is not None]
        if values and all("T" in x for x in values):
            return "datetime" if all(len(x) >= 19 for x in values) else "partialDatetime"
        if values and all(len(x) == 10 for x in values):
            return "date"
        return "partialDatetime" if any("T" in x for x in values) else "partialDate"
    return "text"


def build_define(
    datasets: Iterable[Dataset],
    *,
    study_oid: str,
    study_name: str,
    description: str,
    protocol_name: str,
    created: dt.datetime,
    standard: str = "SDTM",
    dictionaries: dict[str, str] | None = None,
    crf_pages: dict[tuple[str, str], list[str]] | None = None,
    dataset_files: str = "xpt",
) -> object:
    """An odmlib Define-XML 2.1 ODM object for the datasets (all of one standard: SDTM or ADaM).

    ``dictionaries``: name -> version of the coding dictionaries the data were coded with (``{"MedDRA": "27.0"}``);
    their variables (:data:`DICTIONARY_VARIABLES`) then reference them as external code lists.
    ``crf_pages`` maps (dataset, variable) of a collected variable to the annotated CRF's named destinations (form
    anchors) where it is collected; SDTM define then references ``acrf.pdf`` (:mod:`mescams.interop.acrf`).
    ``dataset_files`` is the extension of the dataset files each ``def:leaf`` names (``xpt``, or ``json`` for a
    Dataset-JSON-only folder)."""
    import odmlib.define_2_1.model as DEF

    datasets = list(datasets)
    stamp = created.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S")
    ig_name, ig_version = STANDARDS[standard]
    odm = DEF.ODM(
        FileOID=f"DEF.{study_oid}.{standard}",
        AsOfDateTime=stamp,
        CreationDateTime=stamp,
        ODMVersion="1.3.2",
        FileType="Snapshot",
        Originator="mescams",
        SourceSystem="mescams",
        SourceSystemVersion="0.1",
        Context="Other",
    )
    study = DEF.Study(OID=study_oid)
    study.GlobalVariables = DEF.GlobalVariables()
    study.GlobalVariables.StudyName = DEF.StudyName(_content=study_name)
    study.GlobalVariables.StudyDescription = DEF.StudyDescription(_content=description)
    study.GlobalVariables.ProtocolName = DEF.ProtocolName(_content=protocol_name)
    mdv = DEF.MetaDataVersion(
        OID=f"MDV.{study_oid}.{standard}",
        Name=f"{study_name} {standard}",
        Description=f"{standard} datasets of {study_name}",
        DefineVersion="2.1.0",
    )
    mdv.Standards = DEF.Standards()
    mdv.Standards.Standard.append(
        DEF.Standard(OID=f"STD.{ig_name}", Name=ig_name, Type="IG", Version=ig_version, Status="Final")
    )
    mdv.Standards.Standard.append(
        DEF.Standard(
            OID=f"STD.CT.{standard}",
            Name="CDISC/NCI",
            Type="CT",
            PublishingSet=standard,
            Version=CT_VERSIONS[standard],
            Status="Final",
        )
    )
    if standard == "ADaM":  # ADaM datasets also use SDTM terms (SEX, NY, RACE ...): declare that package too
        mdv.Standards.Standard.append(
            DEF.Standard(
                OID="STD.CT.SDTM", Name="CDISC/NCI", Type="CT", PublishingSet="SDTM", Version=CT_VERSIONS["SDTM"],
                Status="Final",
            )
        )
    crf_pages = crf_pages or {}
    leaves: list[tuple[str, str, str]] = [REVIEWERS_GUIDES[standard]]
    if standard == "SDTM":
        leaves.insert(0, ACRF_LEAF)
        mdv.AnnotatedCRF = DEF.AnnotatedCRF()
        mdv.AnnotatedCRF.DocumentRef = [DEF.DocumentRef(leafID=ACRF_LEAF[0])]  # type: ignore[assignment]
    mdv.SupplementalDoc = DEF.SupplementalDoc()
    mdv.SupplementalDoc.DocumentRef = [DEF.DocumentRef(leafID=REVIEWERS_GUIDES[standard][0])]
    methods: dict[str, str] = {}
    used_codelists: set[str] = set()
    used_external: set[tuple[str, str]] = set()
    item_defs: dict[str, Any] = {}
    for ds in datasets:
        igd = DEF.ItemGroupDef(
            OID=f"IG.{ds.name}",
            Name=ds.name,
            Repeating="No" if ds.name == "DM" or ds.name in ("TS", "TA", "TE", "TV", "TI", "ADSL") else "Yes",
            IsReferenceData="Yes" if ds.klass == "TRIAL DESIGN" else "No",
            SASDatasetName=ds.name,
            Purpose=PURPOSE[standard],
            Structure=ds.structure,
            ArchiveLocationID=f"LF.{ds.name}",
            StandardOID=f"STD.{ig_name}",
        )
        if standard == "SDTM":
            igd.Domain = ds.name
        igd.Description = DEF.Description()
        igd.Description.TranslatedText.append(DEF.TranslatedText(_content=ds.label, lang="en"))
        for order, v in enumerate(ds.variables, start=1):
            oid = f"IT.{ds.name}.{v.name}"
            ref = DEF.ItemRef(ItemOID=oid, OrderNumber=order, Mandatory="Yes" if v.core == "Req" else "No")
            if v.name in ds.keys:
                ref.KeySequence = ds.keys.index(v.name) + 1
            if v.role and standard == "SDTM":
                ref.Role = v.role
            text = method_for(ds.name, v.name) if v.origin == "Derived" else None
            if text:
                ref.MethodOID = method_oid(ds.name, v.name)
                methods[ref.MethodOID] = text
            igd.ItemRef.append(ref)
            item_defs[oid] = _item_def(DEF, ds, v, oid, used_codelists, crf_pages.get((ds.name, v.name), []))
            _external_ref(DEF, item_defs[oid], v, dictionaries or {}, used_external)
        igd.Class = DEF.Class(Name=ds.klass)
        igd.leaf = DEF.leaf(ID=f"LF.{ds.name}", href=f"{ds.name.lower()}.{dataset_files}")
        igd.leaf.title = DEF.title(_content=f"{ds.name.lower()}.{dataset_files}")
        mdv.ItemGroupDef.append(igd)
    for ds in datasets:
        _value_level(DEF, mdv, ds, item_defs, used_codelists)
    for item in item_defs.values():
        mdv.ItemDef.append(item)
    for cl_id in sorted(used_codelists):
        mdv.CodeList.append(_codelist(DEF, cl_id, standard))
    for name, data_type in sorted(used_external):
        mdv.CodeList.append(_external_codelist(DEF, name, data_type, (dictionaries or {})[name]))
    for oid, text in methods.items():
        name = oid.removeprefix("MT.")
        method = DEF.MethodDef(OID=oid, Name=f"Algorithm for {name}", Type="Computation")
        method.Description = DEF.Description()
        method.Description.TranslatedText.append(DEF.TranslatedText(_content=text, lang="en"))
        mdv.MethodDef.append(method)
    for leaf_id, href, title in leaves:
        leaf = DEF.leaf(ID=leaf_id, href=href)
        leaf.title = DEF.title(_content=title)
        mdv.leaf.append(leaf)
    study.MetaDataVersion = mdv
    odm.Study = study
    return odm


def _item_def(  # noqa: PLR0913
    DEF: Any,  # noqa: N803
    ds: Dataset,
    v: Variable,
    oid: str,
    used_codelists: set[str],
    crf_pages: list[str],
) -> object:
    data_type = _data_type(ds, v)
    item = DEF.ItemDef(OID=oid, Name=v.name, SASFieldName=v.name, DataType=data_type)
    if data_type in ("text", "integer", "float"):
        item.Length = ds.length(v.name) if v.type == "Char" else 8
    if v.display_format:
        item.DisplayFormat = v.display_format
    item.Description = DEF.Description()
    item.Description.TranslatedText.append(DEF.TranslatedText(_content=v.label, lang="en"))
    if v.codelist:
        item.CodeListRef = DEF.CodeListRef(CodeListOID=f"CL.{v.codelist}")
        used_codelists.add(v.codelist)
    origin_type = v.origin if v.origin in ("Collected", "Derived", "Assigned", "Protocol", "Predecessor") else "Derived"
    origin = DEF.Origin(Type=origin_type)
    if origin_type == "Collected":
        origin.Source = "Investigator"
        if crf_pages:
            ref = DEF.DocumentRef(leafID=ACRF_LEAF[0])
            ref.PDFPageRef.append(DEF.PDFPageRef(Type="NamedDestination", PageRefs=" ".join(crf_pages)))
            origin.DocumentRef.append(ref)
    item.Origin.append(origin)
    return item


def _external_oid(name: str, data_type: str) -> str:
    return f"CL.{_EXTERNAL[name]}" + (".CODE" if data_type == "integer" else "")


def _external_ref(DEF: Any, item: Any, v: Variable, dictionaries: dict[str, str],  # noqa: N803
                  used: set[tuple[str, str]]) -> None:
    """Point a dictionary-coded variable at its dictionary's code list (names and codes apart: the code list's
    data type is the variable's)."""
    name = DICTIONARY_VARIABLES.get(v.name)
    if name is None or name not in dictionaries or v.codelist:
        return
    item.CodeListRef = DEF.CodeListRef(CodeListOID=_external_oid(name, item.DataType))
    used.add((name, item.DataType))


def _external_codelist(DEF: Any, name: str, data_type: str, version: str) -> Any:  # noqa: N803
    out = DEF.CodeList(OID=_external_oid(name, data_type), Name=f"{name}{' codes' if data_type == 'integer' else ''}",
                       DataType=data_type)
    out.ExternalCodeList = DEF.ExternalCodeList(Dictionary=_EXTERNAL[name], Version=version)
    return out


def _value_level(DEF: Any, mdv: Any, ds: Dataset, item_defs: dict[str, Any], used: set[str]) -> None:  # noqa: N803
    """Value-level metadata where a variable's codelist depends on another variable (e.g. DSDECOD by DSCAT)."""
    for (dataset, variable), (decider, choices) in VALUE_LEVEL.items():
        if dataset != ds.name or variable not in ds.names:
            continue
        default = ds.variable(variable).codelist
        present = sorted({str(r[decider]) for r in ds.rows if r[decider] is not None})
        vl = DEF.ValueListDef(OID=f"VL.{ds.name}.{variable}")
        for n, value in enumerate(present, start=1):
            cl_id = choices.get(value, default)
            wc_oid = f"WC.{ds.name}.{decider}.{value.replace(' ', '_')}"
            where = DEF.WhereClauseDef(OID=wc_oid)
            check = DEF.RangeCheck(Comparator="EQ", SoftHard="Soft", ItemOID=f"IT.{ds.name}.{decider}")
            check.CheckValue.append(DEF.CheckValue(_content=value))
            where.RangeCheck.append(check)
            mdv.WhereClauseDef.append(where)
            oid = f"IT.{ds.name}.{variable}.{value.replace(' ', '_')}"
            ref = DEF.ItemRef(ItemOID=oid, OrderNumber=n, Mandatory="Yes")
            ref.WhereClauseRef.append(DEF.WhereClauseRef(WhereClauseOID=wc_oid))
            vl.ItemRef.append(ref)
            item = DEF.ItemDef(
                OID=oid, Name=variable, SASFieldName=variable, DataType="text", Length=ds.length(variable)
            )
            item.Description = DEF.Description()
            item.Description.TranslatedText.append(
                DEF.TranslatedText(_content=f"{variable} when {decider} is {value}", lang="en")
            )
            if cl_id:
                item.CodeListRef = DEF.CodeListRef(CodeListOID=f"CL.{cl_id}")
                used.add(cl_id)
            item.Origin.append(DEF.Origin(Type="Assigned"))
            item_defs[oid] = item
        mdv.ValueListDef.append(vl)
        item_defs[f"IT.{ds.name}.{variable}"].ValueListRef = DEF.ValueListRef(ValueListOID=vl.OID)


def _codelist(DEF: Any, cl_id: str, standard: str) -> Any:  # noqa: N803
    cl = CODELISTS[cl_id]
    out = DEF.CodeList(OID=f"CL.{cl.id}", Name=cl.name, DataType=cl.data_type)  # type: ignore[attr-defined]
    if cl.nci_code and not cl.sponsor:  # a CDISC codelist: link it to the CT package declared in Standards
        out.StandardOID = "STD.CT.ADaM" if cl.adam else "STD.CT.SDTM"
    for order, (term, code) in enumerate(cl.terms.items(), start=1):
        item = DEF.EnumeratedItem(CodedValue=term, OrderNumber=order)  # type: ignore[attr-defined]
        if code:
            item.Alias.append(DEF.Alias(Context="nci:ExtCodeID", Name=code))  # type: ignore[attr-defined]
        elif cl.nci_code and cl.extensible:
            item.ExtendedValue = "Yes"
        out.EnumeratedItem.append(item)
    if cl.nci_code:
        out.Alias.append(DEF.Alias(Context="nci:ExtCodeID", Name=cl.nci_code))  # type: ignore[attr-defined]
    return out


def write_define(odm: object, path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    odm.write_xml(str(path))  # type: ignore[attr-defined]
    return path


def validate_define(path: Path) -> None:
    """Validate a Define-XML 2.1 file against odmlib's packaged XSD; raise ExportError with the first problem."""
    from odmlib.odm_parser import ODMSchemaValidator

    validator = ODMSchemaValidator(standard="define", version="2.1")
    errors = list(validator.xsd.iter_errors(str(path)))
    if errors:
        first = errors[0]
        raise ExportError(f"{path.name} {first.path}", str(first.reason or first.message))
