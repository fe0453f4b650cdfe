"""WHODrug Global as UMC delivers it in the B3 text format: the drug names (DD), their ATC classes (DDA) and the
ATC texts (INA), read and checked, no database.

The B3 ``.txt`` files are fixed-width, one record a line (WHODrug B3 format description; the same layout as the
B2 format with the drug name widened to 1,500 characters). Positions are 0-based, end exclusive::

    DD.txt   0:6 drug record number, 6:8 sequence number 1, 8:11 sequence number 2, 11 check digit,
             12 designation (T trade name, N non-proprietary name), 13:15 source year, 15:19 source code,
             19:24 company code, 24:26 number of ingredients, 26 salt/ester code, 27:30 year quarter,
             30: drug name (up to 1,500)
    DDA.txt  0:6 drug record number, 6:8 sequence number 1, 8:11 sequence number 2, 11 check digit,
             12:19 ATC code, 19:22 year quarter, 22 official ATC code flag ('*' when official)
    INA.txt  0:7 ATC code, 7 ATC level (1 to 4), 8: ATC text (up to 110)

The drug code is the first eleven characters (record number, Seq1, Seq2). A verbatim is coded to the drug name
it matches; the standardised name (CMDECOD) is the preferred name of the same active moiety, the record with
Seq1 ``01`` and Seq2 ``001`` of that drug record number. The version comes from the release's ``version.txt``
line (e.g. ``WHODRUG GLOBAL B3 March 1, 2024 GLOBALB3Mar24``) when the delivery has one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from mescams.interop.dictionaries._text import lines_of, required_file
from mescams.interop.dictionaries.errors import DictionaryFileError

__all__ = ["AtcClass", "DrugName", "WhodrugDictionary", "read_whodrug"]

NAME_LENGTH = 1500
ATC_TEXT_LENGTH = 110
_ATC_LENGTH = {1: 1, 2: 3, 3: 4, 4: 5}  # ATC code length by level (A, A01, A01A, A01AB)
_DRUG_CODE = re.compile(r"\d{6}\d{2}[0-9A-Z]{3}")
_ATC = re.compile(r"[A-Z](\d{2}([A-Z]([A-Z](\d{2})?)?)?)?")


@dataclass(frozen=True)
class DrugName:
    drug_code: str  # 11 characters: record number, Seq1, Seq2
    name: str
    designation: str  # T trade name, N non-proprietary name

    @property
    def record_number(self) -> str:
        return self.drug_code[:6]

    @property
    def preferred_code(self) -> str:
        """The code of the preferred name of this drug's active moiety (Seq1 01, Seq2 001)."""
        return f"{self.record_number}01001"


@dataclass(frozen=True)
class AtcClass:
    code: str
    level: int
    text: str


@dataclass(frozen=True)
class WhodrugDictionary:
    version: str
    drugs: dict[str, DrugName]
    atc_of: dict[str, tuple[str, ...]]  # drug code -> its ATC codes, in file order
    atc: dict[str, AtcClass]

    def atc_codes(self, drug_code: str) -> tuple[str, ...]:
        """The ATC codes of ``drug_code``: DDA links them to the ingredient (record number and Seq1), so a trade
        name shares the classes of its ingredient's records."""
        stem = drug_code[:8]
        found = [c for code, codes in self.atc_of.items() if code[:8] == stem for c in codes]
        return tuple(dict.fromkeys(found))

    def preferred(self, drug_code: str) -> DrugName:
        """The preferred name of ``drug_code``'s active moiety (itself when the release lacks that record)."""
        drug = self.drugs[drug_code]
        return self.drugs.get(drug.preferred_code, drug)


def _field(file: str, line: int, text: str, start: int, end: int | None, name: str) -> str:
    if len(text) < (end if end is not None else start + 1):
        raise DictionaryFileError(file, line, name, f"the line ends at character {len(text)}, before this field "
                                                    f"(characters {start + 1}-{end or start + 1})")
    return text[start:end]


def _drug_code(file: str, line: int, text: str) -> str:
    code = _field(file, line, text, 0, 11, "drug code")
    if not _DRUG_CODE.fullmatch(code):
        raise DictionaryFileError(file, line, "drug code", f"must be 6 digits, 2 digits and 3 characters, got {code!r}")
    return code


def _atc_texts(directory: Path) -> dict[str, AtcClass]:
    path, out = required_file(directory, "INA.txt"), {}
    for line, text in lines_of(path):
        code = _field(path.name, line, text, 0, 7, "ATC code").strip()
        level_text = _field(path.name, line, text, 7, 8, "ATC level")
        if not level_text.isdigit() or int(level_text) not in _ATC_LENGTH:
            raise DictionaryFileError(path.name, line, "ATC level", f"must be 1 to 4, got {level_text!r}")
        level = int(level_text)
        if not _ATC.fullmatch(code) or len(code) != _ATC_LENGTH[level]:
            raise DictionaryFileError(path.name, line, "ATC code", f"{code!r} is not an ATC code of level {level}")
        label = text[8:].strip()
        if not label or len(label) > ATC_TEXT_LENGTH:
            raise DictionaryFileError(path.name, line, "ATC text", f"must be 1 to {ATC_TEXT_LENGTH} characters")
        if code in out:
            raise DictionaryFileError(path.name, line, "ATC code", f"{code} appears twice")
        out[code] = AtcClass(code, level, label)
    return out


def _version(directory: Path) -> str:
    try:
        path = required_file(directory, "version.txt")
    except DictionaryFileError:
        raise DictionaryFileError("version.txt", 0, "version",
                                  "is missing: the release's version.txt names the version loaded") from None
    for _line, text in lines_of(path):
        return text.strip()
    raise DictionaryFileError(path.name, 0, "version", "the file is empty")


def read_whodrug(directory: Path | str) -> WhodrugDictionary:
    """Read and check DD.txt, DDA.txt, INA.txt and version.txt in ``directory``."""
    directory = Path(directory)
    version = _version(directory)
    atc = _atc_texts(directory)
    path = required_file(directory, "DD.txt")
    drugs: dict[str, DrugName] = {}
    for line, text in lines_of(path):
        code = _drug_code(path.name, line, text)
        designation = _field(path.name, line, text, 12, 13, "designation")
        if designation not in ("T", "N"):
            raise DictionaryFileError(path.name, line, "designation", f"must be T or N, got {designation!r}")
        name = text[30:].strip() if len(text) > 30 else ""
        if not name:
            raise DictionaryFileError(path.name, line, "drug name", "must not be empty (characters 31 on)")
        if len(name) > NAME_LENGTH:
            raise DictionaryFileError(path.name, line, "drug name", f"must be at most {NAME_LENGTH} characters")
        if code in drugs:
            raise DictionaryFileError(path.name, line, "drug code", f"{code} appears twice")
        drugs[code] = DrugName(code, name, designation)
    path = required_file(directory, "DDA.txt")
    atc_of: dict[str, list[str]] = {}
    for line, text in lines_of(path):
        code = _drug_code(path.name, line, text)
        if code not in drugs:
            raise DictionaryFileError(path.name, line, "drug code", f"{code} is not a drug of DD.txt")
        atc_code = _field(path.name, line, text, 12, 19, "ATC code").strip()
        if atc_code not in atc:
            raise DictionaryFileError(path.name, line, "ATC code", f"{atc_code!r} is not an ATC code of INA.txt")
        atc_of.setdefault(code, []).append(atc_code)
    return WhodrugDictionary(version, drugs, {k: tuple(v) for k, v in atc_of.items()}, atc)
