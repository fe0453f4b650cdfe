"""MedDRA as MSSO delivers it: the ASCII distribution (``MedAscii``), read and checked, no database.

Each file holds one record a line, fields separated and terminated by ``$`` (the MedDRA Distribution File Format
Document). The field orders read here (legacy cross-reference fields such as WHO-ART, HARTS, COSTART, ICD and
J-ART have been empty since MedDRA 15 but keep their places)::

    llt.asc       llt_code$llt_name$pt_code$llt_whoart_code$llt_harts_code$llt_costart_sym$llt_icd9_code$
                  llt_icd9cm_code$llt_icd10_code$llt_currency$llt_jart_code$
    pt.asc        pt_code$pt_name$null_field$pt_soc_code$pt_whoart_code$pt_harts_code$pt_costart_sym$
                  pt_icd9_code$pt_icd9cm_code$pt_icd10_code$pt_jart_code$
    hlt.asc       hlt_code$hlt_name$ + 7 legacy fields
    hlgt.asc      hlgt_code$hlgt_name$ + 7 legacy fields
    soc.asc       soc_code$soc_name$soc_abbrev$ + 7 legacy fields
    hlt_pt.asc    hlt_code$pt_code$
    hlgt_hlt.asc  hlgt_code$hlt_code$
    soc_hlgt.asc  soc_code$hlgt_code$
    mdhier.asc    pt_code$hlt_code$hlgt_code$soc_code$pt_name$hlt_name$hlgt_name$soc_name$soc_abbrev$null_field$
                  pt_soc_code$primary_soc_fg$
    meddra_release.asc  version$language$...

A PT may sit under several SOCs (multiaxiality); ``mdhier.asc`` flags the one primary path, which is the SOC a
PT is counted under in tables (AEBODSYS). The checks here: every code 8 digits, every name present, every link
pointing at a term of the release, each PT with exactly one primary path agreeing with ``pt_soc_code``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from mescams.interop.dictionaries._text import dollar_records, flag, meddra_code, name_text, required_file
from mescams.interop.dictionaries.errors import DictionaryFileError

__all__ = ["FILES", "HierarchyPath", "Llt", "MeddraDictionary", "Pt", "Term", "read_meddra"]

_LEGACY = ("whoart_code", "harts_code", "costart_sym", "icd9_code", "icd9cm_code", "icd10_code", "jart_code")


def _legacy(prefix: str) -> tuple[str, ...]:
    return tuple(f"{prefix}_{name}" for name in _LEGACY)


FILES: dict[str, tuple[str, ...]] = {
    "llt.asc": ("llt_code", "llt_name", "pt_code", *_legacy("llt")[:6], "llt_currency", "llt_jart_code"),
    "pt.asc": ("pt_code", "pt_name", "null_field", "pt_soc_code", *_legacy("pt")),
    "hlt.asc": ("hlt_code", "hlt_name", *_legacy("hlt")),
    "hlgt.asc": ("hlgt_code", "hlgt_name", *_legacy("hlgt")),
    "soc.asc": ("soc_code", "soc_name", "soc_abbrev", *_legacy("soc")),
    "hlt_pt.asc": ("hlt_code", "pt_code"),
    "hlgt_hlt.asc": ("hlgt_code", "hlt_code"),
    "soc_hlgt.asc": ("soc_code", "hlgt_code"),
    "mdhier.asc": ("pt_code", "hlt_code", "hlgt_code", "soc_code", "pt_name", "hlt_name", "hlgt_name", "soc_name",
                   "soc_abbrev", "null_field", "pt_soc_code", "primary_soc_fg"),
    "meddra_release.asc": ("version", "language"),
}
"""File name -> its fields in order (the MSSO distribution format)."""
NAME_LENGTH = 100  # MedDRA term names are at most 100 characters


@dataclass(frozen=True)
class Term:
    """A SOC, HLGT or HLT: its code and name (``abbrev`` for a SOC)."""

    code: int
    name: str
    abbrev: str = ""


@dataclass(frozen=True)
class Pt:
    code: int
    name: str
    primary_soc_code: int


@dataclass(frozen=True)
class Llt:
    """A lowest level term; ``current`` is false for a term MSSO keeps for old data but no longer codes to."""

    code: int
    name: str
    pt_code: int
    current: bool


@dataclass(frozen=True)
class HierarchyPath:
    """One path PT -> HLT -> HLGT -> SOC; ``primary`` marks the PT's primary SOC path."""

    pt_code: int
    hlt_code: int
    hlgt_code: int
    soc_code: int
    primary: bool


