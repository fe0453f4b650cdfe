"""``mescams export sdtm|adam|define|odm|ctgov-results|tlf`` and ``mescams protocol import-ctgov``.

Every export carries treatment allocation: these are administrator / unblinded-statistician tools on the server;
the web and API layers must refuse them to blinded roles (see docs/sdtm.md).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from mescams.commands._common import reports_errors

if TYPE_CHECKING:
    from mescams.core.protocol import Protocol
    from mescams.interop.snapshot import TrialSnapshot

# Imports inside functions: each command loads only the area it uses (pandas, SciPy, DuckDB, Django after
# configure()), so `mescams --help` and the other commands start fast.

ProtocolOption = typer.Option(None, "--protocol", help="Protocol YAML (default: the MESCAMS protocol).")
SchemaOption = typer.Option(
    None,
    "--json-schema",
    help="Dataset-JSON 1.1 JSON Schema to validate every .json "
    "against before writing (e.g. ../shared/reference/cdisc-dataset-json-1.1.schema.json).",
)
DemoOption = typer.Option(
    None,
    "--demo",
    help="Export the simulated trial of this seed (the one `sim populate --seed` enters) instead of the database.",
)


def _schema(path: Path | None) -> dict | None:  # type: ignore[type-arg]
    import json

    from mescams.interop.errors import ExportError

    if path is None:
        return None
    try:
        return json.loads(path.read_text(encoding="utf-8"))  # type: ignore[no-any-return]
    except (OSError, json.JSONDecodeError) as exc:
        raise ExportError("--json-schema", f"{path} is not a readable JSON Schema ({exc})") from None


def _load_snapshot(protocol: Protocol, *, demo_seed: int | None) -> TrialSnapshot:
    """The simulated trial of ``demo_seed`` (:mod:`mescams.sim.demo_snapshot`), else the EDC database's data as the
    EDC builds it.

    Why explicit: exports carry treatment allocation, so the command line never silently falls back to fake data;
    the demo trial is used only when asked for with ``--demo SEED``. Why here: interop only reads snapshots and
    never imports the EDC; the command wires the EDC's snapshot into the exports.
    """
    if demo_seed is not None:
        from mescams.sim.demo_snapshot import simulated_snapshot

        return simulated_snapshot(protocol, seed=demo_seed)
    from mescams.edc.settings import configure

    configure()
    from mescams.edc.export.snapshot import snapshot_from_database  # imports the models: only once Django is set up

    return snapshot_from_database(protocol)


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(microsecond=0)


CutoffOption = typer.Option(
    None,
    "--cutoff",
    help="Data cut-off date (YYYY-MM-DD): only data up to the end of that day, written to TS as DCUTDTC.",
)
DocumentsOption = typer.Option(
    True,
    "--documents/--no-documents",
    help="Also write define.xml and the PDFs it references (SDTM: acrf.pdf, csdrg.pdf; ADaM: adrg.pdf).",
)


def _cutoff(text: str | None) -> dt.date | None:
    from mescams.interop.errors import ExportError

    if text is None:
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise ExportError("--cutoff", f"must be a date YYYY-MM-DD, got {text!r}") from None


def _format(fmt: str) -> str:
    from mescams.interop.errors import ExportError

    if fmt not in ("xpt", "json", "both"):
        raise ExportError("--format", f"must be xpt, json or both, got {fmt!r}")
    return fmt


@reports_errors
def sdtm(
    out_dir: Path = typer.Argument(..., help="Folder for the SDTM files."),
    fmt: str = typer.Option("both", "--format", help="xpt, json or both."),
    json_schema: Path | None = SchemaOption,
    cutoff: str | None = CutoffOption,
    documents: bool = DocumentsOption,
    demo: int | None = DemoOption,
    protocol: Path | None = ProtocolOption,
) -> None:
    """Write SDTM (SDTMIG 3.4) datasets, define.xml, acrf.pdf and csdrg.pdf; check them, the report beside."""
    from mescams.interop.conformance import format_issues
    from mescams.interop.package import write_sdtm_package
    from mescams.interop.sdtm import build_sdtm
    from mescams.protocols import load_protocol

    fmt, cut, schema = _format(fmt), _cutoff(cutoff), _schema(json_schema)
    p = load_protocol(protocol)
    snapshot = _load_snapshot(p, demo_seed=demo)
    datasets = build_sdtm(p, snapshot, cut)
    package = write_sdtm_package(
        p, datasets, out_dir, fmt, created=_now(), json_schema=schema, documents=documents,  # type: ignore[arg-type]
        dictionaries={d.name: d.version for d in snapshot.dictionaries},
    )
    typer.echo(f"wrote {len(package.files)} files for {len(datasets)} datasets to {out_dir}")
    typer.echo(f"wrote the conformance report {package.report}")
    typer.echo(format_issues(package.issues))
    if any(i.severity == "error" for i in package.issues):
        raise typer.Exit(1)


@reports_errors
def adam(
    out_dir: Path = typer.Argument(..., help="Folder for the ADaM files."),
    fmt: str = typer.Option("both", "--format", help="xpt, json or both."),
    json_schema: Path | None = SchemaOption,
    analysis_data: Path | None = typer.Option(
        None,
        "--analysis-data",
        help="Also write the analysis-data folder (the contract's CSV files) converted from the ADaM datasets here.",
    ),
    cutoff: str | None = CutoffOption,
    documents: bool = DocumentsOption,
    demo: int | None = DemoOption,
    protocol: Path | None = ProtocolOption,
) -> None:
    """Write ADaM datasets (ADSL, ADAE, ADLES, ADEDSS, ADREL, ADTTE) derived from the SDTM datasets, define.xml
    and adrg.pdf; check them, the report beside."""
    from mescams.core.analysis_contract import EXPORT_COLUMNS
    from mescams.interop.adam import build_adam
    from mescams.interop.adam.to_analysis_data import analysis_tables_from_adam
    from mescams.interop.conformance import format_issues
    from mescams.interop.package import write_adam_package
    from mescams.interop.sdtm import build_sdtm
    from mescams.protocols import load_protocol
    from mescams.stats.analysis_folder import write_analysis_folder

    fmt, cut, schema = _format(fmt), _cutoff(cutoff), _schema(json_schema)
    p = load_protocol(protocol)
    snapshot = _load_snapshot(p, demo_seed=demo)
    sdtm_sets = build_sdtm(p, snapshot, cut)
    datasets = build_adam(p, sdtm_sets)
    package = write_adam_package(
        p, sdtm_sets, datasets, out_dir, fmt, created=_now(), json_schema=schema,  # type: ignore[arg-type]
        documents=documents, dictionaries={d.name: d.version for d in snapshot.dictionaries},
    )
    typer.echo(f"wrote {len(package.files)} files for {len(datasets)} ADaM datasets to {out_dir}")
    typer.echo(f"wrote the conformance report {package.report}")
    typer.echo(format_issues(package.issues))
    if analysis_data is not None:
        write_analysis_folder(
            analysis_tables_from_adam(datasets), analysis_data, columns=EXPORT_COLUMNS, overwrite=True
        )
        typer.echo(f"wrote the analysis-data folder {analysis_data}")
    if any(i.severity == "error" for i in package.issues):
        raise typer.Exit(1)


@reports_errors
def define(
    out_file: Path = typer.Argument(..., help="define.xml to write."),
    standard: str = typer.Option("SDTM", "--standard", help="SDTM or ADaM."),
    demo: int | None = DemoOption,
    protocol: Path | None = ProtocolOption,
) -> None:
    """Write Define-XML 2.1 for the SDTM (or ADaM) datasets and validate it against the Define-XML 2.1 XSD."""
    from mescams.interop.acrf import crf_pages
    from mescams.interop.define_xml import build_define, validate_define, write_define
    from mescams.interop.errors import ExportError
    from mescams.protocols import load_protocol

    if standard not in ("SDTM", "ADaM"):
        raise ExportError("--standard", f"must be SDTM or ADaM, got {standard!r}")
    from mescams.interop.adam import build_adam
    from mescams.interop.sdtm import build_sdtm

    p = load_protocol(protocol)
    snapshot = _load_snapshot(p, demo_seed=demo)
    datasets = build_sdtm(p, snapshot)
    if standard == "ADaM":
        datasets = build_adam(p, datasets)
    ident = p.identification
    odm = build_define(
        datasets,
        study_oid=ident.nct_id,
        study_name=ident.acronym,
        description=ident.official_title,
        protocol_name=ident.nct_id,
        created=_now(),
        standard=standard,
        dictionaries={d.name: d.version for d in snapshot.dictionaries},
        crf_pages=crf_pages() if standard == "SDTM" else None,
    )
    validate_define(write_define(odm, out_file))
    typer.echo(f"wrote {out_file}: {len(datasets)} datasets, valid against the Define-XML 2.1 schema")


@reports_errors
def odm(
    out_file: Path = typer.Argument(..., help="ODM 1.3.2 XML file to write."),
    metadata_only: bool = typer.Option(False, "--metadata-only", help="Only the eCRF metadata, no clinical data."),
    demo: int | None = DemoOption,
    protocol: Path | None = ProtocolOption,
) -> None:
    """Write CDISC ODM 1.3.2: eCRF metadata, and the clinical data with its audit trail; validate against the XSD."""
    from mescams.interop.odm import build_odm, validate_odm, write_odm
    from mescams.protocols import load_protocol

    p = load_protocol(protocol)
    snapshot = None if metadata_only else _load_snapshot(p, demo_seed=demo)
    validate_odm(write_odm(build_odm(p, snapshot, created=_now()), out_file))
    typer.echo(f"wrote {out_file}: valid against the ODM 1.3.2 schema")


@reports_errors
def import_ctgov(
    study_file: Path = typer.Argument(..., help="ClinicalTrials.gov API v2 study record (JSON)."),
    output: Path = typer.Option(..., "-o", "--output", help="Draft protocol YAML to write."),
) -> None:
    """Draft a protocol file from a ClinicalTrials.gov study record and report what needs a human."""
    import json

    import yaml

    from mescams.interop.ctgov_import import draft_protocol
    from mescams.interop.errors import ImportFormatError

    try:
        study = json.loads(study_file.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ImportFormatError(str(study_file), f"cannot be read ({exc.strerror})") from None
    except json.JSONDecodeError as exc:
        raise ImportFormatError(str(study_file), f"is not JSON (line {exc.lineno}: {exc.msg})") from None
    doc, report = draft_protocol(study)
    header = (
        f"# Draft protocol imported from ClinicalTrials.gov record {doc['identification']['nct_id']}.\n"
        "# Review every item of the import report before use:\n"
        + "".join(f"#   {line}\n" for line in report.text().splitlines())
    )
    output.write_text(header + yaml.safe_dump(doc, sort_keys=False, allow_unicode=True, width=120), encoding="utf-8")
    typer.echo(f"wrote {output}")
    typer.echo(report.text())


@reports_errors
def ctgov_results(
    out_file: Path = typer.Argument(..., help="JSON file for the ClinicalTrials.gov resultsSection."),
    results: Path = typer.Option(..., "--results", help="Statistics results JSON (mescams analyze --json)."),
    openapi: Path | None = typer.Option(
        None,
        "--openapi",
        help="ClinicalTrials.gov API v2 OpenAPI YAML to validate "
        "against (e.g. ../shared/reference/ctgov-api-v2-openapi.yaml).",
    ),
    consort: Path | None = typer.Option(None, "--consort", help="Also draw the CONSORT flow diagram (.png/.svg/.pdf)."),
    demo: int | None = DemoOption,
    protocol: Path | None = ProtocolOption,
) -> None:
    """Write the ClinicalTrials.gov API v2 resultsSection: flow, baseline, outcomes with analyses, adverse events."""
    import json

    from mescams.interop.consort import consort_boxes, draw_consort
    from mescams.interop.ctgov_results import results_section
    from mescams.interop.ctgov_schema import load_openapi, validate_component
    from mescams.interop.errors import ImportFormatError
    from mescams.protocols import load_protocol

    try:
        stats = json.loads(results.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise ImportFormatError(str(results), f"is not a readable results JSON ({exc})") from None
    p = load_protocol(protocol)
    snapshot = _load_snapshot(p, demo_seed=demo)
    section, warnings = results_section(p, snapshot, stats)
    document = {"resultsSection": section}
    if openapi is not None:
        validate_component(document, load_openapi(openapi), "Study", label=str(out_file))
    out_file.write_text(json.dumps(document, indent=1), encoding="utf-8")
    typer.echo(f"wrote {out_file}" + (" (valid against the API v2 Study schema)" if openapi else ""))
    for w in warnings:
        typer.echo(f"warning: {w}")
    if consort is not None:
        draw_consort(consort_boxes(section["participantFlowModule"], snapshot), consort)
        typer.echo(f"wrote {consort}")


@reports_errors
def tlf(
    out_dir: Path = typer.Argument(..., help="Folder for the numbered RTF and PDF outputs (and tlf.json)."),
    results: Path | None = typer.Option(
        None, "--results", help="Statistics results JSON (mescams analyze --json); default: run the analysis now."
    ),
    no_pdf: bool = typer.Option(False, "--no-pdf", help="Write the RTF files and tlf.json only."),
    demo: int | None = DemoOption,
    protocol: Path | None = ProtocolOption,
) -> None:
    """Write the tables, listings and figures (disposition, demographics, exposure, efficacy, AEs, SAE listing).

    Every output is by arm (unblinded): a tool for the roles allowed arm summaries, like the other exports.
    """
    import json
    import tempfile

    from mescams.interop.errors import ImportFormatError
    from mescams.interop.tlf import build_tlfs, write_tlfs
    from mescams.protocols import load_protocol

    p = load_protocol(protocol)
    snapshot = _load_snapshot(p, demo_seed=demo)
    if results is not None:
        try:
            stats = json.loads(results.read_text(encoding="utf-8"))
        except (OSError, json.JSONDecodeError) as exc:
            raise ImportFormatError(str(results), f"is not a readable results JSON ({exc})") from None
    else:
        from mescams.core.analysis_contract import EXPORT_COLUMNS
        from mescams.interop.analysis_folder import analysis_tables
        from mescams.stats.analysis import run_analysis
        from mescams.stats.analysis_data import read_analysis_data
        from mescams.stats.analysis_folder import write_analysis_folder

        with tempfile.TemporaryDirectory(prefix="mescams-tlf-") as tmp:
            folder = Path(tmp)
            write_analysis_folder(analysis_tables(p, snapshot), folder, columns=EXPORT_COLUMNS, overwrite=True)
            stats = run_analysis(read_analysis_data(folder, p), p).results()
    outputs = build_tlfs(p, snapshot, stats)
    written = write_tlfs(outputs, out_dir, pdf=not no_pdf)
    for o in outputs:
        typer.echo(f"{o.label}: {o.title}")
    typer.echo(f"wrote {len(written)} files to {out_dir}")


def _sdtm_datasets(p: object, demo: int | None, cutoff: dt.date | None = None) -> list:  # type: ignore[type-arg]
    from mescams.interop.sdtm import build_sdtm

    return build_sdtm(p, _load_snapshot(p, demo_seed=demo), cutoff)  # type: ignore[arg-type]


def _adam_datasets(p: object, demo: int | None) -> list:  # type: ignore[type-arg]
    from mescams.interop.adam import build_adam

    return build_adam(p, _sdtm_datasets(p, demo))  # type: ignore[arg-type]


def register(root: typer.Typer, group: Callable[[str, str], typer.Typer]) -> None:
    export = group("export", "Export the trial's data in standard formats.")
    export.command("sdtm")(sdtm)
    export.command("adam")(adam)
    export.command("define")(define)
    export.command("odm")(odm)
    export.command("ctgov-results")(ctgov_results)
    export.command("tlf")(tlf)
    group("protocol", "Show, schedule and validate the trial protocol.").command("import-ctgov")(import_ctgov)
