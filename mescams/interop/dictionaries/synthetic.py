"""Small synthetic dictionaries in exactly the MedDRA ASCII and WHODrug B3 formats, for tests and the demo.

NOT MedDRA and NOT WHODrug: every code is invented (MedDRA-like codes from 90000000, drug record numbers from
900000), the release is named ``SYNTHETIC`` and each directory carries a README saying so. The terms cover the
demo's adverse-event verbatims (the simulation's ``adverse_events.terms`` and the export demo's ``AE_TERMS``) and
concomitant medications, the screening history's multiple sclerosis, migraine, asthma and most of the demo's prior
disease-modifying therapies, with a few extra terms the tests need: a PT under two SOCs (primary and secondary path),
a non-current LLT, British and American spellings, and a trade name.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

__all__ = ["SYNTHETIC_MEDDRA_VERSION", "SYNTHETIC_WHODRUG_VERSION", "write_synthetic_meddra", "write_synthetic_whodrug"]

SYNTHETIC_MEDDRA_VERSION = "SYNTHETIC 1.0"
SYNTHETIC_WHODRUG_VERSION = "SYNTHETIC WHODRUG-FORMAT B3 (not WHODrug) SYNTHETICB3"
_LABEL = ("This directory is a SYNTHETIC dictionary written by mescams for tests and the demo. It is NOT {what}: "
          "every code is invented and the terms are a handful chosen for the demo. Load your licensed {what} "
          "release for a real trial.\n")

# SOC code: (name, abbreviation)
_SOCS = {
    90100001: ("Infections and infestations", "Infec"),
    90100002: ("Nervous system disorders", "Nerv"),
    90100003: ("Gastrointestinal disorders", "Gastr"),
    90100004: ("General disorders and administration site conditions", "Genrl"),
    90100005: ("Musculoskeletal and connective tissue disorders", "Musc"),
    90100006: ("Psychiatric disorders", "Psych"),
    90100007: ("Vascular disorders", "Vasc"),
    90100008: ("Renal and urinary disorders", "Renal"),
    90100009: ("Respiratory, thoracic and mediastinal disorders", "Resp"),
}
# PT: (name, [(SOC, HLGT name, HLT name)] primary path first, [(LLT code offset, LLT name, current)])
_PTS: dict[int, tuple[str, list[tuple[int, str, str]], list[tuple[int, str, bool]]]] = {
    90000001: ("Upper respiratory tract infection", [(90100001, "Infections - pathogen unspecified",
                                                      "Upper respiratory tract infections")],
               [(1, "URTI", True)]),
    90000002: ("Urinary tract infection", [(90100001, "Infections - pathogen unspecified",
                                            "Urinary tract infections"),
                                           (90100008, "Urinary tract signs and symptoms",
                                            "Urinary tract infections NEC")],
               [(1, "UTI", True)]),
    90000003: ("Headache", [(90100002, "Headaches", "Headaches NEC")], [(1, "Head ache", False)]),
    90000004: ("Fatigue", [(90100004, "General system disorders NEC", "Asthenic conditions")],
               [(1, "Tiredness", True)]),
    90000005: ("Back pain", [(90100005, "Musculoskeletal and connective tissue disorders NEC",
                              "Musculoskeletal and connective tissue pain and discomfort")], []),
    90000006: ("Nasopharyngitis", [(90100001, "Infections - pathogen unspecified",
                                    "Upper respiratory tract infections")], [(1, "Common cold", True)]),
    90000007: ("Arthralgia", [(90100005, "Joint disorders", "Joint related signs and symptoms")],
               [(1, "Joint pain", True)]),
    90000008: ("Depression", [(90100006, "Depressed mood disorders and disturbances", "Depressive disorders")], []),
    90000009: ("Insomnia", [(90100006, "Sleep disorders and disturbances", "Disturbances in initiating and "
                                                                           "maintaining sleep")], []),
    90000010: ("Diarrhoea", [(90100003, "Gastrointestinal motility and defaecation conditions",
                              "Diarrhoea (excl infective)")], []),
    90000011: ("Nausea", [(90100003, "Gastrointestinal signs and symptoms", "Nausea and vomiting symptoms")],
               [(1, "Feeling sick", True)]),
    90000012: ("Dysgeusia", [(90100002, "Neurological disorders NEC", "Disturbances in taste")],
               [(1, "Taste altered", True)]),
    90000013: ("Flushing", [(90100007, "Vascular disorders NEC", "Peripheral vascular disorders NEC")], []),
    90000014: ("Infusion site reaction", [(90100004, "Administration site reactions", "Infusion site reactions")],
               []),
    90000015: ("Malaise", [(90100004, "General system disorders NEC", "Asthenic conditions")],
               [(1, "Feeling unwell", True), (2, "Feeling queer", False)]),
    90000016: ("Infusion related reaction", [(90100004, "Administration site reactions",
                                              "Infusion related reactions")], [(1, "Infusion reaction", True)]),
    90000017: ("Dizziness", [(90100002, "Neurological disorders NEC", "Neurological signs and symptoms NEC")],
               [(1, "Dizzy", True)]),
    # medical history at screening: the primary diagnosis and a condition of the registry's history
    90000018: ("Multiple sclerosis", [(90100002, "Demyelinating disorders",
                                       "Multiple sclerosis acute and progressive")],
               [(1, "Disseminated sclerosis", True)]),
    90000019: ("Migraine", [(90100002, "Headaches", "Migraine headaches")], []),
    90000020: ("Asthma", [(90100009, "Bronchial disorders (excl neoplasms)", "Bronchospasm and obstruction")],
               [(1, "Bronchial asthma", True)]),
}

# drug record number: (preferred name, ATC level-4 code, trade names)
_DRUGS = {
    "900001": ("METHYLPREDNISOLONE", "H02AB", ["SYNTHOMEDROL"]),
    "900002": ("PARACETAMOL", "N02BE", ["SYNTHADOL"]),
    "900003": ("IBUPROFEN", "M01AE", []),
    # prior disease-modifying therapies (the screening record's therapies)
    "900004": ("INTERFERON BETA", "L03AB", ["SYNTHAVONEX"]),
    "900005": ("GLATIRAMER ACETATE", "L03AX", []),
    # more of the demo's prior therapies (teriflunomide is left out on purpose: the tests' unmatched therapy)
    "900006": ("DIMETHYL FUMARATE", "L04AX", []),
    "900007": ("FINGOLIMOD", "L04AA", []),
    "900008": ("NATALIZUMAB", "L04AA", []),
    "900009": ("ALEMTUZUMAB", "L04AA", []),
    "900010": ("MITOXANTRONE", "L01DB", []),
    "900011": ("PREDNISONE", "H02AB", []),
}
_ATC_TEXTS = {
    "H": "SYSTEMIC HORMONAL PREPARATIONS, EXCL. SEX HORMONES AND INSULINS", "H02": "CORTICOSTEROIDS FOR SYSTEMIC USE",
    "H02A": "CORTICOSTEROIDS FOR SYSTEMIC USE, PLAIN", "H02AB": "GLUCOCORTICOIDS",
    "N": "NERVOUS SYSTEM", "N02": "ANALGESICS", "N02B": "OTHER ANALGESICS AND ANTIPYRETICS", "N02BE": "ANILIDES",
    "M": "MUSCULO-SKELETAL SYSTEM", "M01": "ANTIINFLAMMATORY AND ANTIRHEUMATIC PRODUCTS",
    "M01A": "ANTIINFLAMMATORY AND ANTIRHEUMATIC PRODUCTS, NON-STEROIDS", "M01AE": "PROPIONIC ACID DERIVATIVES",
    "L": "ANTINEOPLASTIC AND IMMUNOMODULATING AGENTS", "L03": "IMMUNOSTIMULANTS", "L03A": "IMMUNOSTIMULANTS",
    "L03AB": "INTERFERONS", "L03AX": "OTHER IMMUNOSTIMULANTS", "L04": "IMMUNOSUPPRESSANTS",
    "L04A": "IMMUNOSUPPRESSANTS", "L04AA": "SELECTIVE IMMUNOSUPPRESSANTS", "L04AX": "OTHER IMMUNOSUPPRESSANTS",
    "L01": "ANTINEOPLASTIC AGENTS", "L01D": "CYTOTOXIC ANTIBIOTICS AND RELATED SUBSTANCES",
    "L01DB": "ANTHRACYCLINES AND RELATED SUBSTANCES",
}


@dataclass
class _Codes:
    """Invented HLGT and HLT codes, one per distinct name, in order of first use."""

    hlgt: dict[str, int]
    hlt: dict[str, int]

    def of(self, table: dict[str, int], name: str, base: int) -> int:
        return table.setdefault(name, base + len(table) + 1)


def _write(path: Path, rows: list[list[str]]) -> None:
    """MSSO style: fields '$'-terminated, CRLF line ends."""
    path.write_bytes("".join("$".join(r) + "$\r\n" for r in rows).encode("utf-8"))


def write_synthetic_meddra(directory: Path | str, *, version: str = SYNTHETIC_MEDDRA_VERSION,
                           retired: frozenset[str] = frozenset()) -> Path:
    """Write the synthetic MedDRA-format release into ``directory`` (created); ``retired`` names LLTs that are
    not current in this release (for a version upgrade). Returns the directory."""
    out = Path(directory)
    out.mkdir(parents=True, exist_ok=True)
    codes = _Codes({}, {})
    legacy7 = [""] * 7
    llt, pt, hlt_pt, hlgt_hlt, soc_hlgt, mdhier = [], [], set(), set(), set(), []
    for pt_code, (pt_name, paths, extra) in _PTS.items():
        primary_soc = paths[0][0]
        pt.append([str(pt_code), pt_name, "", str(primary_soc), *legacy7])
        for offset, name, current in [(0, pt_name, True), *extra]:
            current = current and name not in retired
            llt.append([str(pt_code + 5000 * offset) if offset else str(pt_code), name, str(pt_code),
                        *[""] * 6, "Y" if current else "N", ""])
        for n, (soc, hlgt_name, hlt_name) in enumerate(paths):
            hlgt = codes.of(codes.hlgt, hlgt_name, 90300000)
            hlt = codes.of(codes.hlt, hlt_name, 90200000)
            hlt_pt.add((hlt, pt_code))
            hlgt_hlt.add((hlgt, hlt))
            soc_hlgt.add((soc, hlgt))
            mdhier.append([str(pt_code), str(hlt), str(hlgt), str(soc), pt_name, hlt_name, hlgt_name, _SOCS[soc][0],
                           _SOCS[soc][1], "", str(primary_soc), "Y" if n == 0 else "N"])
    _write(out / "llt.asc", llt)
    _write(out / "pt.asc", pt)
    _write(out / "hlt.asc", [[str(c), name, *legacy7] for name, c in codes.hlt.items()])
    _write(out / "hlgt.asc", [[str(c), name, *legacy7] for name, c in codes.hlgt.items()])
    _write(out / "soc.asc", [[str(c), name, abbrev, *legacy7] for c, (name, abbrev) in _SOCS.items()])
    _write(out / "hlt_pt.asc", [[str(a), str(b)] for a, b in sorted(hlt_pt)])
    _write(out / "hlgt_hlt.asc", [[str(a), str(b)] for a, b in sorted(hlgt_hlt)])
    _write(out / "soc_hlgt.asc", [[str(a), str(b)] for a, b in sorted(soc_hlgt)])
    _write(out / "mdhier.asc", mdhier)
    _write(out / "meddra_release.asc", [[version, "English", "", "", ""]])
    (out / "README-NOT-MEDDRA.txt").write_text(_LABEL.format(what="MedDRA"), encoding="utf-8")
    return out


def _dd_line(code: str, designation: str, name: str) -> str:
    # record number, Seq1, Seq2 (11), check digit, designation, source year, source code (4), company code (5),
    # number of ingredients, salt/ester code, year quarter, drug name
    return f"{code}0{designation}15SYN SYNTH01 151{name}"


def write_synthetic_whodrug(directory: Path | str, *, version: str = SYNTHETIC_WHODRUG_VERSION) -> Path:
    """Write the synthetic WHODrug-B3-format release (DD.txt, DDA.txt, INA.txt, version.txt) into ``directory``."""
    out = Path(directory)
    out.mkdir(parents=True, exist_ok=True)
    dd, dda = [], []
    for record, (name, atc, trade_names) in _DRUGS.items():
        dd.append(_dd_line(f"{record}01001", "N", name))
        dda.append(f"{record}010010{atc:<7}151*")
        for n, trade in enumerate(trade_names, start=2):
            dd.append(_dd_line(f"{record}01{n:03d}", "T", trade))
    ina = [f"{code:<7}{ {1: 1, 3: 2, 4: 3, 5: 4}[len(code)]}{text}" for code, text in _ATC_TEXTS.items()]
    for name, lines in (("DD.txt", dd), ("DDA.txt", dda), ("INA.txt", ina), ("version.txt", [version])):
        (out / name).write_bytes("".join(line + "\r\n" for line in lines).encode("utf-8"))
    (out / "README-NOT-WHODRUG.txt").write_text(_LABEL.format(what="WHODrug"), encoding="utf-8")
    return out
