"""Errors of the interop area.

::

    MescamsError
    └── InputValidationError(field, rule)
        └── ExportError        a dataset breaks a transport rule (name, label, length, ASCII, schema)
            └── ImportFormatError   an imported document (ClinicalTrials.gov JSON, ODM) is malformed
"""

from __future__ import annotations

from mescams.errors import InputValidationError

__all__ = ["ExportError", "ImportFormatError"]


class ExportError(InputValidationError):
    """A dataset or document cannot be written without breaking its standard; names the field and the rule."""


class ImportFormatError(ExportError):
    """An input document does not have the shape its standard requires; names the field and the rule."""
