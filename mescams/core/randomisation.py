"""The allocation list: permuted blocks of random size, stratified by site, re-derivable from a recorded seed.

Why this shape: the protocol allocates the sequences 1:1 (``design.allocation_ratio``); permuted blocks keep the
arms balanced within each site, and mixing block sizes (one and two multiples of the ratio's sum, i.e. 2 and 4
for 1:1) stops a site guessing the last allocation of a block. The randomness is a deterministic stream derived
from a secret seed with HMAC-SHA256 in counter mode (a cryptographically secure pseudo-random generator in the
sense of NIST SP 800-108's KDF in counter mode), so the unblinded statistician records the seed once and
:func:`verify_allocation_list` re-derives every slot from it. Each stratum (site) draws from its own stream,
labelled with the site code, so adding a site never changes another site's list.

Every slot also gets a blinded product code (fixed length, drawn from the same seed) that the cell-processing
lab uses to prepare MSC or placebo without the sites learning which.
"""

from __future__ import annotations

import csv
import hashlib
import hmac
import io
import secrets
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from mescams.errors import InputValidationError, MescamsError

__all__ = [
    "AllocationListMismatch",
    "AllocationSlot",
    "DeterministicStream",
    "block_sizes_for",
    "IMPORT_COLUMNS",
    "ImportedList",
    "compare_slots",
    "generate_allocation_list",
    "new_seed",
    "parse_allocation_csv",
    "verify_allocation_list",
]

PRODUCT_CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no I, O, 0, 1: read aloud and written by hand
PRODUCT_CODE_LENGTH = 8
GENERATOR_VERSION = "hmac-sha256-ctr/permuted-blocks/v1"
IMPORT_GENERATOR = "imported-csv/v1"
IMPORT_COLUMNS = ("site", "slot", "sequence", "product_code")


class AllocationListMismatch(MescamsError):
    """The stored allocation list differs from the one its seed derives; names the first differing slot."""


@dataclass(frozen=True)
class AllocationSlot:
    """One line of the list: the ``number``-th slot of a site's stratum and the sequence it allocates."""

    site: str
    number: int
    block: int
    block_size: int
    sequence: str
    product_code: str


class DeterministicStream:
    """Uniform integers from HMAC-SHA256(seed, label || counter): secure, reproducible, unbiased."""

    def __init__(self, seed: bytes, label: str) -> None:
        if len(seed) < 16:
            raise InputValidationError("seed", "must be at least 128 bits (32 hexadecimal digits)")
        self._seed = seed
        self._label = label.encode("utf-8")
        self._counter = 0
        self._buffer = b""

    def _bytes(self, n: int) -> bytes:
        while len(self._buffer) < n:
            message = self._label + b"|" + self._counter.to_bytes(8, "big")
            self._buffer += hmac.new(self._seed, message, hashlib.sha256).digest()
            self._counter += 1
        out, self._buffer = self._buffer[:n], self._buffer[n:]
        return out

    def below(self, n: int) -> int:
        """A uniform integer in [0, n) by rejection sampling on 64-bit draws (no modulo bias)."""
        if n < 1:
            raise ValueError("n must be positive")
        limit = (1 << 64) - ((1 << 64) % n)
        while True:
            value = int.from_bytes(self._bytes(8), "big")
            if value < limit:
                return value % n

    def shuffle(self, items: list[str]) -> list[str]:
        """Fisher-Yates shuffle of a copy of ``items``."""
        out = list(items)
        for i in range(len(out) - 1, 0, -1):
            j = self.below(i + 1)
            out[i], out[j] = out[j], out[i]
        return out


def new_seed() -> str:
    """A fresh 256-bit seed as hexadecimal, from the operating system's CSPRNG; record it with the list."""
    return secrets.token_hex(32)


def _seed_bytes(seed: str) -> bytes:
    try:
        return bytes.fromhex(seed)
    except ValueError:
        raise InputValidationError("seed", "must be hexadecimal") from None


def block_sizes_for(ratio: Mapping[str, int], multiples: Sequence[int] = (1, 2)) -> tuple[int, ...]:
    """Block sizes as multiples of the ratio's sum: (2, 4) for 1:1."""
    total = sum(ratio.values())
    return tuple(total * m for m in multiples)


def _product_code(stream: DeterministicStream) -> str:
    return "".join(PRODUCT_CODE_ALPHABET[stream.below(len(PRODUCT_CODE_ALPHABET))] for _ in range(PRODUCT_CODE_LENGTH))


