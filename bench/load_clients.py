"""Concurrent HTTP clients for the load benchmarks: paced (people entering data) or saturating (capacity).

Paced clients model people at keyboards, not a synchronised robot army: each starts at a random moment of its
first think time and then waits an exponentially distributed think time (mean ``think_s``) between requests, so
arrivals are close to a Poisson stream of ``clients / think_s`` requests per second. Latency is measured from the
moment the request was *scheduled*, not from when the client got round to sending it: a server that falls behind
pays for every request that queued behind a slow one (no coordinated omission). A schedule with fixed pauses
after each answer (``sleep(1)`` in every client) instead makes all clients fire in the same instant once a second
and measures that burst's queue, whatever the server's speed.

Saturating clients (``think_s=0``) send their next request as soon as the last one is answered: throughput is the
server's capacity, and latency is mostly time in the queue (Little's law: clients / throughput).
"""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

__all__ = ["Outcome", "Request", "percentile", "run_clients", "summary_line"]

Request = Callable[[Any, int, int, random.Random], tuple[str, Any]]
"""``request(http, client, n, rng) -> (kind, response)``: client number ``client``'s ``n``-th request."""


@dataclass
class Outcome:
    """Latencies (seconds) by kind of request, error statuses (0: no answer) and acknowledged writes."""

    latency: dict[str, list[float]] = field(default_factory=dict)
    errors: list[int] = field(default_factory=list)
    acked: dict[str, int] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def record(self, kind: str, seconds: float, status: int) -> None:
        with self.lock:
            self.latency.setdefault(kind, []).append(seconds)
            if 200 <= status < 300:
                self.acked[kind] = self.acked.get(kind, 0) + 1
            else:
                self.errors.append(status)

    def all_latencies(self) -> list[float]:
        return [s for values in self.latency.values() for s in values]


def percentile(values: list[float], q: float) -> float:
    """The ``q``-th percentile (nearest rank) of ``values``; NaN when empty."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q / 100 * (len(ordered) - 1))))]


def _client(http: Any, index: int, request: Request, think_s: float, stop_at: float, out: Outcome) -> None:
    import httpx

    rng = random.Random(index)
    scheduled = time.perf_counter() + (rng.uniform(0, think_s) if think_s else 0.0)
    n = 0
    while True:
        if think_s:
            delay = scheduled - time.perf_counter()
            if delay > 0:
                time.sleep(delay)
        start = scheduled if think_s else time.perf_counter()
        if start >= stop_at:
            return
        n += 1
        try:
            kind, response = request(http, index, n, rng)
            status = response.status_code
        except httpx.HTTPError:
            kind, status = "failed", 0
        done = time.perf_counter()
        out.record(kind, done - start, status)
        if think_s:
            scheduled += rng.expovariate(1 / think_s)


def run_clients(sessions: list[Any], request: Request, seconds: float, think_s: float = 0.0) -> Outcome:
    """Run one thread per logged-in ``session`` for ``seconds``; see the module docstring for ``think_s``."""
    out = Outcome()
    stop_at = time.perf_counter() + seconds
    threads = [threading.Thread(target=_client, args=(http, i, request, think_s, stop_at, out), daemon=True)
               for i, http in enumerate(sessions)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=seconds + 120)
    return out


def summary_line(label: str, out: Outcome, seconds: float) -> tuple[str, dict[str, float]]:
    """A printable line and the figures (throughput per second, p50/p95/p99 in ms) of one run."""
    both = out.all_latencies()
    figures = {"throughput": len(both) / seconds, "p50": percentile(both, 50) * 1000,
               "p95": percentile(both, 95) * 1000, "p99": percentile(both, 99) * 1000}
    kinds = ", ".join(f"{kind} p95 {percentile(v, 95) * 1000:.1f} ms" for kind, v in sorted(out.latency.items()))
    line = (f"{label}: {len(both)} requests in {seconds:.0f} s = {figures['throughput']:.1f}/s; p50 "
            f"{figures['p50']:.1f} ms, p95 {figures['p95']:.1f} ms, p99 {figures['p99']:.1f} ms ({kinds}); "
            f"errors {len(out.errors)} {sorted(set(out.errors))[:5]}")
    return line, figures
