"""The WHODrug B3 reader: fixed-width DD/DDA/INA read back, preferred name and ATC class found, bad lines named."""

from __future__ import annotations

from pathlib import Path

import pytest

from mescams.interop.dictionaries import DictionaryFileError, read_whodrug
from mescams.interop.dictionaries.synthetic import SYNTHETIC_WHODRUG_VERSION, write_synthetic_whodrug


@pytest.fixture()
def release(tmp_path: Path) -> Path:
    return write_synthetic_whodrug(tmp_path / "whodrug")


def test_a_b3_line_is_read_by_position(tmp_path: Path) -> None:
    """A line laid out as the B3 description says (drug name from character 31) reads to its fields."""
    (tmp_path / "DD.txt").write_text("000123010016N  001      01 854SOME DRUG NAME" + " " * 40 + "\n")
    (tmp_path / "DDA.txt").write_text("000123010016C02AB  111*\n")
    (tmp_path / "INA.txt").write_text("C      1CARDIOVASCULAR\nC02AB  4SOME CLASS\n")
    (tmp_path / "version.txt").write_text("TEST B3 TESTB3\n")
    drugs = read_whodrug(tmp_path)
    assert drugs.drugs["00012301001"].name == "SOME DRUG NAME"
    assert drugs.drugs["00012301001"].designation == "N"
    assert drugs.atc_codes("00012301001") == ("C02AB",)
    assert drugs.atc["C02AB"].level == 4 and drugs.version == "TEST B3 TESTB3"


def test_a_trade_name_decodes_to_its_preferred_name_and_atc(release: Path) -> None:
    drugs = read_whodrug(release)
    assert drugs.version == SYNTHETIC_WHODRUG_VERSION
    trade = next(d for d in drugs.drugs.values() if d.name == "SYNTHOMEDROL")
    assert trade.designation == "T"
    assert drugs.preferred(trade.drug_code).name == "METHYLPREDNISOLONE"
    assert [drugs.atc[c].text for c in drugs.atc_codes(trade.drug_code)] == ["GLUCOCORTICOIDS"]


@pytest.mark.parametrize(("file", "text", "field"), [
    ("DD.txt", "90000X010010N15SYN SYNTH01 151BAD", "drug code"),
    ("DD.txt", "900009010010X15SYN SYNTH01 151BAD", "designation"),
    ("DD.txt", "900009010010N15SYN SYNTH01 151", "drug name"),
    ("DDA.txt", "999999010010H02AB  151*", "drug code"),
    ("DDA.txt", "900001010010Z99ZZ  151*", "ATC code"),
    ("INA.txt", "H02AB  9GLUCOCORTICOIDS", "ATC level"),
])
def test_a_bad_line_names_file_line_and_field(release: Path, file: str, text: str, field: str) -> None:
    path = release / file
    count = len(path.read_text().splitlines())
    path.write_bytes(path.read_bytes() + (text + "\r\n").encode())
    with pytest.raises(DictionaryFileError) as caught:
        read_whodrug(release)
    assert (caught.value.file, caught.value.line, caught.value.column) == (file, count + 1, field)


def test_version_txt_is_required(release: Path) -> None:
    (release / "version.txt").unlink()
    with pytest.raises(DictionaryFileError, match="version.txt"):
        read_whodrug(release)