def generate_allocation_list(
    *,
    seed: str,
    sites: Iterable[str],
    ratio: Mapping[str, int],
    slots_per_site: int,
    block_multiples: Sequence[int] = (1, 2),
) -> list[AllocationSlot]:
    """Allocation list of exactly ``slots_per_site`` slots per site, site by site.

    ``ratio`` maps sequence code to its weight (the protocol's ``allocation_ratio``); each block holds
    ``weight * multiple`` slots of each sequence in random order, the multiple drawn uniformly from
    ``block_multiples``. The last block is cut at ``slots_per_site``: the list's length must not depend on the
    random block sizes, because its length leaks to blinded roles through counts (e.g. the audit trail's
    sequence numbers). Size the list above the expected enrolment so the cut block is never reached.
    """
    if slots_per_site < 1:
        raise InputValidationError("slots_per_site", "must be at least 1")
    if not ratio or any(w < 1 for w in ratio.values()):
        raise InputValidationError("ratio", "needs at least one sequence, each with a positive weight")
    key = _seed_bytes(seed)
    sequences = sorted(ratio)
    slots: list[AllocationSlot] = []
    seen_codes: set[str] = set()
    for site in sites:
        blocks = DeterministicStream(key, f"blocks|{site}")
        codes = DeterministicStream(key, f"product-codes|{site}")
        number, block = 0, 0
        while number < slots_per_site:
            block += 1
            multiple = block_multiples[blocks.below(len(block_multiples))]
            contents = [s for s in sequences for _ in range(ratio[s] * multiple)]
            for sequence in blocks.shuffle(contents):
                if number == slots_per_site:
                    break
                number += 1
                code = _product_code(codes)
                while code in seen_codes:  # astronomically rare; deterministic all the same
                    code = _product_code(codes)
                seen_codes.add(code)
                slots.append(AllocationSlot(site, number, block, len(contents), sequence, code))
    return slots


def verify_allocation_list(
    stored: Sequence[AllocationSlot],
    *,
    seed: str,
    sites: Iterable[str],
    ratio: Mapping[str, int],
    block_multiples: Sequence[int] = (1, 2),
    slots_per_site: int | None = None,
) -> int:
    """Re-derive the list from ``seed`` and compare slot by slot; return the number of slots checked.

    ``slots_per_site`` is the length recorded when the list was generated (without it, the stored length is
    trusted, so a slot deleted from the end would go unnoticed).

    Raises :class:`AllocationListMismatch` naming the first slot that differs.
    """
    site_list = list(sites)
    per_site = {s: slots_per_site if slots_per_site is not None else sum(1 for x in stored if x.site == s)
                for s in site_list}
    expected: list[AllocationSlot] = []
    for site in site_list:
        if per_site[site]:
            expected += generate_allocation_list(
                seed=seed, sites=[site], ratio=ratio, slots_per_site=per_site[site], block_multiples=block_multiples
            )
    ordered = sorted(stored, key=lambda s: (site_list.index(s.site) if s.site in site_list else -1, s.number))
    for want, got in zip(expected, ordered, strict=False):
        if want != got:
            raise AllocationListMismatch(
                f"slot {got.site}-{got.number}: stored {got.sequence}/{got.product_code}/block {got.block}, "
                f"the seed derives {want.sequence}/{want.product_code}/block {want.block}"
            )
    if len(expected) != len(ordered):
        raise AllocationListMismatch(f"stored list has {len(ordered)} slots; the seed derives {len(expected)}")
    return len(expected)


@dataclass(frozen=True)
class ImportedList:
    """An allocation list read from a CSV made elsewhere: its slots, the file's SHA-256 and non-fatal warnings."""

    slots: list[AllocationSlot]
    sha256: str
    warnings: list[str]


def _cell(row: Mapping[str, str | None], line: int, column: str) -> str:
    value = (row.get(column) or "").strip()
    if not value:
        raise InputValidationError(f"row {line}, column {column}", "must not be empty")
    return value


def _infer_blocks(site: str, rows: list[tuple[int, int, str, str]], ratio: Mapping[str, int],
                  largest_block: int, warnings: list[str]) -> list[AllocationSlot]:
    """Blocks are not in the file: a block ends where the stratum's counts return to the ratio. A run longer than
    the largest permitted block without returning to the ratio is reported as a warning (the list may be valid
    by another design, so the statistician decides)."""
    total = sum(ratio.values())
    slots: list[AllocationSlot] = []
    current: list[tuple[int, int, str, str]] = []
    block = 0

    def close(final: bool) -> None:
        nonlocal block
        if not current:
            return
        block += 1
        if len(current) > largest_block or (final and len(current) % total != 0):
            warnings.append(f"site {site}, slots {current[0][1]}-{current[-1][1]} (rows {current[0][0]}-"
                            f"{current[-1][0]}): sequences not in the ratio "
                            f"{':'.join(str(ratio[s]) for s in sorted(ratio))} within a block of at most "
                            f"{largest_block}")
        slots.extend(AllocationSlot(site, number, block, len(current), sequence, code)
                     for _line, number, sequence, code in current)
        current.clear()

    counts = dict.fromkeys(ratio, 0)
    for item in rows:
        current.append(item)
        counts[item[2]] += 1
        k = len(current) // total if len(current) % total == 0 else 0
        if k and all(counts[s] == ratio[s] * k for s in ratio):
            close(final=False)
            counts = dict.fromkeys(ratio, 0)
    close(final=True)
    return slots


