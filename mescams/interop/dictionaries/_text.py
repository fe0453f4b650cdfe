"""Reading a dictionary's text file line by line, every failure naming file, line and field."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

from mescams.interop.dictionaries.errors import DictionaryFileError

__all__ = ["dollar_records", "flag", "lines_of", "meddra_code", "name_text", "required_file"]


def required_file(directory: Path, name: str) -> Path:
    """The file ``name`` of the distribution, found case-insensitively (deliveries differ: ``DD.txt``/``dd.txt``)."""
    if not directory.is_dir():
        raise DictionaryFileError(str(directory), 0, "directory", "is not a directory")
    wanted = name.lower()
    for path in sorted(directory.iterdir()):
        if path.name.lower() == wanted and path.is_file():
            return path
    raise DictionaryFileError(name, 0, "file", f"is missing from {directory}")


def lines_of(path: Path) -> Iterator[tuple[int, str]]:
    """(1-based line number, text without its line ending) for every non-blank line; UTF-8 (ASCII is UTF-8)."""
    raw = path.read_bytes()
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    for number, chunk in enumerate(raw.split(b"\n"), start=1):
        line = chunk.rstrip(b"\r")
        if not line.strip():
            continue
        try:
            yield number, line.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise DictionaryFileError(path.name, number, "text", f"is not UTF-8 text (byte {exc.start + 1})") from exc


def dollar_records(path: Path, fields: tuple[str, ...], *,
                   at_least: bool = False) -> Iterator[tuple[int, dict[str, str]]]:
    """The ``$``-separated records of an MSSO ASCII file, as field name -> text (each line ends with ``$``).

    ``at_least``: the file may carry more fields than named (the release file), which are ignored.
    """
    for number, line in lines_of(path):
        parts = line.split("$")
        if parts and parts[-1] == "":
            parts = parts[:-1]  # the terminating '$'
        if len(parts) < len(fields) or (not at_least and len(parts) > len(fields)):
            raise DictionaryFileError(path.name, number, fields[min(len(parts), len(fields) - 1)],
                                      f"expected {len(fields)} '$'-separated fields ({', '.join(fields)}), "
                                      f"found {len(parts)}")
        yield number, dict(zip(fields, parts, strict=False))


_CODE = re.compile(r"\d{8}")


def meddra_code(file: str, line: int, field: str, text: str) -> int:
    """An 8-digit MedDRA code."""
    if not _CODE.fullmatch(text.strip()):
        raise DictionaryFileError(file, line, field, f"must be an 8-digit code, got {text!r}")
    return int(text)


def name_text(file: str, line: int, field: str, text: str, max_length: int) -> str:
    value = text.strip()
    if not value:
        raise DictionaryFileError(file, line, field, "must not be empty")
    if len(value) > max_length:
        raise DictionaryFileError(file, line, field, f"must be at most {max_length} characters, got {len(value)}")
    return value


def flag(file: str, line: int, field: str, text: str) -> bool:
    value = text.strip().upper()
    if value not in ("Y", "N"):
        raise DictionaryFileError(file, line, field, f"must be Y or N, got {text!r}")
    return value == "Y"
