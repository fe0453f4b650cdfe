"""EDSS: the scale, and the score derived from Kurtzke functional systems and Neurostatus ambulation."""

from __future__ import annotations

from mescams.core.edss.scale import EDSS_STEPS, is_edss_step, require_edss_step

__all__ = ["EDSS_STEPS", "is_edss_step", "require_edss_step"]
