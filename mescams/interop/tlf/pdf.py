"""Write outputs as PDF through HTML and WeasyPrint (as the DSMB report is printed): one page flow per output,
landscape, the number and title on top, the footnotes under the table."""

from __future__ import annotations

import base64
import html
from collections.abc import Sequence
from pathlib import Path

from mescams.interop.tlf.model import Output

__all__ = ["output_html", "write_pdf"]

STYLE = """
@page { size: letter landscape; margin: 1.5cm; @bottom-right { content: "Page " counter(page) " of " counter(pages); }}
body { font-family: "DejaVu Sans Mono", monospace; font-size: 7.5pt; }
section { page-break-after: always; }
h1, h2, p.population { text-align: center; margin: 0.15em 0; font-size: 9pt; }
table { border-collapse: collapse; width: 100%; margin-top: 0.6em; }
thead { display: table-header-group; }
th { border-top: 1px solid black; border-bottom: 1px solid black; text-align: center; }
td { padding: 0 0.4em; text-align: center; } td:first-child, th:first-child { text-align: left; white-space: pre; }
tbody tr:last-child td { border-bottom: 1px solid black; }
img { display: block; margin: 0.5em auto; max-width: 90%; }
p.footnote { margin: 0.1em 0; }
"""


def output_html(output: Output) -> str:
    """One output as an HTML ``<section>`` (used for the PDF and by tests)."""
    e = html.escape
    head = "".join(f"<th>{e(c)}</th>" for c in output.columns)
    body = "".join("<tr>" + "".join(f"<td>{e(c)}</td>" for c in r) + "</tr>" for r in output.rows)
    image = (
        f'<img alt="{e(output.title)}" src="data:image/png;base64,{base64.b64encode(output.image_png).decode()}">'
        if output.image_png
        else ""
    )
    notes = "".join(f'<p class="footnote">{e(n)}</p>' for n in output.footnotes)
    return (
        f"<section><h1>{e(output.label)}</h1><h2>{e(output.title)}</h2>"
        f'<p class="population">{e(output.population)}</p>{image}'
        f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>{notes}</section>"
    )


def write_pdf(outputs: Sequence[Output], path: Path) -> Path:
    """Print ``outputs`` to one PDF at ``path``, each output starting on a new page."""
    from weasyprint import HTML

    document = f"<html><head><meta charset='utf-8'><style>{STYLE}</style></head><body>"
    document += "".join(output_html(o) for o in outputs) + "</body></html>"
    HTML(string=document).write_pdf(str(path))
    return path
