"""Where an export's clinical data comes from: the EDC database (through an adapter) or the seeded demo trial.

Why explicit: exports carry treatment allocation, so the command line never silently falls back to fake data; the
demo trial is used only when asked for with ``--demo SEED``.
"""

from __future__ import annotations

import importlib

from mescams.core.protocol import Protocol
from mescams.interop.errors import ExportError
from mescams.interop.snapshot import TrialSnapshot

__all__ = ["load_snapshot"]


def load_snapshot(protocol: Protocol, *, demo_seed: int | None) -> TrialSnapshot:
    """The demo trial for ``demo_seed``, else the database's data through ``mescams.interop.from_edc``."""
    if demo_seed is not None:
        from mescams.interop._demo_snapshot import demo_snapshot

        return demo_snapshot(protocol, seed=demo_seed)
    try:
        adapter = importlib.import_module("mescams.interop.from_edc")
    except ImportError:
        raise ExportError(
            "--demo",
            "the EDC database adapter (mescams.interop.from_edc) is not available yet; pass --demo SEED "
            "to export the generated demo trial",
        ) from None
    snapshot: TrialSnapshot = adapter.snapshot_from_database(protocol)
    return snapshot
