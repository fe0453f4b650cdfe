"""The shipped concept file: every entry says where it was checked, in a value the header explains, and no concept
id or code stands for two different things."""

from __future__ import annotations

import re

from mescams.prescreen.omop.concepts import CONCEPTS_PATH, load_concepts


def test_every_checked_value_is_explained_in_the_header() -> None:
    text = CONCEPTS_PATH.read_text(encoding="utf-8")
    header = text[: text.index("version:")]
    legend = set(re.findall(r"^#   ([a-z-]+) +- ", header, flags=re.MULTILINE))
    used = {c.checked for s in load_concepts().sets.values() for c in s.concepts}
    assert used <= legend, f"not explained in the header: {sorted(used - legend)}"


def test_ids_and_codes_are_one_to_one() -> None:
    by_code: dict[tuple[str, str], int | None] = {}
    by_id: dict[int, tuple[str, str]] = {}
    for cset in load_concepts().sets.values():
        for c in cset.concepts:
            key = (c.vocabulary, c.code)
            assert by_code.setdefault(key, c.id) == c.id, f"{key} has two ids"
            if c.id is not None:
                assert by_id.setdefault(c.id, key) == key, f"id {c.id} names {by_id[c.id]} and {key}"


def test_a_code_only_entry_has_no_unconfirmed_id() -> None:
    """A code confirmed only in code lists (no public concept_id) must not carry an id from memory."""
    for cset in load_concepts().sets.values():
        for c in cset.concepts:
            if c.checked == "code-list":
                assert c.id is None, f"{c.vocabulary} {c.code}: an id without a public source"
