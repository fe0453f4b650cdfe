"""Write an :class:`~mescams.interop.tlf.model.Output` as RTF 1.x: landscape Letter page, Courier 8 pt, the number
and title, the population, a table with a repeated header row, the figure (PNG) if any, then the footnotes.

Why hand-written: RTF is a small text format and the outputs are plain tables; a library would add a dependency
for a page of code. Text is escaped as RTF requires (backslash, braces) and anything beyond ASCII is written as
``\\uN?`` so the file stays 7-bit.
"""

from __future__ import annotations

import struct

from mescams.interop.tlf.model import Output

__all__ = ["rtf_document", "rtf_escape"]

PAGE_WIDTH_TWIPS = 15840 - 2 * 720  # landscape Letter less 0.5-inch margins


def rtf_escape(text: str) -> str:
    out = []
    for ch in text:
        if ch in "\\{}":
            out.append("\\" + ch)
        elif ch == "\n":
            out.append("\\line ")
        elif ord(ch) > 127:
            code = ord(ch)
            out.append(f"\\u{code - 65536 if code > 32767 else code}?")
        else:
            out.append(ch)
    return "".join(out)


def _row(cells: tuple[str, ...], widths: list[int], *, header: bool) -> str:
    border = "\\clbrdrb\\brdrs\\brdrw10" if header else ""
    edges, x = [], 0
    for w in widths:
        x += w
        edges.append(f"{border}\\cellx{x}")
    bold, unbold = ("\\b ", "\\b0") if header else ("", "")
    body = "".join(
        "\\pard\\intbl" + ("\\ql " if i == 0 else "\\qc ") + bold + rtf_escape(c) + unbold + "\\cell"
        for i, c in enumerate(cells)
    )
    repeat = "\\trhdr" if header else ""
    return f"\\trowd\\trgaph60{repeat}{''.join(edges)}\n{body}\\row\n"


def _png_size(png: bytes) -> tuple[int, int]:
    width, height = struct.unpack(">II", png[16:24])
    return width, height


def rtf_document(output: Output) -> str:
    """The whole RTF file of one output."""
    first = max(3000, PAGE_WIDTH_TWIPS // 3) if len(output.columns) > 1 else PAGE_WIDTH_TWIPS
    rest = (PAGE_WIDTH_TWIPS - first) // max(1, len(output.columns) - 1)
    widths = [first] + [rest] * (len(output.columns) - 1)
    parts = [
        "{\\rtf1\\ansi\\ansicpg1252\\deff0{\\fonttbl{\\f0\\fmodern Courier New;}}\n",
        "\\paperw15840\\paperh12240\\landscape\\margl720\\margr720\\margt720\\margb720\\f0\\fs16\n",
        f"\\pard\\qc\\b {rtf_escape(output.label)}\\b0\\par\n",
        f"\\pard\\qc\\b {rtf_escape(output.title)}\\b0\\par\n",
        f"\\pard\\qc {rtf_escape(output.population)}\\par\\pard\\par\n",
    ]
    if output.image_png:
        w, h = _png_size(output.image_png)
        goal_w = min(PAGE_WIDTH_TWIPS, w * 1440 // 150)
        parts.append(
            f"\\pard\\qc{{\\pict\\pngblip\\picw{w}\\pich{h}\\picwgoal{goal_w}\\pichgoal{goal_w * h // w}\n"
            f"{output.image_png.hex()}}}\\par\n"
        )
    parts.append(_row(output.columns, widths, header=True))
    parts += [_row(r, widths, header=False) for r in output.rows]
    parts.append("\\pard\\par\n")
    parts += [f"\\pard\\ql {rtf_escape(note)}\\par\n" for note in output.footnotes]
    parts.append("}\n")
    return "".join(parts)