@dataclass(frozen=True)
class MeddraDictionary:
    version: str
    language: str
    socs: dict[int, Term]
    hlgts: dict[int, Term]
    hlts: dict[int, Term]
    pts: dict[int, Pt]
    llts: dict[int, Llt]
    paths: tuple[HierarchyPath, ...]
    hlt_pt: frozenset[tuple[int, int]] = field(default_factory=frozenset)
    hlgt_hlt: frozenset[tuple[int, int]] = field(default_factory=frozenset)
    soc_hlgt: frozenset[tuple[int, int]] = field(default_factory=frozenset)

    def primary_path(self, pt_code: int) -> HierarchyPath:
        return next(p for p in self.paths if p.pt_code == pt_code and p.primary)


def _terms(directory: Path, name: str, level: str) -> dict[int, Term]:
    path = required_file(directory, name)
    out: dict[int, Term] = {}
    for line, rec in dollar_records(path, FILES[name]):
        code = meddra_code(name, line, f"{level}_code", rec[f"{level}_code"])
        if code in out:
            raise DictionaryFileError(name, line, f"{level}_code", f"{code} appears twice")
        abbrev = rec.get("soc_abbrev", "").strip()
        out[code] = Term(code, name_text(name, line, f"{level}_name", rec[f"{level}_name"], NAME_LENGTH), abbrev)
    return out


def _links(directory: Path, name: str, upper: tuple[str, dict[int, object]],
           lower: tuple[str, dict[int, object]]) -> frozenset[tuple[int, int]]:
    path = required_file(directory, name)
    out: set[tuple[int, int]] = set()
    for line, rec in dollar_records(path, FILES[name]):
        pair = []
        for fname, known in (upper, lower):
            code = meddra_code(name, line, fname, rec[fname])
            if code not in known:
                raise DictionaryFileError(name, line, fname, f"{code} is not a term of this release")
            pair.append(code)
        out.add((pair[0], pair[1]))
    return frozenset(out)


def _release(directory: Path) -> tuple[str, str]:
    name = "meddra_release.asc"
    for line, rec in dollar_records(required_file(directory, name), FILES[name], at_least=True):
        version = rec["version"].strip()
        if not version:
            raise DictionaryFileError(name, line, "version", "must not be empty")
        return version, rec["language"].strip()
    raise DictionaryFileError(name, 0, "version", "the file holds no release line")


