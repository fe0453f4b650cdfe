"""Our own checks of the ADaM datasets, reported like the SDTM ones (:mod:`mescams.interop.conformance`).

Each rule is a finding of issue 17 turned into a check that runs on every export: COMPLFL is 'Y' or 'N' for every
subject who left the study (MX1001); ADSL.TRTSEQA agrees with DM's actual arm (MX1002); a numeric date carries
the DATE9. display format (MX1003); and every derived variable has a method (MX0201).
"""

from __future__ import annotations

from collections.abc import Iterable

from mescams.interop.conformance import Issue, check_methods
from mescams.interop.dataset import Dataset

__all__ = ["check_adam"]

DATE_SUFFIXES = ("DT",)


def _check_complfl(adsl: Dataset) -> Iterable[Issue]:
    for i, r in enumerate(adsl.rows, start=1):
        if r["EOSSTT"] in ("COMPLETED", "DISCONTINUED") and r["COMPLFL"] not in ("Y", "N"):
            yield Issue(
                "MX1001", "error", "ADSL", "COMPLFL", i, f"COMPLFL is {r['COMPLFL']!r} for EOSSTT {r['EOSSTT']}"
            )
        if r["EOSSTT"] == "DISCONTINUED" and r["COMPLFL"] == "Y":
            yield Issue("MX1001", "error", "ADSL", "COMPLFL", i, "COMPLFL is 'Y' for a discontinued subject")


def _check_actual_sequence(adsl: Dataset, dm: Dataset, sequence_of_arm: dict[str, str]) -> Iterable[Issue]:
    arm = {r["USUBJID"]: r["ACTARMCD"] for r in dm.rows}
    for i, r in enumerate(adsl.rows, start=1):
        actarmcd = arm.get(r["USUBJID"])
        expected = sequence_of_arm.get(str(actarmcd)) if actarmcd is not None else None
        if expected is not None and r["TRTSEQA"] != expected:
            yield Issue(
                "MX1002", "error", "ADSL", "TRTSEQA", i,
                f"TRTSEQA {r['TRTSEQA']!r} disagrees with DM.ACTARMCD {actarmcd!r} (sequence {expected!r})",
            )  # fmt: skip


def _check_date_formats(ds: Dataset) -> Iterable[Issue]:
    for v in ds.variables:
        if v.type == "Num" and v.name.endswith(DATE_SUFFIXES) and not v.is_sas_date:
            yield Issue("MX1003", "error", ds.name, v.name, None, "numeric date without the DATE9. display format")


def check_adam(
    adam: Iterable[Dataset], sdtm: Iterable[Dataset] = (), sequence_of_arm: dict[str, str] | None = None
) -> list[Issue]:
    """Every issue in a set of ADaM datasets; with DM among ``sdtm`` and ``sequence_of_arm`` (ARMCD -> sequence
    code), TRTSEQA is checked against DM's actual arm."""
    by_name = {d.name: d for d in adam}
    dm = next((d for d in sdtm if d.name == "DM"), None)
    issues: list[Issue] = []
    for ds in by_name.values():
        issues += check_methods(ds)
        issues += _check_date_formats(ds)
    adsl = by_name.get("ADSL")
    if adsl is not None:
        issues += _check_complfl(adsl)
        if dm is not None and sequence_of_arm:
            issues += _check_actual_sequence(adsl, dm, sequence_of_arm)
    return issues
