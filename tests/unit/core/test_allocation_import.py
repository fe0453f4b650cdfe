"""Parsing an imported allocation list (pure): the file's exact bytes are hashed, blocks are inferred where the
stratum returns to the ratio, and Excel-style files (BOM, CRLF, reordered columns) read the same."""

from __future__ import annotations

import hashlib

import pytest

from mescams.core.randomisation import parse_allocation_csv
from mescams.errors import InputValidationError

RATIO = {"MSC-PLACEBO": 1, "PLACEBO-MSC": 1}
ROWS = ["A,1,MSC-PLACEBO,C1", "A,2,PLACEBO-MSC,C2", "A,3,PLACEBO-MSC,C3", "A,4,PLACEBO-MSC,C4",
        "A,5,MSC-PLACEBO,C5", "A,6,MSC-PLACEBO,C6", "A,7,MSC-PLACEBO,C7"]


def test_blocks_are_inferred_and_the_exact_bytes_hashed() -> None:
    content = ("site,slot,sequence,product_code\n" + "\n".join(ROWS) + "\n").encode()
    parsed = parse_allocation_csv(content, sites=["A"], ratio=RATIO)
    assert [(s.number, s.block, s.block_size) for s in parsed.slots] == [
        (1, 1, 2), (2, 1, 2), (3, 2, 4), (4, 2, 4), (5, 2, 4), (6, 2, 4), (7, 3, 1)]
    assert parsed.sha256 == hashlib.sha256(content).hexdigest()
    assert parsed.warnings == ["site A, slots 7-7 (rows 8-8): sequences not in the ratio 1:1 within a block of at "
                               "most 4"]  # the cut last block, as a generated list's may be


def test_bom_crlf_and_column_order_do_not_matter() -> None:
    reordered = [",".join([r.split(",")[3], r.split(",")[0], r.split(",")[2], r.split(",")[1]]) for r in ROWS[:2]]
    content = ("\ufeffproduct_code, site ,sequence,slot\r\n" + "\r\n".join(reordered) + "\r\n").encode()
    parsed = parse_allocation_csv(content, sites=["A"], ratio=RATIO)
    assert [(s.site, s.number, s.sequence, s.product_code) for s in parsed.slots] == [
        ("A", 1, "MSC-PLACEBO", "C1"), ("A", 2, "PLACEBO-MSC", "C2")]
    assert parsed.warnings == []


def test_not_utf8_and_empty_files_are_refused() -> None:
    with pytest.raises(InputValidationError, match="file: must be UTF-8"):
        parse_allocation_csv(b"site,slot\n\xff", sites=["A"], ratio=RATIO)
    with pytest.raises(InputValidationError, match="file: has no slots"):
        parse_allocation_csv(b"site,slot,sequence,product_code\n", sites=["A"], ratio=RATIO)
