"""Tables, listings and figures of the demo trial: their numbers agree with the statistics area's own counts
(computed independently from the analysis-data folder) and with the snapshot; every output is numbered, titled and
footnoted, and is written as well-formed RTF and as PDF."""

from __future__ import annotations

import json
import re
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from typer.testing import CliRunner

from mescams.cli import app
from mescams.core.protocol import Protocol
from mescams.interop.ae_coding import soc_and_pt
from mescams.interop.snapshot import TrialSnapshot
from mescams.interop.tlf import Output, build_tlfs, write_tlfs
from mescams.interop.tlf.rtf import rtf_document, rtf_escape


@pytest.fixture(scope="module")
def outputs(protocol: Protocol, snapshot: TrialSnapshot, stats_results: dict[str, Any]) -> dict[str, Output]:
    return {o.label: o for o in build_tlfs(protocol, snapshot, stats_results)}


def _row(output: Output, label: str) -> tuple[str, ...]:
    return next(r for r in output.rows if r[0] == label)


def _n(cell: str) -> int:
    return int(cell.split(" ")[0]) if cell not in ("-", "") else 0


def test_every_output_is_numbered_titled_and_footnoted(outputs: dict[str, Output]) -> None:
    assert list(outputs) == [
        "Table 14.1.1", "Table 14.1.2", "Table 14.1.3", "Table 14.2.1", "Table 14.2.2", "Figure 14.2.1",
        "Table 14.3.1.1", "Table 14.3.1.2", "Table 14.3.1.3", "Listing 16.2.7",
    ]  # fmt: skip
    for o in outputs.values():
        assert o.title and o.population and o.footnotes and o.rows, o.label
    assert outputs["Figure 14.2.1"].image_png is not None
    assert outputs["Figure 14.2.1"].image_png.startswith(b"\x89PNG")


def test_disposition_adds_up(outputs: dict[str, Output], snapshot: TrialSnapshot, protocol: Protocol) -> None:
    t = outputs["Table 14.1.1"]
    assert _row(t, "Screened")[-1] == str(len(snapshot.participants))
    randomised = _row(t, "Randomised")
    for s, cell in zip(protocol.design.sequences, randomised[1:], strict=False):
        assert int(cell) == sum(p.sequence == s.code for p in snapshot.randomized)
    assert int(randomised[-1]) + int(_row(t, "Screen failures")[-1]) == len(snapshot.participants)
    ended = [_n(_row(t, label)[-1]) for label in ("Completed the study", "Ongoing at the data cut-off", "Withdrawn")]
    assert sum(ended) == int(randomised[-1])
    withdrawn = [p for p in snapshot.randomised if p.disposition.status == "WITHDRAWN"]
    assert withdrawn, "the demo trial has withdrawals"
    assert _n(_row(t, "Withdrawn")[-1]) == len(withdrawn)


def test_ae_tables_match_the_statistics_counts(outputs: dict[str, Output], stats_results: dict[str, Any]) -> None:
    """The statistics area attributes events to treatments from the analysis-data folder on its own; the TLFs
    do it from the snapshot. Both follow the contract's rule, so every count must agree."""
    ae = stats_results["adverse_events"]
    soc_pt = outputs["Table 14.3.1.2"]
    cols = soc_pt.columns
    any_row = _row(soc_pt, "Any adverse event")
    for t in ("MSC", "PLACEBO"):
        i = next(k for k, c in enumerate(cols) if c.startswith(f"{t} (N="))
        assert cols[i] == f"{t} (N={ae[t]['exposed']}): n (%)"
        assert _n(any_row[i]) == ae[t]["participants_with_ae"]
        assert int(any_row[i + 1]) == ae[t]["events"]
        for term in stats_results["adverse_events_by_term"]:
            row = _row(soc_pt, f"  {term['term']}") if term[t]["events"] else None
            if row is not None:
                assert (_n(row[i]), int(row[i + 1])) == (term[t]["participants"], term[t]["events"]), term["term"]
    severity = outputs["Table 14.3.1.3"]
    any_sev = _row(severity, "Any adverse event")
    for t in ("MSC", "PLACEBO"):
        first = next(k for k, c in enumerate(severity.columns) if c.startswith(f"{t} (N="))
        by_grade = dict(zip("12345", map(int, any_sev[first : first + 5]), strict=True))
        assert by_grade == {g: ae[t]["participants_by_max_grade"][g] for g in "12345"}
    overview = outputs["Table 14.3.1.1"]
    serious = _row(overview, "Participants with a serious adverse event")
    assert [_n(c) for c in serious[1:]] == [ae[t]["participants_with_serious_ae"] for t in ("MSC", "PLACEBO")]


def test_serious_adverse_event_listing_matches_the_statistics(
    outputs: dict[str, Output], stats_results: dict[str, Any]
) -> None:
    listing = outputs["Listing 16.2.7"]
    expected = {
        (s["participant_id"], s["term"], s["onset_date"], s["treatment"])
        for s in stats_results["serious_adverse_events"]
    }
    got = {(r[0], r[3], r[5], r[2] if r[2] != "Pre-treatment" else "PRE_TREATMENT") for r in listing.rows}
    assert got == expected and len(listing.rows) == len(expected)