def read_meddra(directory: Path | str) -> MeddraDictionary:  # noqa: PLR0912 - one pass per file, in order
    """Read and check the MSSO ASCII files in ``directory``; DictionaryFileError names file, line and field."""
    directory = Path(directory)
    version, language = _release(directory)
    socs = _terms(directory, "soc.asc", "soc")
    hlgts = _terms(directory, "hlgt.asc", "hlgt")
    hlts = _terms(directory, "hlt.asc", "hlt")
    pts: dict[int, Pt] = {}
    for line, rec in dollar_records(required_file(directory, "pt.asc"), FILES["pt.asc"]):
        code = meddra_code("pt.asc", line, "pt_code", rec["pt_code"])
        if code in pts:
            raise DictionaryFileError("pt.asc", line, "pt_code", f"{code} appears twice")
        soc = meddra_code("pt.asc", line, "pt_soc_code", rec["pt_soc_code"])
        if soc not in socs:
            raise DictionaryFileError("pt.asc", line, "pt_soc_code", f"{soc} is not a SOC of soc.asc")
        pts[code] = Pt(code, name_text("pt.asc", line, "pt_name", rec["pt_name"], NAME_LENGTH), soc)
    llts: dict[int, Llt] = {}
    for line, rec in dollar_records(required_file(directory, "llt.asc"), FILES["llt.asc"]):
        code = meddra_code("llt.asc", line, "llt_code", rec["llt_code"])
        if code in llts:
            raise DictionaryFileError("llt.asc", line, "llt_code", f"{code} appears twice")
        pt = meddra_code("llt.asc", line, "pt_code", rec["pt_code"])
        if pt not in pts:
            raise DictionaryFileError("llt.asc", line, "pt_code", f"{pt} is not a PT of pt.asc")
        llts[code] = Llt(code, name_text("llt.asc", line, "llt_name", rec["llt_name"], NAME_LENGTH), pt,
                         flag("llt.asc", line, "llt_currency", rec["llt_currency"]))
    hlt_pt = _links(directory, "hlt_pt.asc", ("hlt_code", hlts), ("pt_code", pts))  # type: ignore[arg-type]
    hlgt_hlt = _links(directory, "hlgt_hlt.asc", ("hlgt_code", hlgts), ("hlt_code", hlts))  # type: ignore[arg-type]
    soc_hlgt = _links(directory, "soc_hlgt.asc", ("soc_code", socs), ("hlgt_code", hlgts))  # type: ignore[arg-type]
    paths: list[HierarchyPath] = []
    primary_line: dict[int, int] = {}
    for line, rec in dollar_records(required_file(directory, "mdhier.asc"), FILES["mdhier.asc"]):
        codes = {}
        for level, known in (("pt", pts), ("hlt", hlts), ("hlgt", hlgts), ("soc", socs)):
            code = meddra_code("mdhier.asc", line, f"{level}_code", rec[f"{level}_code"])
            if code not in known:
                raise DictionaryFileError("mdhier.asc", line, f"{level}_code", f"{code} is not a term of this release")
            codes[level] = code
        for upper, lower, links in (("hlt", "pt", hlt_pt), ("hlgt", "hlt", hlgt_hlt), ("soc", "hlgt", soc_hlgt)):
            if (codes[upper], codes[lower]) not in links:
                rule = f"{codes[lower]} is not linked to {upper} {codes[upper]} in {upper}_{lower}.asc"
                raise DictionaryFileError("mdhier.asc", line, f"{lower}_code", rule)
        primary = flag("mdhier.asc", line, "primary_soc_fg", rec["primary_soc_fg"])
        if primary:
            if codes["pt"] in primary_line:
                rule = f"PT {codes['pt']} already has a primary path (line {primary_line[codes['pt']]})"
                raise DictionaryFileError("mdhier.asc", line, "primary_soc_fg", rule)
            if codes["soc"] != pts[codes["pt"]].primary_soc_code:
                raise DictionaryFileError("mdhier.asc", line, "soc_code",
                                          f"the primary path's SOC {codes['soc']} is not pt_soc_code "
                                          f"{pts[codes['pt']].primary_soc_code} of pt.asc")
            primary_line[codes["pt"]] = line
        paths.append(HierarchyPath(codes["pt"], codes["hlt"], codes["hlgt"], codes["soc"], primary))
    missing = sorted(set(pts) - set(primary_line))
    if missing:
        raise DictionaryFileError("mdhier.asc", 0, "primary_soc_fg", f"PT {missing[0]} has no primary path")
    return MeddraDictionary(version, language, socs, hlgts, hlts, pts, llts, tuple(paths), hlt_pt, hlgt_hlt, soc_hlgt)
