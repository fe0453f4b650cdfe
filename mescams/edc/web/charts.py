"""Server-rendered SVG charts (no JavaScript): enrolment against target, visit completion heat map, lesion
counts over time. Each chart carries a <title> and <desc> for screen readers; pages also give the numbers."""

from __future__ import annotations

import datetime as dt
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


def heat_map(rows: list[tuple[str, list[float | None]]], columns: list[str]) -> SafeString:
    """Visit completion per participant (rows) and visit (columns): 0 red to 1 green, grey when not expected."""
    cell, left, top = 38, 90, 30
    width, height = left + cell * len(columns) + 10, top + cell * len(rows) + 10
    body = [f'<text x="{left + i * cell + cell / 2}" y="{top - 8}" font-size="11" text-anchor="middle">'
            f'{escape(c)}</text>' for i, c in enumerate(columns)]
    for r, (label, values) in enumerate(rows):
        body.append(f'<text x="{left - 6}" y="{top + r * cell + 17}" font-size="11" text-anchor="end">'
                    f'{escape(label)}</text>')
        for c, v in enumerate(values):
            fill = "#e5e7eb" if v is None else f"hsl({int(120 * v)}, 60%, {45 if v == 1 else 55}%)"
            text = "–" if v is None else f"{round(100 * v)}%"
            body.append(f'<rect x="{left + c * cell}" y="{top + r * cell}" width="{cell - 2}" height="{cell - 2}" '
                        f'fill="{fill}"><title>{escape(label)} {escape(columns[c])}: {text}</title></rect>')
    return _svg(width, height, "Visit completion heat map",
                "Share of due eCRFs entered per participant and visit; grey: not expected.", body)


def lesion_chart(series: list[dict[str, Any]], weeks: list[int]) -> SafeString:
    """GEL count by week, one line per participant, coloured by sequence (unblinded roles only)."""
    width, height, left, right, top, bottom = 720, 320, 50, 150, 20, 40
    top_value = max([1, *[g for s in series for _, g in s["points"]]])
    last_week = max(weeks) or 1

    def x(w: float) -> float:
        return left + w / last_week * (width - left - right)

    def y(n: float) -> float:
        return height - bottom - n / top_value * (height - top - bottom)

    body = [f'<line x1="{left}" y1="{y(0)}" x2="{width - right}" y2="{y(0)}" stroke="{INK}"/>']
    for w in weeks:
        body.append(f'<text x="{x(w)}" y="{height - bottom + 16}" font-size="11" text-anchor="middle">W{w}</text>')
    for tick in range(0, top_value + 1, max(1, top_value // 5)):
        body.append(f'<text x="{left - 6}" y="{y(tick) + 4}" font-size="11" text-anchor="end">{tick}</text>'
                    f'<line x1="{left}" y1="{y(tick)}" x2="{width - right}" y2="{y(tick)}" stroke="{GRID}"/>')
    body.append(f'<line x1="{x(24)}" y1="{top}" x2="{x(24)}" y2="{y(0)}" stroke="{INK}" stroke-dasharray="3 3"/>'
                f'<text x="{x(24) + 4}" y="{top + 10}" font-size="11">cross-over</text>')
    for s in series:
        colour = COLOURS.get(s["sequence"], "#555")
        points = " ".join(f"{x(w):.1f},{y(g):.1f}" for w, g in s["points"])
        body.append(f'<polyline points="{points}" fill="none" stroke="{colour}" stroke-opacity="0.55" '
                    f'stroke-width="1.6"><title>{escape(s["participant_id"])} ({escape(s["sequence"])})</title>'
                    f'</polyline>')
    for i, (code, colour) in enumerate(COLOURS.items()):
        body.append(f'<rect x="{width - right + 10}" y="{top + 20 * i}" width="14" height="4" fill="{colour}"/>'
                    f'<text x="{width - right + 30}" y="{top + 20 * i + 6}" font-size="12">{code}</text>')
    return _svg(width, height, "Gadolinium-enhancing lesions over time per participant",
                f"{len(series)} participants; lines coloured by sequence.", body)