def test_efficacy_tables_copy_the_model_results(outputs: dict[str, Output], stats_results: dict[str, Any]) -> None:
    primary = outputs["Table 14.2.1"]
    row = next(r for r in primary.rows if r[0].endswith("both periods (primary)"))
    g = stats_results["gel_crossover"]
    estimate = f"{g['rate_ratio']:.2f} ({g['ci_low']:.2f}, {g['ci_high']:.2f})"
    p_value = "<0.001" if g["p_value"] < 0.001 else f"{g['p_value']:.3f}"
    assert row[1:] == ("Mixed Models Analysis", "Rate Ratio", estimate, p_value)
    secondary = outputs["Table 14.2.2"]
    volume = [r for r in secondary.rows if r[0] == "GEL volume, MSC vs PLACEBO"]
    v = stats_results["gel_volume"]
    assert [r[1] for r in volume] == ["Mixed Models Analysis", "Wilcoxon signed-rank test"]
    assert volume[0][4] == f"{v['loglinear_p_value']:.3f}" and volume[1][4] == f"{v['wilcoxon_p_value']:.3f}"
    assert volume[1][3] == f"{v['hodges_lehmann_difference']:.2f}"  # no interval: the signed-rank gives none here


def test_soc_and_pt_come_from_meddra_once_coded() -> None:
    coded = SimpleNamespace(meddra=SimpleNamespace(soc_name="Nervous system disorders", pt_name="Headache"),
                            body_system=None, term="bad headache")  # fmt: skip
    assert soc_and_pt(coded) == ("Nervous system disorders", "Headache", True)  # type: ignore[arg-type]
    uncoded = SimpleNamespace(meddra=None, body_system=None, term="bad headache")
    assert soc_and_pt(uncoded) == ("Not coded", "bad headache", False)  # type: ignore[arg-type]


def _balanced(rtf: str) -> bool:
    depth = 0
    for token in re.findall(r"\\\\|\\[{}]|[{}]", rtf):
        depth += {"{": 1, "}": -1}.get(token, 0)
        if depth < 0:
            return False
    return depth == 0


def test_rtf_is_well_formed_with_title_table_and_footnotes(outputs: dict[str, Output]) -> None:
    for o in outputs.values():
        rtf = rtf_document(o)
        assert rtf.startswith("{\\rtf1\\ansi") and _balanced(rtf), o.label
        assert rtf.isascii()
        assert rtf_escape(o.label) in rtf and rtf_escape(o.title) in rtf
        assert rtf.count("\\row") == len(o.rows) + 1
        assert all(rtf_escape(n) in rtf for n in o.footnotes)
    assert "\\pngblip" in rtf_document(outputs["Figure 14.2.1"])
    assert rtf_escape("{a\\b} ≥ é") == "\\{a\\\\b\\} \\u8805? \\u233?"


def test_outputs_are_written_as_numbered_rtf_pdf_and_json(outputs: dict[str, Output], tmp_path: Path) -> None:
    chosen = [outputs["Table 14.1.1"], outputs["Figure 14.2.1"]]
    written = write_tlfs(chosen, tmp_path)
    names = sorted(p.name for p in written)
    assert names == ["f-14-2-1.pdf", "f-14-2-1.rtf", "t-14-1-1.pdf", "t-14-1-1.rtf", "tlf.json", "tlf.pdf"]
    for pdf in tmp_path.glob("*.pdf"):
        data = pdf.read_bytes()
        assert data.startswith(b"%PDF-") and data.rstrip().endswith(b"%%EOF")
    index = json.loads((tmp_path / "tlf.json").read_text(encoding="utf-8"))
    assert [o["label"] for o in index["outputs"]] == ["Table 14.1.1", "Figure 14.2.1"]


def test_export_tlf_command(tmp_path: Path, stats_results: dict[str, Any]) -> None:
    results = tmp_path / "results.json"
    results.write_text(json.dumps(stats_results), encoding="utf-8")
    out = tmp_path / "tlf"
    run = CliRunner().invoke(app, ["export", "tlf", str(out), "--results", str(results), "--demo", "2015", "--no-pdf"])
    assert run.exit_code == 0, run.output
    assert "Table 14.3.1.2: Adverse events by system organ class and preferred term" in run.output
    assert len(list(out.glob("*.rtf"))) == 10 and not list(out.glob("*.pdf"))
    bad = CliRunner().invoke(app, ["export", "tlf", str(out), "--results", str(tmp_path / "none.json"), "--demo", "1"])
    assert bad.exit_code != 0 and "none.json" in bad.output


def test_dsmb_report_shows_the_same_tables(
    tmp_path: Path, protocol: Protocol, snapshot: TrialSnapshot, outputs: dict[str, Output]
) -> None:
    from mescams.core.analysis_contract import EXPORT_COLUMNS
    from mescams.interop.analysis_folder import analysis_tables
    from mescams.stats.analysis_folder import write_analysis_folder

    folder = tmp_path / "analysis"
    write_analysis_folder(analysis_tables(protocol, snapshot), folder, columns=EXPORT_COLUMNS)
    tlf_dir = tmp_path / "tlf"
    write_tlfs(list(outputs.values()), tlf_dir, pdf=False)
    html = tmp_path / "report.html"
    run = CliRunner().invoke(
        app,
        ["analyze", str(folder), "--json", str(tmp_path / "r.json"), "--report", str(html), "--tlf", str(tlf_dir)],
    )
    assert run.exit_code == 0, run.output
    text = html.read_text(encoding="utf-8")
    assert "10. Tables, listings and figures" in text and "11. Software" in text
    for o in outputs.values():
        assert f"{o.label}: {o.title}" in text
    soc_pt = outputs["Table 14.3.1.2"]
    any_row = _row(soc_pt, "Any adverse event")
    assert "<td>Any adverse event</td>" + "".join(f"<td>{c}</td>" for c in any_row[1:]) in text.replace("\n", "")
    (tlf_dir / "tlf.json").write_text('{"outputs": [{"label": "Table 1"}]}', encoding="utf-8")
    bad = CliRunner().invoke(
        app, ["analyze", str(folder), "--json", str(tmp_path / "r.json"), "--report", str(html), "--tlf", str(tlf_dir)]
    )
    assert bad.exit_code == 2 and "output 1" in bad.output and "lacks columns" in bad.output
