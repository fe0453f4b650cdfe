"""ADaM from SDTM: period definitions, treatment attribution, lesion totals, time to progression, and the same
statistics from the ADaM folder (through XPT files) as from the analysis-data folder, to 1e-10."""

from __future__ import annotations

import datetime as dt
import math
from pathlib import Path
from typing import Any

import pytest

from mescams.core.analysis_contract import EXPORT_COLUMNS
from mescams.core.protocol import Protocol
from mescams.interop.adam import build_adam
from mescams.interop.adam.subject import from_sas
from mescams.interop.adam.to_analysis_data import analysis_tables_from_adam, is_adam_folder, read_adam_folder
from mescams.interop.analysis_folder import analysis_tables
from mescams.interop.dataset import Dataset
from mescams.interop.define_xml import build_define, validate_define, write_define
from mescams.interop.errors import ImportFormatError
from mescams.interop.export import write_datasets
from mescams.interop.sdtm import build_sdtm
from mescams.interop.snapshot import TrialSnapshot
from mescams.stats.analysis_folder import write_analysis_folder

CREATED = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)


@pytest.fixture(scope="module")
def adam(protocol: Protocol, snapshot: TrialSnapshot) -> dict[str, Dataset]:
    return {d.name: d for d in build_adam(protocol, build_sdtm(protocol, snapshot))}


def test_adsl_periods_and_treatments(adam: dict[str, Dataset], snapshot: TrialSnapshot, protocol: Protocol) -> None:
    adsl = adam["ADSL"]
    assert len(adsl.rows) == len(snapshot.randomised)
    for r in adsl.rows:
        p = snapshot.participant(str(r["SUBJID"]))
        assert r["TRTSEQP"] == p.sequence
        assert [r["TRT01P"], r["TRT02P"]] == protocol.sequence(str(p.sequence)).treatments
        infusions = sorted(i.date for i in snapshot.infusions if i.participant_id == p.participant_id)
        assert from_sas(r["TR01SDT"]) == infusions[0]  # type: ignore[arg-type]
        assert from_sas(r["RANDDT"]) == p.randomization_date  # type: ignore[arg-type]
        if r["TR02SDT"] is not None:
            assert r["AP01EDT"] == r["TR02SDT"] - 1 and r["AP02SDT"] == r["TR02SDT"]  # type: ignore[operator]
        assert r["EDSSBL"] == p.baseline_edss and r["MSCOURSE"] == p.ms_course
        assert r["COMPLFL"] == {"COMPLETED": "Y", "WITHDRAWN": "N"}[p.disposition.status]  # issue 17: not null
    withdrawn = [p for p in snapshot.randomised if p.disposition.status == "WITHDRAWN"]
    assert withdrawn and sum(r["EOSSTT"] == "DISCONTINUED" for r in adsl.rows) == len(withdrawn)


def test_adae_attributes_each_event_to_the_latest_infusion(adam: dict[str, Dataset], snapshot: TrialSnapshot) -> None:
    pre = 0
    for r in adam["ADAE"].rows:
        ae = next(a for a in snapshot.adverse_events if a.participant_id == r["SUBJID"] and a.ae_id == r["AESPID"])
        before = [i for i in snapshot.infusions if i.participant_id == ae.participant_id and i.date <= ae.onset_date]
        if not before:
            pre += 1
            assert (r["TRTA"], r["PREFL"], r["TRTEMFL"]) == (None, "Y", None)
        else:
            assert r["TRTA"] == max(before, key=lambda i: i.date).product
    assert pre > 0, "the demo trial should contain a pre-treatment event for this test to mean something"


