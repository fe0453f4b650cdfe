"""Subject tables: disposition (14.1.1), demographics and baseline characteristics (14.1.2), exposure (14.1.3).

Columns are the randomised sequences and the total (disposition, demographics) or the treatments received
(exposure): these are tables by arm, unblinded outputs that only roles allowed ``Reveal.ARM_SUMMARIES`` receive.
Missing values are counted in their own row, never dropped from a denominator.
"""

from __future__ import annotations

import statistics
from collections import Counter
from collections.abc import Callable, Sequence

from mescams.core.protocol import Protocol
from mescams.interop.ctgov_flow import ETHNICITY_CATEGORIES, RACE_CATEGORIES, withdrawal_label
from mescams.interop.ctgov_measures import treatments
from mescams.interop.snapshot import Participant, TrialSnapshot
from mescams.interop.tlf.model import Output, n_pct

__all__ = ["demographics_table", "disposition_table", "exposure_table"]

NOT_COLLECTED = "Not collected"


def _term(value: str | None, labels: dict[str, str]) -> str:
    """A collected CDISC term as people write it ('BLACK OR AFRICAN AMERICAN' -> 'Black or African American')."""
    if not value:
        return NOT_COLLECTED
    return labels.get(value.upper(), value[:1].upper() + value[1:].lower())


def _groups(protocol: Protocol, snapshot: TrialSnapshot) -> list[tuple[str, list[Participant]]]:
    randomized = list(snapshot.randomized)
    by_sequence = [(s.code, [p for p in randomized if p.sequence == s.code]) for s in protocol.design.sequences]
    return [*by_sequence, ("Total", randomized)]


def _header(groups: list[tuple[str, list[Participant]]]) -> tuple[str, ...]:
    return ("", *(f"{name} (N={len(people)})" for name, people in groups))


def disposition_table(protocol: Protocol, snapshot: TrialSnapshot) -> Output:
    groups = _groups(protocol, snapshot)
    weeks = [p.infusion_week for p in protocol.design.periods]
    infused = {(i.participant_id, protocol.visit(i.visit_code).week) for i in snapshot.infusions}
    failures = sum(p.disposition.status == "SCREEN FAILURE" for p in snapshot.participants)
    blank = ("",) * (len(groups) - 1)
    rows: list[tuple[str, ...]] = [
        ("Screened", *blank, str(len(snapshot.participants))),
        ("Screen failures", *blank, str(failures)),
        ("Randomised", *(str(len(people)) for _, people in groups)),
    ]

    def count(label: str, test: Callable[[Participant], bool]) -> tuple[str, ...]:
        return (label, *(n_pct(sum(1 for p in people if test(p)), len(people)) for _, people in groups))

    def infused_at(week: int | None) -> Callable[[Participant], bool]:
        return lambda p: (p.participant_id, week) in infused

    def withdrawn_for(reason: str) -> Callable[[Participant], bool]:
        return lambda p: p.disposition.status == "WITHDRAWN" and withdrawal_label(p.disposition.reason) == reason

    for n, week in enumerate(weeks, 1):
        rows.append(count(f"Received infusion {n} (week {week})", infused_at(week)))
    rows.append(count("Completed the study", lambda p: p.disposition.status == "COMPLETED"))
    rows.append(count("Ongoing at the data cut-off", lambda p: p.disposition.status == "ONGOING"))
    rows.append(count("Withdrawn", lambda p: p.disposition.status == "WITHDRAWN"))
    reasons = sorted({withdrawal_label(p.disposition.reason) for p in snapshot.randomized
                      if p.disposition.status == "WITHDRAWN"})  # fmt: skip
    for reason in reasons:
        rows.append(count(f"  {reason}", withdrawn_for(reason)))
    return Output(
        "Table",
        "14.1.1",
        "Disposition of participants",
        "All screened participants",
        _header(groups),
        tuple(rows),
        (
            "n (%): percentages of the participants randomised to the sequence.",
            "Withdrawal reasons in the wording of the ClinicalTrials.gov participant flow.",
            f"Data as of {snapshot.as_of:%Y-%m-%d}.",
        ),
    )


def _mean_sd(values: Sequence[float]) -> str:
    if not values:
        return "-"
    sd = f"{statistics.stdev(values):.1f}" if len(values) > 1 else "-"
    return f"{statistics.mean(values):.1f} ({sd})"


