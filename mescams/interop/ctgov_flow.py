"""Participant flow and baseline characteristics of a crossover trial, in ClinicalTrials.gov API v2 shapes.

Flow groups are the sequences; each protocol period is a flow period whose starters are the previous period's
completers; a participant who withdrew in a period (or was never infused) did not complete it, with the recorded
reason, in the registry's standard wording (:func:`withdrawal_label`). Counts are strings, as the API has them.

Race and ethnicity are reported in the NIH/OMB categories the registry asks for; the snapshot holds the CDISC
terms collected on the Demographics form (RACE, ETHNIC), and a participant for whom none was collected counts as
"Unknown or Not Reported".
"""

from __future__ import annotations

import statistics
from collections import Counter
from typing import Any

from mescams.core.protocol import Protocol
from mescams.interop.snapshot import Participant, TrialSnapshot

__all__ = [
    "ETHNICITY_CATEGORIES",
    "RACE_CATEGORIES",
    "baseline_module",
    "flow_module",
    "period_status",
    "withdrawal_label",
]

#: the registry's standard reasons for not completing a period, by the CDISC NCOMPLT term (or a synonym) they replace
WITHDRAWAL_LABELS = {
    "ADVERSE EVENT": "Adverse Event",
    "DEATH": "Death",
    "LACK OF EFFICACY": "Lack of Efficacy",
    "LOST TO FOLLOW-UP": "Lost to Follow-up",
    "LOST TO FOLLOW UP": "Lost to Follow-up",
    "PHYSICIAN DECISION": "Physician Decision",
    "PREGNANCY": "Pregnancy",
    "PROTOCOL VIOLATION": "Protocol Violation",
    "PROTOCOL DEVIATION": "Protocol Violation",
    "WITHDRAWAL BY SUBJECT": "Withdrawal by Subject",
    "WITHDREW CONSENT": "Withdrawal by Subject",
    "CONSENT WITHDRAWN": "Withdrawal by Subject",
    "WITHDRAWAL OF CONSENT": "Withdrawal by Subject",
}
UNKNOWN = "Unknown or Not Reported"
RACE_CATEGORIES = {
    "AMERICAN INDIAN OR ALASKA NATIVE": "American Indian or Alaska Native",
    "ASIAN": "Asian",
    "NATIVE HAWAIIAN OR OTHER PACIFIC ISLANDER": "Native Hawaiian or Other Pacific Islander",
    "BLACK OR AFRICAN AMERICAN": "Black or African American",
    "WHITE": "White",
    "MULTIPLE": "More than one race",
}
ETHNICITY_CATEGORIES = {"HISPANIC OR LATINO": "Hispanic or Latino", "NOT HISPANIC OR LATINO": "Not Hispanic or Latino"}


def withdrawal_label(reason: str | None) -> str:
    """The registry's label for a recorded reason: its standard wording when there is one, else the reason itself
    in sentence case (the registry's "Other" with the reason given)."""
    text = " ".join((reason or "").split())
    if not text:
        return "Reason not recorded"
    return WITHDRAWAL_LABELS.get(text.upper(), text[:1].upper() + text[1:].lower())


def period_status(protocol: Protocol, snapshot: TrialSnapshot, p: Participant) -> list[tuple[bool, bool, str | None]]:
    """For each period: (started, completed, reason for not completing)."""
    infused = {protocol.visit(i.visit_code).week for i in snapshot.infusions if i.participant_id == p.participant_id}
    out: list[tuple[bool, bool, str | None]] = []
    started = True
    for period in protocol.design.periods:
        if not started:
            out.append((False, False, None))
            continue
        if period.infusion_week not in infused:
            withdrawn = p.disposition.status == "WITHDRAWN"
            out.append((True, False, withdrawal_label(p.disposition.reason) if withdrawn else "Not infused"))
            started = False
            continue
        d = p.disposition
        if d.status == "WITHDRAWN" and (d.period or period.number) == period.number:
            out.append((True, False, withdrawal_label(d.reason)))
            started = False
        elif d.status == "ONGOING" and period.number == len(protocol.design.periods):
            out.append((True, False, "Ongoing at data cut-off"))
        else:
            out.append((True, True, None))
    return out


def _groups(protocol: Protocol, prefix: str) -> list[dict[str, str]]:
    return [
        {"id": f"{prefix}{i:03d}", "title": s.code, "description": s.label}
        for i, s in enumerate(protocol.design.sequences)
    ]


