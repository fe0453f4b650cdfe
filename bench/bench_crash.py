"""`make bench` entry for the crash harness (bench/crash.py): 20 SIGKILLs per database under 20 writing clients."""

from __future__ import annotations

from bench.crash import main

__all__ = ["main"]
