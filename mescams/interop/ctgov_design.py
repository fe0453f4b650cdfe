"""Design, periods, visits and products of a draft protocol, read from a ClinicalTrials.gov record.

Arms become treatments (a placebo/sham/suspension-media arm becomes PLACEBO); a two-arm crossover becomes the
AB/BA sequences with its switch week read from the arm texts; period assessment weeks are the week numbers the
outcome texts name; visit windows and the screening length are assumptions, reported as such.
"""

from __future__ import annotations

import itertools
import re
from typing import TYPE_CHECKING, Any

from mescams.interop.ctgov_periods import period_bounds, weeks_in
from mescams.interop.ctgov_products import products_from_record

if TYPE_CHECKING:
    from mescams.interop.ctgov_report import ImportReport

__all__ = ["design_from_record", "get", "week_numbers", "weeks_in", "years_in"]

TITLE = {
    "RANDOMIZED": "Randomized",
    "NON_RANDOMIZED": "Non-Randomized",
    "NA": "N/A",
    "CROSSOVER": "Crossover Assignment",
    "PARALLEL": "Parallel Assignment",
    "SINGLE_GROUP": "Single Group Assignment",
    "FACTORIAL": "Factorial Assignment",
    "SEQUENTIAL": "Sequential Assignment",
}
DEFAULT_WINDOW_DAYS = 7
DEFAULT_SCREENING_DAYS = 60


def get(doc: dict[str, Any], path: str, default: Any = None) -> Any:
    node: Any = doc
    for part in path.split("."):
        if not isinstance(node, dict) or part not in node:
            return default
        node = node[part]
    return node


def week_numbers(texts: list[str]) -> set[int]:
    """Every week number named in 'week 28, 36, 48' or '4, 12 and 24 weeks' phrases."""
    found: set[int] = set()
    for t in texts:
        for m in re.finditer(r"weeks?\s+((?:\d+\s*(?:,|and)?\s*)+)", t.lower()):
            found.update(int(x) for x in re.findall(r"\d+", m.group(1)))
        for m in re.finditer(r"((?:\d+\s*(?:,|and)\s*)+\d+)\s+weeks", t.lower()):
            found.update(int(x) for x in re.findall(r"\d+", m.group(1)))
    return found


