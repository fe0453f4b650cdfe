"""Protocol files shipped with mescams, and the one function that reads them from disk.

The core (``mescams.core.protocol``) validates documents without touching files; this module is the adapter
that reads the YAML. ``MESCAMS_PROTOCOL`` may point at an amended protocol file.
"""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path

from mescams.core.protocol import Protocol, parse_protocol_yaml
from mescams.errors import ProtocolError

__all__ = ["DEFAULT_PROTOCOL_PATH", "default_protocol", "load_protocol"]

DEFAULT_PROTOCOL_PATH = Path(__file__).with_name("mescams.yaml")


def load_protocol(path: str | os.PathLike[str] | None = None) -> Protocol:
    """Read and validate a protocol file; a missing file or bad field raises ProtocolError."""
    file = Path(path) if path is not None else Path(os.environ.get("MESCAMS_PROTOCOL") or DEFAULT_PROTOCOL_PATH)
    try:
        text = file.read_text(encoding="utf-8")
    except OSError as exc:
        raise ProtocolError([f"{file}: cannot be read ({exc.strerror})"]) from None
    except UnicodeDecodeError:
        raise ProtocolError([f"{file}: is not UTF-8 text"]) from None
    return parse_protocol_yaml(text)


@lru_cache(maxsize=1)
def default_protocol() -> Protocol:
    """The configured protocol, read once per process (it is immutable)."""
    return load_protocol()
