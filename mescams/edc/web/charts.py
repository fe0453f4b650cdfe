"""Server-rendered SVG charts (no JavaScript): enrolment against target, visit completion heat map, lesion
counts over time. Each chart carries a <title> and <desc> for screen readers; pages also give the numbers."""

from __future__ import annotations

import datetime as dt
import statistics
from html import escape
from typing import Any

from django.utils.safestring import SafeString, mark_safe

COLOURS = {"MSC-PLACEBO": "#0b4f8a", "PLACEBO-MSC": "#c2410c"}
INK, GRID = "#1a1a1a", "#d0d0d0"
LABEL_SIZE = 12
LABEL_GAP = 16
"""End labels' font size and the least distance between two of them (a line of 12 px text is about 14 px tall)."""


def _svg(width: int, height: int, title: str, desc: str, body: list[str]) -> SafeString:
    head = (f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="100%" role="img" '
            f'aria-labelledby="t d" style="max-width:{width}px"><title id="t">{escape(title)}</title>'
            f'<desc id="d">{escape(desc)}</desc>')
    return mark_safe(head + "".join(body) + "</svg>")  # noqa: S308 - every text is escaped above


def spread_labels(wanted: list[float], *, gap: float, lowest: float) -> list[float]:
    """Vertical centres for labels wanted at ``wanted`` (top to bottom, SVG y grows downwards), each at least
    ``gap`` below the one before and none below ``lowest``: labels that would collide are pushed apart downwards,
    and pushed back up together if that takes the last one below ``lowest``. Their order never changes."""
    places: list[float] = []
    for want in wanted:
        places.append(want if not places else max(want, places[-1] + gap))
    for i in range(len(places) - 1, -1, -1):
        ceiling = lowest if i == len(places) - 1 else places[i + 1] - gap
        places[i] = min(places[i], ceiling)
    return places


