"""Numbers and charts for people: cell counts as 1.07 × 10⁸, a visit-completion heat map whose classes stay apart
for colour-blind readers (simulated with Machado, Oliveira and Fernandes 2009, severity 1.0) and carry a mark and
a legend, and a lesion chart with one panel per sequence and the sequence's weekly median."""

from __future__ import annotations

import re

import pytest

from mescams.edc.testing import configure_for_tests

configure_for_tests()

from mescams.edc.web import charts  # noqa: E402 - Django settings first
from mescams.edc.web.numbers import scientific  # noqa: E402

# Machado et al. 2009, severity 1.0, applied to linear RGB
SIMULATIONS = {
    "protanopia": ((0.152286, 1.052583, -0.204868), (0.114503, 0.786281, 0.099216), (-0.003882, -0.048116, 1.051998)),
    "deuteranopia": ((0.367322, 0.860646, -0.227968), (0.280085, 0.672501, 0.047413),
                     (-0.011820, 0.042940, 0.968881)),
    "tritanopia": ((1.255528, -0.076749, -0.178779), (-0.078411, 0.930809, 0.147602), (0.004733, 0.691367, 0.303900)),
}


@pytest.mark.parametrize(("value", "shown"), [(1.065e8, "1.07 × 10⁸"), (9.996e7, "1.00 × 10⁸"), (2e6, "2.00 × 10⁶"),
                                               (70_000_000, "7.00 × 10⁷"), (950, "950"), (0.95, "0.95")])
def test_cell_counts_read_as_people_write_them(value: float, shown: str) -> None:
    assert scientific(value) == shown


def _linear(hex_colour: str) -> list[float]:
    channels = [int(hex_colour[i:i + 2], 16) / 255 for i in (1, 3, 5)]
    return [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]


def _lab(rgb: list[float]) -> tuple[float, float, float]:
    """CIE L*a*b* (D65) of linear RGB."""
    r, g, b = (min(max(c, 0.0), 1.0) for c in rgb)
    x = (0.4124 * r + 0.3576 * g + 0.1805 * b) / 0.95047
    y = 0.2126 * r + 0.7152 * g + 0.0722 * b
    z = (0.0193 * r + 0.1192 * g + 0.9505 * b) / 1.08883

    def f(t: float) -> float:
        return t ** (1 / 3) if t > 0.008856 else 7.787 * t + 16 / 116

    return 116 * f(y) - 16, 500 * (f(x) - f(y)), 200 * (f(y) - f(z))


def _seen(hex_colour: str, matrix: tuple[tuple[float, ...], ...] | None) -> tuple[float, float, float]:
    rgb = _linear(hex_colour)
    if matrix is not None:
        rgb = [sum(m * c for m, c in zip(row, rgb, strict=True)) for row in matrix]
    return _lab(rgb)


@pytest.mark.parametrize("vision", [None, *SIMULATIONS])
def test_heat_map_classes_stay_apart_for_colour_blind_readers(vision: str | None) -> None:
    fills = [fill for _, _, fill, _ in charts.COMPLETION_CLASSES]
    matrix = SIMULATIONS[vision] if vision else None
    seen = [_seen(f, matrix) for f in fills]
    for i in range(len(seen)):
        for j in range(i + 1, len(seen)):
            distance = sum((a - b) ** 2 for a, b in zip(seen[i], seen[j], strict=True)) ** 0.5
            assert distance > 20, (vision, fills[i], fills[j], round(distance, 1))  # CIE76 ΔE: clearly different


def test_red_and_green_alone_would_fail_that_check() -> None:
    """The check can fail: the old red/green pair is nearly one colour to a deuteranope."""
    red, green = _seen("#d94040", SIMULATIONS["deuteranopia"]), _seen("#3cb43c", SIMULATIONS["deuteranopia"])
    assert sum((a - b) ** 2 for a, b in zip(red, green, strict=True)) ** 0.5 < 20


def test_heat_map_cells_are_marked_and_the_legend_names_every_class() -> None:
    svg = str(charts.heat_map([("OTT-001", [1.0, 0.5, 0.0, None])], ["W0", "W4", "W12", "W24"]))
    assert re.findall(r'data-class="(\w+)"', svg) == ["complete", "partial", "none", "not_expected"]
    assert ">✓<" in svg and ">50<" in svg and ">✗<" in svg
    for _, legend, _, _ in charts.COMPLETION_CLASSES:
        assert legend in svg
    assert "hsl(" not in svg


def test_lesion_chart_has_a_panel_per_sequence_with_its_weekly_median() -> None:
    series = [{"participant_id": f"OTT-00{i}", "sequence": seq, "points": pts} for i, (seq, pts) in enumerate([
        ("MSC-PLACEBO", [(0, 2), (4, 0)]), ("MSC-PLACEBO", [(0, 4), (4, 1)]), ("MSC-PLACEBO", [(0, 9)]),
        ("PLACEBO-MSC", [(0, 1), (4, 3)])])]
    assert charts.weekly_medians(series[:3], [0, 4, 12]) == [(0, 4.0), (4, 0.5)]
    svg = str(charts.lesion_chart(series, [0, 4, 12, 24, 48]))
    panels = re.findall(r'<g class="panel" data-sequence="([^"]+)">(.*?)</g>', svg, flags=re.S)
    assert [name for name, _ in panels] == ["MSC-PLACEBO", "PLACEBO-MSC"]
    assert [body.count('class="participant"') for _, body in panels] == [3, 1]
    assert all(body.count('class="median"') == 1 for _, body in panels)
    assert "(n = 3)" in panels[0][1] and ">0.5<" in panels[0][1]