def parse_allocation_csv(
    content: bytes,
    *,
    sites: Iterable[str],
    ratio: Mapping[str, int],
    block_multiples: Sequence[int] = (1, 2),
) -> ImportedList:
    """Read and validate an allocation list made elsewhere (columns ``site, slot, sequence, product_code``).

    Errors name the row (the file's line number, header = 1) and the column: unknown site or sequence, a slot that
    is not a positive whole number, a duplicate slot within a site, gaps (each site's slots must be 1..n), a
    product code used twice. Sequences out of the ratio within a block are only warnings.
    """
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InputValidationError("file", "must be UTF-8 text") from None
    reader = csv.DictReader(io.StringIO(text, newline=""))
    header = [h.strip() for h in (reader.fieldnames or [])]
    missing = [c for c in IMPORT_COLUMNS if c not in header]
    if missing:
        raise InputValidationError("row 1 (header)", f"missing column(s) {', '.join(missing)}; "
                                                     f"expected {', '.join(IMPORT_COLUMNS)}")
    reader.fieldnames = header
    site_list = list(sites)
    by_site: dict[str, dict[int, tuple[int, int, str, str]]] = {s: {} for s in site_list}
    codes: dict[str, int] = {}
    for index, row in enumerate(reader):
        line = index + 2
        site = _cell(row, line, "site")
        if site not in by_site:
            raise InputValidationError(f"row {line}, column site", f"unknown site {site!r}; "
                                                                    f"expected one of {', '.join(site_list)}")
        raw_slot = _cell(row, line, "slot")
        if not raw_slot.isdigit() or int(raw_slot) < 1:
            raise InputValidationError(f"row {line}, column slot", "must be a positive whole number")
        number = int(raw_slot)
        if number in by_site[site]:
            first = by_site[site][number][0]
            raise InputValidationError(f"row {line}, column slot",
                                       f"duplicate slot {number} of site {site} (first on row {first})")
        sequence = _cell(row, line, "sequence")
        if sequence not in ratio:
            raise InputValidationError(f"row {line}, column sequence", f"unknown sequence {sequence!r}; "
                                                                        f"expected one of {', '.join(sorted(ratio))}")
        code = _cell(row, line, "product_code")
        if len(code) > 16:
            raise InputValidationError(f"row {line}, column product_code", "must be at most 16 characters")
        if code in codes:
            raise InputValidationError(f"row {line}, column product_code",
                                       f"product code {code} already used on row {codes[code]}")
        codes[code] = line
        by_site[site][number] = (line, number, sequence, code)
    if not codes:
        raise InputValidationError("file", "has no slots")
    warnings: list[str] = []
    slots: list[AllocationSlot] = []
    largest = max(block_sizes_for(ratio, block_multiples))
    for site in site_list:
        numbers = sorted(by_site[site])
        if not numbers:
            raise InputValidationError("column site", f"no slots for site {site}")
        for expected, number in enumerate(numbers, start=1):
            if number != expected:
                line = by_site[site][number][0]
                raise InputValidationError(f"row {line}, column slot",
                                           f"gap in site {site}: slot {expected} is missing before slot {number}")
        slots += _infer_blocks(site, [by_site[site][n] for n in numbers], ratio, largest, warnings)
    return ImportedList(slots, hashlib.sha256(content).hexdigest(), warnings)


def compare_slots(expected: Sequence[AllocationSlot], stored: Sequence[AllocationSlot], source: str) -> int:
    """Compare two lists slot by slot (site, number, sequence, product code); raise naming the first difference."""
    want = {(s.site, s.number): s for s in expected}
    got = {(s.site, s.number): s for s in stored}
    for key in sorted(want.keys() | got.keys()):
        a, b = want.get(key), got.get(key)
        if a is None or b is None or (a.sequence, a.product_code) != (b.sequence, b.product_code):
            stored_text = f"{b.sequence}/{b.product_code}" if b else "nothing"
            source_text = f"{a.sequence}/{a.product_code}" if a else "nothing"
            raise AllocationListMismatch(f"slot {key[0]}-{key[1]}: stored {stored_text}, {source} has {source_text}")
    return len(want)