def enrolment_chart(screened: list[tuple[dt.date, int]], randomised: list[tuple[dt.date, int]],
                    target: int) -> SafeString:
    """Cumulative screened and randomised over time, with the target enrolment as a dashed line."""
    width, height, left, right, top, bottom = 720, 300, 50, 150, 20, 40
    dates = [d for d, _ in screened + randomised] or [dt.datetime.now(dt.UTC).date()]
    start, end = min(dates), max(dates)
    span = max((end - start).days, 1)
    top_value = max([target, *[n for _, n in screened]]) or 1

    def x(d: dt.date) -> float:
        return left + (d - start).days / span * (width - left - right)

    def y(n: float) -> float:
        return height - bottom - n / top_value * (height - top - bottom)

    body = [f'<line x1="{left}" y1="{y(0)}" x2="{width - right}" y2="{y(0)}" stroke="{INK}"/>',
            f'<line x1="{left}" y1="{y(0)}" x2="{left}" y2="{top}" stroke="{INK}"/>']
    for tick in range(0, top_value + 1, max(1, top_value // 5)):
        body.append(f'<text x="{left - 6}" y="{y(tick) + 4}" font-size="11" text-anchor="end">{tick}</text>'
                    f'<line x1="{left}" y1="{y(tick)}" x2="{width - right}" y2="{y(tick)}" stroke="{GRID}"/>')
    for year in range(start.year, end.year + 1):
        d = max(start, dt.date(year, 1, 1))
        body.append(f'<text x="{x(d)}" y="{height - bottom + 16}" font-size="11">{year}</text>')
    body.append(f'<line x1="{left}" y1="{y(target)}" x2="{width - right}" y2="{y(target)}" stroke="#1d6b2f" '
                f'stroke-dasharray="6 4" stroke-width="2"/>')
    labels = [(target, "#1d6b2f", f"target {target}")]
    for series, colour, label in ((screened, "#6b7280", "screened"), (randomised, "#0b4f8a", "randomised")):
        if not series:
            continue
        points = " ".join(f"{x(d):.1f},{y(n):.1f}" for d, n in series)
        body.append(f'<polyline points="{points}" fill="none" stroke="{colour}" stroke-width="2.5"/>')
        labels.append((series[-1][1], colour, f"{label} {series[-1][1]}"))
    # End labels beside the lines' ends, in the lines' order, at least a line of text apart: "target 31" and
    # "randomised 31" sit one above the other when enrolment reaches the target, never on top of each other.
    order = sorted(range(len(labels)), key=lambda i: (-labels[i][0], i))
    places = spread_labels([y(labels[i][0]) for i in order], gap=LABEL_GAP, lowest=y(0))
    for i, centre in zip(order, places, strict=True):
        _, colour, text = labels[i]
        body.append(f'<text x="{width - right + 6}" y="{centre + 4:.1f}" font-size="{LABEL_SIZE}" fill="{colour}">'
                    f'{escape(text)}</text>')
    return _svg(width, height, "Enrolment over time against target",
                f"{len(screened)} screened and {len(randomised)} randomised; target {target}.", body)


COMPLETION_CLASSES: list[tuple[str, str, str, str]] = [
    ("complete", "all due eCRFs entered", "#1f3f8f", "✓"),
    ("partial", "some due eCRFs entered", "#56b4e9", "%"),
    ("none", "none of the due eCRFs entered", "#e69f00", "✗"),
    ("not_expected", "not due yet, or not expected", "#f2f2f2", ""),
]
"""The heat map's classes: (name, legend text, fill, mark). Okabe-Ito blue, sky blue and orange stay apart
under red-green and blue-yellow colour blindness, and every cell also carries a mark (✓, its %, ✗), so no
reader depends on colour alone (WCAG 1.4.1)."""


def completion_class(value: float | None) -> str:
    """The heat-map class of one visit's share of due eCRFs entered (None: not expected)."""
    if value is None:
        return "not_expected"
    return "complete" if value >= 1 else "partial" if value > 0 else "none"


def heat_map(rows: list[tuple[str, list[float | None]]], columns: list[str]) -> SafeString:
    """Visit completion per participant (rows) and visit (columns), in the colour-blind-safe classes of
    :data:`COMPLETION_CLASSES`, each cell marked, with the legend drawn under the grid."""
    cell, left, top = 38, 90, 30
    styles = {name: (fill, mark) for name, _, fill, mark in COMPLETION_CLASSES}
    legend_top = top + cell * len(rows) + 14
    width = max(left + cell * len(columns) + 10, 420)
    height = legend_top + 22 * len(COMPLETION_CLASSES) + 6
    body = [f'<text x="{left + i * cell + cell / 2}" y="{top - 8}" font-size="11" text-anchor="middle">'
            f'{escape(c)}</text>' for i, c in enumerate(columns)]
    for r, (label, values) in enumerate(rows):
        body.append(f'<text x="{left - 6}" y="{top + r * cell + 22}" font-size="11" text-anchor="end">'
                    f'{escape(label)}</text>')
        for c, v in enumerate(values):
            kind = completion_class(v)
            fill, mark = styles[kind]
            text = "not expected" if v is None else f"{round(100 * v)}%"
            shown = f"{round(100 * v)}" if mark == "%" and v is not None else mark
            ink = "#ffffff" if kind == "complete" else INK
            x0, y0 = left + c * cell, top + r * cell
            body.append(f'<rect x="{x0}" y="{y0}" width="{cell - 2}" height="{cell - 2}" fill="{fill}" '
                        f'stroke="#8a8a8a" stroke-width="0.5" data-class="{kind}"><title>{escape(label)} '
                        f'{escape(columns[c])}: {text}</title></rect>')
            if shown:
                body.append(f'<text x="{x0 + (cell - 2) / 2}" y="{y0 + 23}" font-size="12" text-anchor="middle" '
                            f'fill="{ink}" aria-hidden="true">{escape(shown)}</text>')
    for i, (_, legend, fill, mark) in enumerate(COMPLETION_CLASSES):
        y0 = legend_top + 22 * i
        body.append(f'<g class="legend-item"><rect x="{left}" y="{y0}" width="18" height="18" fill="{fill}" '
                    f'stroke="#555"/><text x="{left + 26}" y="{y0 + 14}" font-size="12">'
                    f'{escape((mark.replace("%", "n%") + " ") if mark else "")}{escape(legend)}</text></g>')
    return _svg(width, height, "Visit completion heat map",
                "Share of due eCRFs entered per participant and visit: ✓ all entered (dark blue), a percentage "
                "when some are (light blue), ✗ none (orange), blank grey when not expected.", body)


def weekly_medians(series: list[dict[str, Any]], weeks: list[int]) -> list[tuple[int, float]]:
    """The median GEL count at each week over the participants with a read that week (weeks without any: left out)."""
    medians = []
    for w in weeks:
        values = [g for s in series for week, g in s["points"] if week == w]
        if values:
            medians.append((w, float(statistics.median(values))))
    return medians


def lesion_chart(series: list[dict[str, Any]], weeks: list[int]) -> SafeString:
    """GEL count by week in one panel per sequence (unblinded roles only): each participant a thin grey line, the
    sequence's weekly median a thick coloured line with its points labelled. Thirty lines in two colours on one
    plot could not be read; side by side, with the median drawn on top, the two sequences compare at a glance."""
    panel_w, height, left, gap, top, bottom = 340, 320, 44, 30, 34, 40
    sequences = list(COLOURS)
    width = left + len(sequences) * (panel_w + gap)
    top_value = max([1, *[g for s in series for _, g in s["points"]]])
    last_week = max(weeks) or 1

    def y(n: float) -> float:
        return height - bottom - n / top_value * (height - top - bottom)

    body: list[str] = []
    for i, code in enumerate(sequences):
        x0 = left + i * (panel_w + gap)

        def x(w: float, x0: float = x0) -> float:
            return x0 + w / last_week * (panel_w - 20)

        members = [s for s in series if s["sequence"] == code]
        colour = COLOURS[code]
        body.append(f'<g class="panel" data-sequence="{escape(code)}"><text x="{x0}" y="{top - 14}" font-size="13" '
                    f'font-weight="700" fill="{colour}">{escape(code)} (n = {len(members)})</text>')
        body.append(f'<line x1="{x0}" y1="{y(0)}" x2="{x0 + panel_w - 20}" y2="{y(0)}" stroke="{INK}"/>')
        for tick in range(0, top_value + 1, max(1, top_value // 5)):
            body.append(f'<text x="{x0 - 6}" y="{y(tick) + 4}" font-size="11" text-anchor="end">{tick}</text>'
                        f'<line x1="{x0}" y1="{y(tick)}" x2="{x0 + panel_w - 20}" y2="{y(tick)}" stroke="{GRID}"/>')
        for w in weeks:
            body.append(f'<text x="{x(w)}" y="{height - bottom + 16}" font-size="11" text-anchor="middle">W{w}</text>')
        body.append(f'<line x1="{x(24)}" y1="{top}" x2="{x(24)}" y2="{y(0)}" stroke="{INK}" stroke-dasharray="3 3"/>'
                    f'<text x="{x(24) + 4}" y="{top + 10}" font-size="11">cross-over</text>')
        for s in members:
            points = " ".join(f"{x(w):.1f},{y(g):.1f}" for w, g in s["points"])
            body.append(f'<polyline class="participant" points="{points}" fill="none" stroke="#9a9a9a" '
                        f'stroke-width="1"><title>{escape(s["participant_id"])}</title></polyline>')
        medians = weekly_medians(members, weeks)
        if medians:
            points = " ".join(f"{x(w):.1f},{y(m):.1f}" for w, m in medians)
            body.append(f'<polyline class="median" points="{points}" fill="none" stroke="{colour}" '
                        f'stroke-width="4"><title>{escape(code)} median</title></polyline>')
            for w, m in medians:
                body.append(f'<circle cx="{x(w):.1f}" cy="{y(m):.1f}" r="4" fill="{colour}"/>'
                            f'<text x="{x(w):.1f}" y="{y(m) - 8:.1f}" font-size="11" text-anchor="middle" '
                            f'fill="{colour}">{m:g}</text>')
        body.append("</g>")
    body.append(f'<line x1="{left}" y1="{height - 8}" x2="{left + 24}" y2="{height - 8}" stroke="#9a9a9a"/>'
                f'<text x="{left + 30}" y="{height - 4}" font-size="12">one participant</text>'
                f'<line x1="{left + 160}" y1="{height - 8}" x2="{left + 184}" y2="{height - 8}" stroke="{INK}" '
                f'stroke-width="4"/><text x="{left + 190}" y="{height - 4}" font-size="12">median of the sequence'
                f'</text>')
    return _svg(width, height + 6, "Gadolinium-enhancing lesions over time, one panel per sequence",
                f"{len(series)} participants; grey lines are participants, the thick line each sequence's weekly "
                "median (the table under the chart gives every number).", body)
