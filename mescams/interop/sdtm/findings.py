"""Findings domains: IE (criteria not met), VS, LB, QS (EDSS and Kurtzke functional systems) and NV (MRI).

Choices (docs/sdtm.md): following the CDISC Multiple Sclerosis therapeutic area user guide as used in the MSOAC
placebo database, the EDSS step is a QS record with QSCAT 'EDSS' (test code EDSS0101 of the CDISC EDSS01
instrument) and each functional system score a QS record with QSCAT 'KFSS' (KFSS1 instrument). MRI lesion
results are Nervous System Findings (NV, SDTMIG 3.3+, the successor of the Morphology domain the guide used),
NVMETHOD 'MRI', NVLOC 'BRAIN', with sponsor test codes for the counts and volumes the protocol measures.
"""

from __future__ import annotations

from mescams.interop.dataset import Cell, Dataset
from mescams.interop.sdtm.context import SubjectContext, number_seq
from mescams.interop.sdtm.spec import spec
from mescams.interop.sdtm.trial_design import MAX_TEXT, _ascii, _short

__all__ = ["EDSS_TEST", "KFSS_TESTS", "MRI_TESTS", "build_ie", "build_lb", "build_nv", "build_qs", "build_vs"]

EDSS_TEST = ("EDSS0101", "EDSS01-Expanded Disability Score")  # CDISC CT codelist EDSS01TC
#: sponsor-defined: the Neurostatus ambulation score is not an item of the CDISC EDSS01 instrument
AMBULATION_TEST = ("AMBUL01", "Neurostatus Ambulation Score")
KFSS_TESTS = {  # our functional system -> (QSTESTCD, QSTEST) of CDISC CT codelist KFSS1TC
    "pyramidal": ("KFSS101", "KFSS1-Pyramidal Functions"),
    "cerebellar": ("KFSS102", "KFSS1-Cerebellar Functions"),
    "brainstem": ("KFSS103", "KFSS1-Brain Stem Functions"),
    "sensory": ("KFSS104", "KFSS1-Sensory Functions"),
    "bowel_bladder": ("KFSS105", "KFSS1-Bowel and Bladder Functions"),
    "visual": ("KFSS106", "KFSS1-Visual or Optic Functions"),
    "cerebral": ("KFSS107", "KFSS1-Cerebral or Mental Functions"),
}
MRI_TESTS = {  # snapshot field -> (NVTESTCD, NVTEST, unit)
    "gel_count": ("GDLESNUM", "Number of Gd-Enhancing Lesions", None),
    "new_enlarging_t2_count": ("NT2LSNUM", "Number of New or Enlarging T2 Lesions", None),
    "cua_count": ("CUALSNUM", "Number of Combined Unique Active Lesions", None),
    "gel_volume_mm3": ("GDLESVOL", "Volume of Gd-Enhancing Lesions", "mm3"),
    "black_hole_volume_mm3": ("BHLESVOL", "Volume of T1 Hypointense Lesions", "mm3"),
}


def _num_text(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:g}"


def _result(d: str, value: float | None, unit: str | None) -> dict[str, Cell]:
    text = None if value is None else _num_text(value)
    return {
        f"{d}ORRES": text,
        f"{d}ORRESU": unit if text else None,
        f"{d}STRESC": text,
        f"{d}STRESN": None if value is None else float(value),
        f"{d}STRESU": unit if text else None,
    }


def build_ie(ctx: SubjectContext) -> Dataset:
    texts = {c.id: _short(_ascii(c.text), MAX_TEXT) for c in ctx.protocol.eligibility.criteria}
    rows: list[dict[str, Cell]] = []
    screening = next(v.code for v in ctx.protocol.visits if v.week is None)
    for e in ctx.snapshot.eligibility:
        inclusion = e.criterion_id.startswith("I")
        not_met = (inclusion and e.met is False) or (not inclusion and e.met is True)
        if not not_met:
            continue
        answer = "N" if inclusion else "Y"
        rows.append(
            {
                **ctx.base("IE", e.participant_id),
                "IETESTCD": e.criterion_id,
                "IETEST": texts[e.criterion_id],
                "IECAT": "INCLUSION" if inclusion else "EXCLUSION",
                "IEORRES": answer,
                "IESTRESC": answer,
                **ctx.visit_fields("IE", e.participant_id, screening, e.assessed_on),
            }
        )
    return Dataset.build(spec("IE"), number_seq("IE", rows, "IEDTC", "IETESTCD"))