def test_adles_period_totals_and_scan_counts(
    adam: dict[str, Dataset], snapshot: TrialSnapshot, protocol: Protocol
) -> None:
    rows = adam["ADLES"].rows
    for s in snapshot.randomised[:8]:
        for period in protocol.design.periods:
            scans = [
                m
                for m in snapshot.mri
                if m.participant_id == s.participant_id and protocol.visit(m.visit_code).week in period.assessment_weeks
            ]
            total = next(
                r
                for r in rows
                if r["SUBJID"] == s.participant_id and r["PARAMCD"] == "GDLESTOT" and r["APERIOD"] == period.number
            )
            count = next(
                r
                for r in rows
                if r["SUBJID"] == s.participant_id and r["PARAMCD"] == "NSCANS" and r["APERIOD"] == period.number
            )
            assert total["AVAL"] == sum(m.gel_count for m in scans)
            assert count["AVAL"] == len(scans)
            assert total["TRTA"] == protocol.treatment_in_period(str(s.sequence), period.number)


def test_adtte_matches_the_statistics_progression_times(
    adam: dict[str, Dataset], protocol: Protocol, snapshot: TrialSnapshot, tmp_path: Path
) -> None:
    from mescams.stats.analysis_data import read_analysis_data
    from mescams.stats.survival import progression_times

    write_analysis_folder(analysis_tables(protocol, snapshot), tmp_path / "ad", columns=EXPORT_COLUMNS)
    data = read_analysis_data(tmp_path / "ad", protocol)
    for code, analysis in (("TTSDP1", "period1"), ("TTSDPS", "study")):
        expected = {
            r.participant_id: (r.time, 1 - r.event, r.group)
            for r in progression_times(data, protocol, analysis=analysis).itertuples()
        }
        got = {r["SUBJID"]: (r["AVAL"], r["CNSR"], r["TRTP"]) for r in adam["ADTTE"].rows if r["PARAMCD"] == code}
        assert got == expected


def _compare(a: Any, b: Any, path: str = "") -> None:
    if isinstance(a, dict):
        assert set(a) == set(b), path
        for k in a:
            if k != "input_folder_sha256":
                _compare(a[k], b[k], f"{path}.{k}")
    elif isinstance(a, list):
        assert len(a) == len(b), path
        for i, (x, y) in enumerate(zip(a, b, strict=True)):
            _compare(x, y, f"{path}[{i}]")
    elif isinstance(a, float) and not isinstance(b, str):
        assert (math.isnan(a) and math.isnan(b)) or math.isclose(a, b, rel_tol=1e-10, abs_tol=1e-12), (path, a, b)
    else:
        assert a == b, (path, a, b)


def test_analysis_from_the_adam_folder_equals_the_analysis_data_results(
    adam: dict[str, Dataset], protocol: Protocol, stats_results: dict[str, Any], tmp_path: Path
) -> None:
    from mescams.stats.analysis import run_analysis
    from mescams.stats.analysis_data import read_analysis_data

    write_datasets(adam.values(), tmp_path / "adam", "xpt", study_oid="NCT02239393", created=CREATED)
    assert is_adam_folder(tmp_path / "adam")
    folder = tmp_path / "from_adam"
    write_analysis_folder(
        analysis_tables_from_adam(read_adam_folder(tmp_path / "adam")), folder, columns=EXPORT_COLUMNS
    )
    results = run_analysis(read_analysis_data(folder, protocol), protocol).results()
    _compare(stats_results, results)


def test_adam_files_and_define_are_valid(
    adam: dict[str, Dataset], dataset_json_schema: dict[str, Any], tmp_path: Path
) -> None:
    write_datasets(
        adam.values(), tmp_path, "both", study_oid="NCT02239393", created=CREATED, json_schema=dataset_json_schema
    )
    odm = build_define(
        adam.values(),
        study_oid="NCT02239393",
        study_name="MESCAMS",
        description="ADaM",
        protocol_name="NCT02239393",
        created=CREATED,
        standard="ADaM",
    )
    validate_define(write_define(odm, tmp_path / "define.xml"))


def test_a_folder_without_adsl_is_not_adam(tmp_path: Path) -> None:
    assert not is_adam_folder(tmp_path)
    with pytest.raises(ImportFormatError, match="adsl"):
        read_adam_folder(tmp_path)


