"""The MSSO ASCII reader: the synthetic release in the delivered format reads back whole, and each kind of broken
file is refused naming file, line and field."""

from __future__ import annotations

from pathlib import Path

import pytest

from mescams.interop.dictionaries import DictionaryFileError, read_meddra
from mescams.interop.dictionaries.meddra import FILES
from mescams.interop.dictionaries.synthetic import SYNTHETIC_MEDDRA_VERSION, write_synthetic_meddra


@pytest.fixture()
def release(tmp_path: Path) -> Path:
    return write_synthetic_meddra(tmp_path / "MedAscii")


def _replace_line(path: Path, number: int, text: str) -> None:
    lines = path.read_bytes().decode().split("\r\n")
    lines[number - 1] = text
    path.write_bytes("\r\n".join(lines).encode())


def test_reads_every_level_and_the_primary_path(release: Path) -> None:
    meddra = read_meddra(release)
    assert meddra.version == SYNTHETIC_MEDDRA_VERSION and meddra.language == "English"
    uti = next(p for p in meddra.pts.values() if p.name == "Urinary tract infection")
    paths = [p for p in meddra.paths if p.pt_code == uti.code]
    assert len(paths) == 2  # multiaxial: infections (primary) and renal (secondary)
    primary = meddra.primary_path(uti.code)
    assert meddra.socs[primary.soc_code].name == "Infections and infestations"
    assert primary.soc_code == uti.primary_soc_code
    queer = next(llt for llt in meddra.llts.values() if llt.name == "Feeling queer")
    assert not queer.current and meddra.pts[queer.pt_code].name == "Malaise"


def test_the_field_orders_are_msso_s(release: Path) -> None:
    """Field counts of the distribution format: 11 in llt.asc and pt.asc, 12 in mdhier.asc, 10 in soc.asc."""
    counts = {name: len(fields) for name, fields in FILES.items()}
    assert (counts["llt.asc"], counts["pt.asc"], counts["mdhier.asc"], counts["soc.asc"], counts["hlt.asc"]) == (
        11, 11, 12, 10, 9)
    first = (release / "llt.asc").read_text().splitlines()[0].split("$")
    assert first[0] == first[2]  # a PT's own LLT has the PT's code: field 1 is llt_code, field 3 pt_code
    assert first[9] == "Y"  # llt_currency is the tenth field


def test_a_release_with_a_retired_llt(tmp_path: Path) -> None:
    meddra = read_meddra(write_synthetic_meddra(tmp_path / "v2", version="SYNTHETIC 2.0",
                                                retired=frozenset({"Tiredness"})))
    assert meddra.version == "SYNTHETIC 2.0"
    assert not next(llt for llt in meddra.llts.values() if llt.name == "Tiredness").current


@pytest.mark.parametrize(("file", "line", "text", "field", "rule"), [
    ("llt.asc", 2, "9000000X$Bad$90000001$$$$$$$Y$$", "llt_code", "8-digit"),
    ("llt.asc", 3, "90009999$Orphan$99999999$$$$$$$Y$$", "pt_code", "not a PT"),
    ("llt.asc", 1, "90000001$URTI$90000001$$$$$$$Q$$", "llt_currency", "Y or N"),
    ("llt.asc", 1, "90000001$URTI$90000001$", "pt_whoart_code", "expected 11"),
    ("pt.asc", 1, "90000001$$$90100001$$$$$$$$", "pt_name", "empty"),
    ("mdhier.asc", 1, "90000001$90200001$90300001$90100001$A$B$C$D$E$$90100001$X$", "primary_soc_fg", "Y or N"),
])
def test_a_bad_file_names_file_line_and_field(release: Path, file: str, line: int, text: str, field: str,
                                              rule: str) -> None:
    if field == "pt_whoart_code":
        field = "llt_whoart_code"
    _replace_line(release / file, line, text)
    with pytest.raises(DictionaryFileError) as caught:
        read_meddra(release)
    assert (caught.value.file, caught.value.line, caught.value.column) == (file, line, field)
    assert rule in caught.value.rule
    assert f"{file}, line {line}, field {field}" in str(caught.value)


def test_two_primary_paths_and_a_missing_one(release: Path) -> None:
    mdhier = release / "mdhier.asc"
    lines = mdhier.read_bytes().decode().split("\r\n")
    second = next(n for n, t in enumerate(lines, 1) if t.endswith("$N$"))
    _replace_line(mdhier, second, lines[second - 1][:-3] + "$Y$")
    with pytest.raises(DictionaryFileError, match=r"mdhier.asc, line \d+, field (primary_soc_fg|soc_code)"):
        read_meddra(release)
    lines[0] = lines[0][:-3] + "$N$"  # URTI loses its only primary path
    mdhier.write_bytes("\r\n".join(lines).encode())
    with pytest.raises(DictionaryFileError, match="PT 90000001 has no primary path"):
        read_meddra(release)


def test_a_missing_file_and_a_non_utf8_line(release: Path) -> None:
    (release / "hlt_pt.asc").unlink()
    with pytest.raises(DictionaryFileError, match=r"hlt_pt.asc, field file: is missing"):
        read_meddra(release)
    write_synthetic_meddra(release)
    socs = len((release / "soc.asc").read_bytes().splitlines())
    (release / "soc.asc").write_bytes((release / "soc.asc").read_bytes() + b"90100099$Caf\xe9$X$$$$$$$$\r\n")
    with pytest.raises(DictionaryFileError, match=rf"soc.asc, line {socs + 1}, field text: is not UTF-8"):
        read_meddra(release)