def build_vs(ctx: SubjectContext) -> Dataset:
    rows = [
        {
            **ctx.base("VS", v.participant_id),
            "VSTESTCD": v.test_code,
            "VSTEST": v.test_name,
            "VSCAT": None,
            **_result("VS", v.value, v.unit),
            **ctx.visit_fields("VS", v.participant_id, v.visit_code, v.date),
        }
        for v in ctx.snapshot.vitals
    ]
    return Dataset.build(spec("VS"), number_seq("VS", rows, "VSDTC", "VISITNUM", "VSTESTCD"))


def build_lb(ctx: SubjectContext) -> Dataset:
    rows: list[dict[str, Cell]] = []
    for r in ctx.snapshot.labs:
        ind = None
        if r.low is not None and r.value < r.low:
            ind = "LOW"
        elif r.high is not None and r.value > r.high:
            ind = "HIGH"
        elif r.low is not None or r.high is not None:
            ind = "NORMAL"
        rows.append(
            {
                **ctx.base("LB", r.participant_id),
                "LBTESTCD": r.test_code,
                "LBTEST": r.test_name,
                "LBCAT": r.category,
                **_result("LB", r.value, r.unit),
                "LBORNRLO": None if r.low is None else _num_text(r.low),
                "LBORNRHI": None if r.high is None else _num_text(r.high),
                "LBNRIND": ind,
                **ctx.visit_fields("LB", r.participant_id, r.visit_code, r.date),
            }
        )
    return Dataset.build(spec("LB"), number_seq("LB", rows, "LBDTC", "VISITNUM", "LBTESTCD"))


def build_qs(ctx: SubjectContext) -> Dataset:
    rows: list[dict[str, Cell]] = []
    for a in ctx.snapshot.edss:
        timing = ctx.visit_fields("QS", a.participant_id, a.visit_code, a.date)
        base = ctx.base("QS", a.participant_id)
        rows.append(
            {
                **base,
                "QSTESTCD": EDSS_TEST[0],
                "QSTEST": EDSS_TEST[1],
                "QSCAT": "EDSS",
                **_result("QS", a.score, None),
                **timing,
            }
        )
        if a.ambulation is not None:
            rows.append(
                {
                    **base,
                    "QSTESTCD": AMBULATION_TEST[0],
                    "QSTEST": AMBULATION_TEST[1],
                    "QSCAT": "EDSS",
                    **_result("QS", a.ambulation, None),
                    **timing,
                }
            )
        for fs, (code, name) in KFSS_TESTS.items():
            if fs in a.fs_scores:
                rows.append(
                    {
                        **base,
                        "QSTESTCD": code,
                        "QSTEST": name,
                        "QSCAT": "KFSS",
                        **_result("QS", a.fs_scores[fs], None),
                        **timing,
                    }
                )
    return Dataset.build(spec("QS"), number_seq("QS", rows, "QSDTC", "VISITNUM", "QSCAT", "QSTESTCD"))


def build_nv(ctx: SubjectContext) -> Dataset:
    rows: list[dict[str, Cell]] = []
    for m in ctx.snapshot.mri:
        timing = ctx.visit_fields("NV", m.participant_id, m.visit_code, m.scan_date)
        for fieldname, (code, name, unit) in MRI_TESTS.items():
            value = getattr(m, fieldname)
            if value is None:
                continue
            rows.append(
                {
                    **ctx.base("NV", m.participant_id),
                    "NVTESTCD": code,
                    "NVTEST": name,
                    "NVCAT": "MRI LESIONS",
                    **_result("NV", value, unit),
                    "NVREFID": m.scan_id,
                    "NVLOC": "BRAIN",
                    "NVMETHOD": "MRI",
                    **timing,
                }
            )
    return Dataset.build(spec("NV"), number_seq("NV", rows, "NVDTC", "VISITNUM", "NVTESTCD"))
