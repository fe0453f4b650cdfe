"""The node's analysis data for federated requests, built once and kept while the trial's data do not change.

Built from the analysis-data export (the same files and derivations as ``mescams analyze``), so a node's part of
the pooled fit is the part its own analysis would use. Kept in the process, keyed by the last audit entry of trial
data (the federated requests' own entries and export entries do not count), so a Newton iteration costs one
query rather than an export; any change of trial data makes the next request rebuild it.
"""

from __future__ import annotations

import tempfile
import threading
from pathlib import Path

from django.db.models import Max

from mescams.edc.audit.context import Actor
from mescams.edc.audit.models import AuditEntry
from mescams.edc.export.analysis_data import write_analysis_data
from mescams.protocols import default_protocol
from mescams.stats.analysis_data import read_analysis_data
from mescams.stats.federated.node import NodeAnalysis

__all__ = ["node_analysis"]

_NOT_DATA = ("export", "federation_coordinator", "federation_approval")
_lock = threading.Lock()
_cache: dict[str, tuple[int, NodeAnalysis]] = {}


def node_analysis(actor: Actor) -> NodeAnalysis:
    """This node's :class:`NodeAnalysis` at the current state of its trial data."""
    head = AuditEntry.objects.exclude(table__in=_NOT_DATA).aggregate(last=Max("seq"))["last"] or 0
    with _lock:
        kept = _cache.get("node")
        if kept is not None and kept[0] == head:
            return kept[1]
        protocol = default_protocol()
        with tempfile.TemporaryDirectory(prefix="mescams-federated-") as tmp:
            write_analysis_data(Path(tmp), actor=actor, reason="federated analysis (aggregates only leave the node)")
            built = NodeAnalysis.from_analysis_data(read_analysis_data(Path(tmp), protocol), protocol)
        _cache["node"] = (head, built)
        return built
