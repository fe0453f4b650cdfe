"""A refused request is one line in the server log, not a traceback.

Django logs every 403 (``django.request``: "Forbidden (Permission denied): /path") with the exception's whole
traceback. A refusal is the access rules working, not a fault: a traceback per refusal buries real errors, and
someone probing the pages would fill the log. The line keeps the path and the refusal's reason."""

from __future__ import annotations

import logging


class OneLineForbidden(logging.Filter):
    """Strip the traceback from 403 records, keeping the exception's message on the same line."""

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "status_code", None) == 403 and record.exc_info:
            exc = record.exc_info[1]
            record.msg = f"{record.getMessage()} ({exc})" if exc is not None and str(exc) else record.getMessage()
            record.args = None
            record.exc_info = None
            record.exc_text = None
        return True