def design_from_record(
    ps: dict[str, Any], rep: ImportReport
) -> tuple[dict[str, Any], list[dict[str, Any]], list[dict[str, Any]]]:
    info = get(ps, "designModule.designInfo", {})
    model = info.get("interventionModel", "SINGLE_GROUP")
    arms = get(ps, "armsInterventionsModule.armGroups", [])
    treatments: dict[str, str] = {}
    for arm in arms:
        code = re.sub(r"[^A-Za-z0-9]+", "_", arm.get("label", "ARM")).strip("_").upper()[:20]
        if "PLACEBO" in arm.get("type", "") or re.search(r"placebo|suspension media|sham", arm.get("label", ""), re.I):
            code = "PLACEBO"
        treatments[code] = arm.get("label", code)
    codes = list(treatments)
    if codes:
        rep.guessed.append(
            (
                "design.treatments",
                "the record gives no treatment codes; placeholders made from the arm labels: "
                + ", ".join(f"{c}={label!r}" for c, label in treatments.items()),
            )
        )
    texts = [a.get("description", "") for a in arms] + [
        o.get("description", "") + " " + o.get("timeFrame", "")
        for k in ("primaryOutcomes", "secondaryOutcomes")
        for o in get(ps, f"outcomesModule.{k}", [])
    ]
    named = week_numbers(texts)
    arm_texts = [a.get("description", "") for a in arms]
    frames = [
        o.get("timeFrame", "")
        for k in ("primaryOutcomes", "secondaryOutcomes")
        for o in get(ps, f"outcomesModule.{k}", [])
    ]
    crossover = model == "CROSSOVER" and len(codes) == 2
    bounds, source = period_bounds(crossover, arm_texts, frames, sorted(week_numbers(arm_texts)))
    if crossover:
        sequences = [
            {
                "code": f"{codes[0]}-{codes[1]}",
                "label": f"{treatments[codes[0]]}, then {treatments[codes[1]]}",
                "treatments": [codes[0], codes[1]],
            },
            {
                "code": f"{codes[1]}-{codes[0]}",
                "label": f"{treatments[codes[1]]}, then {treatments[codes[0]]}",
                "treatments": [codes[1], codes[0]],
            },
        ]
        rep.guessed.append(("design.sequences", "a two-arm crossover read as the AB/BA sequences of its arms"))
    else:
        sequences = [{"code": c, "label": treatments[c], "treatments": [c]} for c in codes]
    periods: list[dict[str, Any]] = []
    if bounds is None:
        rep.missing.append(("design.periods", f"period weeks unknown: {source}; write each period's weeks by hand"))
        for n in range(1, 3 if crossover else 2):
            periods.append(
                {"number": n, "name": f"Period {n}", "start_week": None, "end_week": None, "infusion_week": None,
                 "assessment_weeks": []}
            )  # fmt: skip
    else:
        spans = ", ".join(f"weeks {a}-{b}" for a, b in itertools.pairwise(bounds))
        rep.guessed.append(("design.periods", f"{spans}: {source}"))
        for n, (start, stop) in enumerate(itertools.pairwise(bounds), 1):
            weeks = sorted(w for w in named if start < w <= stop)
            if not weeks:
                rep.guessed.append(
                    (f"design.periods[{n - 1}].assessment_weeks", f"no visit weeks named; week {stop} used")
                )
            periods.append(
                {
                    "number": n,
                    "name": f"Period {n}",
                    "start_week": start,
                    "end_week": stop,
                    "infusion_week": start,
                    "assessment_weeks": weeks or [stop],
                }
            )
    epochs = [{"code": "SCREENING", "name": "Screening"}] + [
        {
            "code": f"PERIOD{p['number']}",
            "name": f"Treatment period {p['number']}"
            + (f" (weeks {p['start_week']}-{p['end_week']})" if p["end_week"] is not None else " (weeks unknown)"),
        }
        for p in periods
    ]
    masking = [w.lower() for w in get(info, "maskingInfo.whoMasked", [])]
    pop = get(ps, "eligibilityModule", {})
    design = {
        "study_type": str(get(ps, "designModule.studyType", "INTERVENTIONAL")).capitalize(),
        "allocation": TITLE.get(info.get("allocation", "NA"), "N/A"),
        "intervention_model": TITLE.get(model, model),
        "primary_purpose": str(info.get("primaryPurpose", "")).capitalize(),
        "masking": masking,
        "target_enrolment": get(ps, "designModule.enrollmentInfo.count"),
        "allocation_ratio": {s["code"]: 1 for s in sequences},
        "population": {
            "min_age_years": years_in(pop.get("minimumAge")),
            "max_age_years": years_in(pop.get("maximumAge")),
            "sexes": {"ALL": "All", "FEMALE": "Female", "MALE": "Male"}.get(pop.get("sex", "ALL"), "All"),
            "healthy_volunteers": bool(pop.get("healthyVolunteers", False)),
        },
        "treatments": treatments,
        "sequences": sequences,
        "periods": periods,
        "epochs": epochs,
        "arms": [
            {
                "label": f"{str(a.get('type', '')).replace('_', ' ').title()}: {a.get('label', '')}",
                "description": a.get("description", ""),
                "intervention": "; ".join(a.get("interventionNames", [])),
            }
            for a in arms
        ],
    }
    if len(sequences) > 1:
        rep.guessed.append(("design.allocation_ratio", "1:1... assumed; the record gives no ratio"))
    products = products_from_record(ps, treatments, rep)
    visits: list[dict[str, Any]] = [
        {
            "code": "SCR",
            "name": "Screening",
            "week": None,
            "epoch": "SCREENING",
            "window_before_days": DEFAULT_SCREENING_DAYS,
            "window_after_days": -1,
            "activities": ["consent", "eligibility", "demographics"],
        }
    ]
    for p in periods:
        if p["infusion_week"] is None:
            continue
        for w in sorted({p["infusion_week"], *p["assessment_weeks"]}):
            if any(v["week"] == w for v in visits):
                continue
            acts = ["assessment"] + (["infusion"] if w in {q["infusion_week"] for q in periods} else [])
            visits.append(
                {
                    "code": f"W{w}",
                    "name": f"Week {w}",
                    "week": w,
                    "epoch": f"PERIOD{p['number']}",
                    "period": p["number"],
                    "window_before_days": 0 if w == 0 else DEFAULT_WINDOW_DAYS,
                    "window_after_days": 0 if w == 0 else DEFAULT_WINDOW_DAYS,
                    "activities": acts,
                }
            )
    rep.guessed.append(
        (
            "visits",
            f"visits at the weeks named in the record; windows of +/-{DEFAULT_WINDOW_DAYS} days "
            f"and a {DEFAULT_SCREENING_DAYS}-day screening are assumptions; activities are placeholders",
        )
    )
    return design, products, visits


def years_in(text: str | None) -> int | None:
    if not text:
        return None
    m = re.match(r"(\d+)\s*(year|month|week)", text.lower())
    if not m:
        return None
    n = int(m.group(1))
    return n if m.group(2) == "year" else n // 12 if m.group(2) == "month" else n // 52