def test_mescams_analyze_accepts_an_adam_folder(
    adam: dict[str, Dataset], stats_results: dict[str, Any], tmp_path: Path
) -> None:
    """`mescams analyze ADAM_DIR` gives the analysis-data folder's results (the issue's one-command promise)."""
    import json

    from typer.testing import CliRunner

    from mescams.cli import app

    write_datasets(adam.values(), tmp_path / "adam", "xpt", study_oid="NCT02239393", created=CREATED)
    out = tmp_path / "results.json"
    result = CliRunner().invoke(app, ["analyze", str(tmp_path / "adam"), "--json", str(out)])
    assert result.exit_code == 0, result.output
    _compare(stats_results, json.loads(out.read_text(encoding="utf-8")))


ADSL_DATES = ("RANDDT", "TRTSDT", "TRTEDT", "TR01SDT", "TR02SDT", "AP01SDT", "AP01EDT", "AP02SDT", "AP02EDT")


def test_adam_dates_are_date9_in_xpt_and_dates_in_dataset_json(
    adam: dict[str, Dataset], dataset_json_schema: dict[str, Any], tmp_path: Path
) -> None:
    """Issue 17: ADaM dates read as numbers such as 20654 (no DATE9. in XPT, not typed in Dataset-JSON)."""
    from mescams.interop.dataset_json import read_dataset_json
    from mescams.interop.xpt import read_xpt_formats

    write_datasets(
        adam.values(), tmp_path, "both", study_oid="NCT02239393", created=CREATED, json_schema=dataset_json_schema
    )
    formats = read_xpt_formats(tmp_path / "adsl.xpt")
    assert {name: formats.get(name) for name in ADSL_DATES} == dict.fromkeys(ADSL_DATES, "DATE9")
    assert "AGE" not in formats
    import json

    doc = json.loads((tmp_path / "adsl.json").read_text(encoding="utf-8"))
    columns = {c["name"]: c for c in doc["columns"]}
    for name in ADSL_DATES:
        assert (columns[name]["dataType"], columns[name]["targetDataType"]) == ("date", "integer")
        assert columns[name]["displayFormat"] == "DATE9."
    first = doc["rows"][0][list(columns).index("TRTSDT")]
    assert first == from_sas(adam["ADSL"].rows[0]["TRTSDT"]).isoformat()  # type: ignore[arg-type, union-attr]
    _, rows = read_dataset_json(tmp_path / "adsl.json")
    assert [r["TRTSDT"] for r in rows] == adam["ADSL"].column("TRTSDT")


def test_r_haven_reads_adam_dates_as_dates(adam: dict[str, Dataset], rscript: str, tmp_path: Path) -> None:
    """R: haven::read_xpt gives class Date for the DATE9. variables and the same calendar dates."""
    import subprocess

    write_datasets([adam["ADSL"]], tmp_path, "xpt", study_oid="NCT02239393", created=CREATED)
    script = (
        "d <- haven::read_xpt(commandArgs(TRUE)[1]); "
        "cat(class(d$TRTSDT), class(d$AGE), format(d$TRTSDT[1]), sep='\\n')"
    )
    out = subprocess.run(
        [rscript, "-e", script, str(tmp_path / "adsl.xpt")], check=True, capture_output=True, text=True, timeout=120
    ).stdout.split()
    first = from_sas(adam["ADSL"].rows[0]["TRTSDT"])  # type: ignore[arg-type]
    assert out == ["Date", "numeric", str(first)]


def test_the_adam_json_folder_gives_the_same_rows_as_the_xpt_folder(adam: dict[str, Dataset], tmp_path: Path) -> None:
    write_datasets(adam.values(), tmp_path / "x", "xpt", study_oid="NCT02239393", created=CREATED)
    write_datasets(adam.values(), tmp_path / "j", "json", study_oid="NCT02239393", created=CREATED)
    from_xpt, from_json = read_adam_folder(tmp_path / "x"), read_adam_folder(tmp_path / "j")
    for name in from_xpt:
        for a, b in zip(from_xpt[name], from_json[name], strict=True):
            assert {k: a[k] for k in ADSL_DATES if k in a} == {k: b[k] for k in ADSL_DATES if k in b}
