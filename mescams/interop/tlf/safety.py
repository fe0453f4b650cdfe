"""Safety outputs: AE overview (14.3.1.1), AEs by SOC and PT (14.3.1.2), by SOC, PT and maximum severity
(14.3.1.3), and the listing of serious adverse events (Listing 16.2.7).

Each event belongs to the treatment of the infusion most recently preceding its onset (an onset on the infusion
day counts for that infusion), the analysis contract's rule; events before the first infusion are counted apart.
Denominators are the participants who received each treatment.

SOC and PT come from the event's MedDRA coding when the snapshot carries one (``AdverseEvent.meddra``, added by
the coding work); until an event is coded, its recorded body system (or "Not coded") stands in for the SOC and
the verbatim term for the PT, and the footnote says so (:func:`mescams.interop.ae_coding.soc_and_pt`).
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from mescams.core.protocol import Protocol
from mescams.interop.ae_coding import soc_and_pt
from mescams.interop.ctgov_measures import treatments
from mescams.interop.snapshot import AdverseEvent, TrialSnapshot
from mescams.interop.tlf.model import Output, n_pct

__all__ = [
    "PRE_TREATMENT",
    "ae_overview_table",
    "ae_severity_table",
    "ae_soc_pt_table",
    "attributed_events",
    "sae_listing",
    "soc_and_pt",
]

PRE_TREATMENT = "Pre-treatment"


def attributed_events(snapshot: TrialSnapshot) -> list[tuple[AdverseEvent, str]]:
    """Every event with the treatment it belongs to (or :data:`PRE_TREATMENT`), in participant and onset order."""
    infusions: dict[str, list[tuple[Any, str]]] = defaultdict(list)
    for inf in snapshot.infusions:
        infusions[inf.participant_id].append((inf.date, inf.product))
    out = []
    for ae in sorted(snapshot.adverse_events, key=lambda a: (a.participant_id, a.onset_date, a.ae_id)):
        before = [p for d, p in sorted(infusions.get(ae.participant_id, [])) if d <= ae.onset_date]
        out.append((ae, before[-1] if before else PRE_TREATMENT))
    return out


def _exposed(protocol: Protocol, snapshot: TrialSnapshot) -> dict[str, int]:
    got: dict[str, set[str]] = defaultdict(set)
    for inf in snapshot.infusions:
        got[inf.product].add(inf.participant_id)
    return {t: len(got[t]) for t in treatments(protocol)}


def _columns(exposed: dict[str, int]) -> tuple[str, ...]:
    return tuple(f"{t} (N={n})" for t, n in exposed.items())


def _coded_note(events: list[tuple[AdverseEvent, str]]) -> str:
    coded = sum(soc_and_pt(ae)[2] for ae, _ in events)
    if coded == len(events):
        return "SOC: MedDRA system organ class (primary path); PT: MedDRA preferred term."
    return (
        f"{len(events) - coded} of {len(events)} events are not yet MedDRA-coded: their recorded body system (or "
        "'Not coded') stands for the SOC and their verbatim term for the PT."
    )


ATTRIBUTION = (
    "Each event is attributed to the treatment of the infusion most recently preceding its onset (onset on an "
    "infusion day counts for that infusion); participants are counted once per row and treatment."
)


def ae_overview_table(protocol: Protocol, snapshot: TrialSnapshot) -> Output:
    exposed = _exposed(protocol, snapshot)
    events = [(ae, t) for ae, t in attributed_events(snapshot) if t in exposed]
    pre = sum(1 for _, t in attributed_events(snapshot) if t == PRE_TREATMENT)

    def row(label: str, keep: Any) -> tuple[str, ...]:
        return (
            label,
            *(
                n_pct(len({ae.participant_id for ae, tt in events if tt == t and keep(ae)}), n)
                for t, n in exposed.items()
            ),
        )

    rows = (
        row("Participants with any adverse event", lambda ae: True),
        row("Participants with a related adverse event", lambda ae: ae.related),
        row("Participants with a serious adverse event", lambda ae: ae.serious),
        row("Participants with an adverse event of grade 3 or more", lambda ae: ae.grade >= 3),
        row("Participants with a fatal adverse event (grade 5)", lambda ae: ae.grade == 5),
        ("Adverse events, n", *(str(sum(1 for _, tt in events if tt == t)) for t in exposed)),
    )
    return Output(
        "Table",
        "14.3.1.1",
        "Overview of adverse events by treatment",
        "Safety population",
        ("", *_columns(exposed)),
        rows,
        (ATTRIBUTION, f"Events before the first infusion (pre-treatment, not in this table): {pre}.",
         "Severity: CTCAE grade 1-5."),
    )  # fmt: skip


def _by_soc_pt(events: list[tuple[AdverseEvent, str]]) -> dict[str, dict[str, list[tuple[AdverseEvent, str]]]]:
    table: dict[str, dict[str, list[tuple[AdverseEvent, str]]]] = defaultdict(lambda: defaultdict(list))
    for ae, t in events:
        soc, pt, _ = soc_and_pt(ae)
        table[soc][pt].append((ae, t))
    return table


def ae_soc_pt_table(protocol: Protocol, snapshot: TrialSnapshot) -> Output:
    exposed = _exposed(protocol, snapshot)
    events = [(ae, t) for ae, t in attributed_events(snapshot) if t in exposed]

    def cells(subset: list[tuple[AdverseEvent, str]]) -> tuple[str, ...]:
        out = []
        for t, n in exposed.items():
            mine = [ae for ae, tt in subset if tt == t]
            out += [n_pct(len({ae.participant_id for ae in mine}), n), str(len(mine))]
        return tuple(out)

    rows: list[tuple[str, ...]] = [("Any adverse event", *cells(events))]
    for soc, pts in sorted(_by_soc_pt(events).items()):
        rows.append((soc, *cells([e for pt_events in pts.values() for e in pt_events])))
        rows += [(f"  {pt}", *cells(pt_events)) for pt, pt_events in sorted(pts.items())]
    columns: tuple[str, ...] = ("System organ class / Preferred term",)
    for t, n in exposed.items():
        columns += (f"{t} (N={n}): n (%)", f"{t}: events")
    return Output(
        "Table",
        "14.3.1.2",
        "Adverse events by system organ class and preferred term",
        "Safety population",
        columns,
        tuple(rows),
        (ATTRIBUTION, "n (%): participants with at least one event; events: number of events.", _coded_note(events)),
    )


def ae_severity_table(protocol: Protocol, snapshot: TrialSnapshot) -> Output:
    exposed = _exposed(protocol, snapshot)
    events = [(ae, t) for ae, t in attributed_events(snapshot) if t in exposed]
    grades = ("1", "2", "3", "4", "5")

    def cells(subset: list[tuple[AdverseEvent, str]]) -> tuple[str, ...]:
        out = []
        for t in exposed:
            worst: dict[str, int] = {}
            for ae, tt in subset:
                if tt == t:
                    worst[ae.participant_id] = max(worst.get(ae.participant_id, 0), ae.grade)
            out += [str(sum(1 for g in worst.values() if str(g) == grade)) for grade in grades]
        return tuple(out)

    rows: list[tuple[str, ...]] = [("Any adverse event", *cells(events))]
    for soc, pts in sorted(_by_soc_pt(events).items()):
        rows.append((soc, *cells([e for pt_events in pts.values() for e in pt_events])))
        rows += [(f"  {pt}", *cells(pt_events)) for pt, pt_events in sorted(pts.items())]
    columns: tuple[str, ...] = ("System organ class / Preferred term",)
    for t, n in exposed.items():
        columns += tuple(f"{t} (N={n}) grade {g}" for g in grades)
    return Output(
        "Table",
        "14.3.1.3",
        "Adverse events by system organ class, preferred term and maximum severity",
        "Safety population",
        columns,
        tuple(rows),
        (ATTRIBUTION, "Each participant is counted once per row, at the worst CTCAE grade of the row's events.",
         _coded_note(events)),
    )  # fmt: skip


def sae_listing(protocol: Protocol, snapshot: TrialSnapshot) -> Output:
    rows = []
    for ae, t in attributed_events(snapshot):
        if not ae.serious:
            continue
        soc, pt, _ = soc_and_pt(ae)
        rows.append(
            (
                ae.participant_id,
                snapshot.participant(ae.participant_id).site,
                t,
                ae.term,
                f"{soc} / {pt}",
                ae.onset_date.isoformat(),
                ae.end_date.isoformat() if ae.end_date else "Ongoing",
                str(ae.grade),
                "Yes" if ae.related else "No",
                ae.outcome.capitalize(),
                ae.action.capitalize(),
            )
        )
    return Output(
        "Listing",
        "16.2.7",
        "Serious adverse events",
        "All participants with a serious adverse event",
        ("Participant", "Site", "Treatment at onset", "Verbatim term", "SOC / PT", "Onset", "End", "Grade",
         "Related", "Outcome", "Action taken"),
        tuple(rows),
        (ATTRIBUTION.split(";")[0] + ".", "Dates are ISO 8601; 'Ongoing': no end date recorded as of the data cut.",
         *(() if rows else ("No serious adverse event was recorded.",))),
    )  # fmt: skip
