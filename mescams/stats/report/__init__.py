"""The DSMB report: figures (matplotlib), HTML (Jinja2) and PDF (WeasyPrint)."""