def flow_module(protocol: Protocol, snapshot: TrialSnapshot) -> dict[str, Any]:
    groups = _groups(protocol, "FG")
    by_seq = {s.code: [p for p in snapshot.randomised if p.sequence == s.code] for s in protocol.design.sequences}
    status = {p.participant_id: period_status(protocol, snapshot, p) for p in snapshot.randomised}
    periods = []
    for k, period in enumerate(protocol.design.periods):
        started, completed, reasons = {}, {}, {}
        for g, seq in zip(groups, by_seq, strict=True):
            rows = [status[p.participant_id][k] for p in by_seq[seq]]
            started[g["id"]] = sum(r[0] for r in rows)
            completed[g["id"]] = sum(r[1] for r in rows)
            reasons[g["id"]] = Counter(r[2] for r in rows if r[0] and not r[1])
        all_reasons = sorted({r for c in reasons.values() for r in c if r})

        def stats(counts: dict[str, int]) -> list[dict[str, str]]:
            return [{"groupId": gid, "numSubjects": str(n)} for gid, n in counts.items()]

        periods.append(
            {
                "title": f"{period.name} (weeks {period.start_week}-{period.end_week})",
                "milestones": [
                    {"type": "STARTED", "achievements": stats(started)},
                    {"type": "COMPLETED", "achievements": stats(completed)},
                    {"type": "NOT COMPLETED", "achievements": stats({g: started[g] - completed[g] for g in started})},
                ],
                "dropWithdraws": [
                    {"type": reason, "reasons": stats({g: reasons[g][reason] for g in reasons})}
                    for reason in all_reasons
                ],
            }
        )
    return {
        "recruitmentDetails": f"{len(snapshot.participants)} people screened at "
        f"{len(protocol.identification.sites)} sites; {len(snapshot.randomised)} randomised.",
        "groups": groups,
        "periods": periods,
    }


def _fmt(x: float) -> str:
    return f"{x:.1f}"


def baseline_module(protocol: Protocol, snapshot: TrialSnapshot) -> dict[str, Any]:
    groups = [
        *_groups(protocol, "BG"),
        {
            "id": f"BG{len(protocol.design.sequences):03d}",
            "title": "Total",
            "description": "All randomised participants",
        },
    ]
    members = {g["id"]: [p for p in snapshot.randomised if p.sequence == g["title"]] for g in groups[:-1]}
    members[groups[-1]["id"]] = list(snapshot.randomised)
    denoms = [{"units": "Participants", "counts": [{"groupId": g, "value": str(len(m))} for g, m in members.items()]}]
    countries = {s.code: s.country for s in protocol.identification.sites}

    def continuous(title: str, unit: str, values: dict[str, list[float]]) -> dict[str, Any]:
        meas = [
            {"groupId": g, "value": _fmt(statistics.mean(v)), "spread": _fmt(statistics.stdev(v))}
            for g, v in values.items()
            if len(v) >= 2
        ]
        return {
            "title": title,
            "paramType": "MEAN",
            "dispersionType": "STANDARD_DEVIATION",
            "unitOfMeasure": unit,
            "classes": [{"categories": [{"measurements": meas}]}],
        }

    def categorical(title: str, key: Any, levels: list[str]) -> dict[str, Any]:
        cats = [
            {
                "title": level,
                "measurements": [
                    {"groupId": g, "value": str(sum(1 for p in m if key(p) == level))} for g, m in members.items()
                ],
            }
            for level in levels
        ]
        return {
            "title": title,
            "paramType": "COUNT_OF_PARTICIPANTS",
            "unitOfMeasure": "Participants",
            "classes": [{"categories": cats}],
        }

    edss = {g: [p.baseline_edss for p in m if p.baseline_edss is not None] for g, m in members.items()}
    return {
        "populationDescription": "All randomised participants.",
        "groups": groups,
        "denoms": denoms,
        "measures": [
            continuous("Age, Continuous", "years", {g: [p.age_at_consent for p in m] for g, m in members.items()}),
            categorical("Sex: Female, Male", lambda p: {"F": "Female", "M": "Male"}[p.sex], ["Female", "Male"]),
            categorical(
                "Race (NIH/OMB)",
                lambda p: RACE_CATEGORIES.get((p.race or "").upper(), UNKNOWN),
                [*RACE_CATEGORIES.values(), UNKNOWN],
            ),
            categorical(
                "Ethnicity (NIH/OMB)",
                lambda p: ETHNICITY_CATEGORIES.get((p.ethnicity or "").upper(), UNKNOWN),
                [*ETHNICITY_CATEGORIES.values(), UNKNOWN],
            ),
            categorical("MS course", lambda p: p.ms_course, ["RRMS", "SPMS", "PPMS"]),
            {
                "title": "Baseline EDSS",
                "paramType": "MEDIAN",
                "dispersionType": "FULL_RANGE",
                "unitOfMeasure": "score on a scale (0-10)",
                "classes": [
                    {
                        "categories": [
                            {
                                "measurements": [
                                    {
                                        "groupId": g,
                                        "value": _fmt(statistics.median(v)),
                                        "lowerLimit": _fmt(min(v)),
                                        "upperLimit": _fmt(max(v)),
                                    }
                                    for g, v in edss.items()
                                    if v
                                ]
                            }
                        ]
                    }
                ],
            },
            continuous(
                "Weight at randomisation",
                "kg",
                {g: [p.weight_kg for p in m if p.weight_kg is not None] for g, m in members.items()},
            ),
            categorical("Region of Enrollment", lambda p: countries[p.site], sorted(set(countries.values()))),
        ],
    }