def _median_range(values: Sequence[float]) -> str:
    return f"{statistics.median(values):.1f} ({min(values):.1f}-{max(values):.1f})" if values else "-"


def demographics_table(protocol: Protocol, snapshot: TrialSnapshot) -> Output:
    groups = _groups(protocol, snapshot)
    rows: list[tuple[str, ...]] = []

    def numeric(
        label: str, value: Callable[[Participant], float | None], fmt: Callable[[Sequence[float]], str]
    ) -> None:
        rows.append((label, *(fmt([v for p in people if (v := value(p)) is not None]) for _, people in groups)))
        missing = [sum(1 for p in people if value(p) is None) for _, people in groups]
        if any(missing):
            rows.append(("  Not recorded, n", *map(str, missing)))

    def categorical(label: str, value: Callable[[Participant], str], levels: Sequence[str] = ()) -> None:
        seen = Counter(value(p) for _, people in groups for p in people)
        rows.append((f"{label}, n (%)", *("" for _ in groups)))
        for level in [*levels, *sorted(k for k in seen if k not in levels)]:
            rows.append(
                (
                    f"  {level}",
                    *(n_pct(sum(1 for p in people if value(p) == level), len(people)) for _, people in groups),
                )
            )

    numeric("Age at consent, years: mean (SD)", lambda p: float(p.age_at_consent), _mean_sd)
    numeric("Age at consent, years: median (min-max)", lambda p: float(p.age_at_consent), _median_range)
    categorical("Sex", lambda p: {"F": "Female", "M": "Male"}.get(p.sex, p.sex), ["Female", "Male"])
    categorical("Race", lambda p: _term(p.race, RACE_CATEGORIES))
    categorical("Ethnicity", lambda p: _term(p.ethnicity, ETHNICITY_CATEGORIES))
    categorical("MS course", lambda p: p.ms_course, ["RRMS", "SPMS", "PPMS"])
    numeric("Baseline EDSS: median (min-max)", lambda p: p.baseline_edss, _median_range)
    numeric("Weight at randomisation, kg: mean (SD)", lambda p: p.weight_kg, _mean_sd)
    categorical("Site", lambda p: p.site)
    return Output(
        "Table",
        "14.1.2",
        "Demographics and baseline characteristics",
        "All randomised participants",
        _header(groups),
        tuple(rows),
        (
            "SD: standard deviation. EDSS: Expanded Disability Status Scale (0-10).",
            "Race and ethnicity as collected on the Demographics form (CDISC terms); 'Not collected' where the form "
            "has no answer.",
        ),
    )


def exposure_table(protocol: Protocol, snapshot: TrialSnapshot) -> Output:
    arms = treatments(protocol)
    by_arm = {t: [i for i in snapshot.infusions if i.product == t] for t in arms}
    people = {t: {i.participant_id for i in infusions} for t, infusions in by_arm.items()}
    minutes = {
        t: [(i.end - i.start).total_seconds() / 60 for i in infusions if i.start and i.end]
        for t, infusions in by_arm.items()
    }
    rows = [
        ("Participants infused, n", *(str(len(people[t])) for t in arms)),
        ("Infusions given, n", *(str(len(by_arm[t])) for t in arms)),
        *(
            (f"Infused in period {p.number} (week {p.infusion_week}), n", *(
                str(sum(1 for i in by_arm[t] if protocol.visit(i.visit_code).week == p.infusion_week)) for t in arms
            ))
            for p in protocol.design.periods
        ),
        ("Infusion volume, mL: mean (SD)", *(_mean_sd([i.volume_ml for i in by_arm[t]]) for t in arms)),
        ("Infusion duration, min: median (min-max)", *(_median_range(minutes[t]) for t in arms)),
    ]  # fmt: skip
    return Output(
        "Table",
        "14.1.3",
        "Exposure to study treatment",
        "Safety population: every participant who received an infusion, by the treatment received",
        ("", *(f"{t} (N={len(people[t])})" for t in arms)),
        tuple(rows),
        (
            "Columns are the products actually infused, whatever the randomised sequence.",
            "Cell doses (cells infused, cells/kg) are laboratory records and are not shown in this table.",
        ),
    )
