"""Run every benchmark module listed in BENCHMARKS, in order; `python -m bench NAME` runs one."""

from __future__ import annotations

import importlib
import sys

BENCHMARKS: list[str] = []


def main(argv: list[str]) -> int:
    names = argv or BENCHMARKS
    if not names:
        print("no benchmarks registered yet")
        return 0
    for name in names:
        print(f"== bench.{name}", flush=True)
        importlib.import_module(f"bench.{name}").main()
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
