"""The error of a dictionary file that does not have its delivered format: it names file, line and field."""

from __future__ import annotations

from mescams.interop.errors import ImportFormatError

__all__ = ["DictionaryFileError"]


class DictionaryFileError(ImportFormatError):
    """A dictionary file breaks its format; ``file``, ``line`` (1-based, 0 for the whole file) and ``field``
    say where, so the person loading it can open the file at that line."""

    def __init__(self, file: str, line: int, field: str, rule: str) -> None:
        self.file, self.line, self.column = file, line, field
        where = f"{file}, line {line}" if line else file
        super().__init__(f"{where}, field {field}", rule)
