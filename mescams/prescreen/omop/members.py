"""Which concept_ids belong to each concept set, written into the mapping SQL in one of two ways.

:class:`ResolvedMembers` writes the ids resolved beforehand in the source's vocabulary (one small query there, then
literal id lists: the fastest plan). :class:`RuntimeMembers` writes SQL that resolves the sets itself, joining the
file's (vocabulary, code) pairs to the ``concept`` and ``concept_ancestor`` tables of whatever database runs it: the
query for ``--emit-sql`` without a source. Both give the same ids as :func:`.concepts.resolve`: standard (or
MESCAMS-local) concepts by vocabulary and code, their descendants where asked, minus the excluded ones.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Protocol

from mescams.prescreen.omop.concepts import ConceptFile, Resolved

__all__ = ["COURSE_PRIORITY", "ConceptMembers", "ResolvedMembers", "RuntimeMembers", "key_parts"]

COURSE_PRIORITY = {"PPMS": 3, "SPMS": 2, "RRMS": 1}
SETS_TABLE = "omop_concept_sets"
NO_COURSE = "(-1, '', 0)"  # a never-matching row: VALUES may not be empty


def key_parts(key: str) -> tuple[str, str]:
    """``drug:natalizumab`` -> (``drug``, ``natalizumab``)."""
    kind, _, name = key.partition(":")
    return kind, name


def _quote(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


class ConceptMembers(Protocol):
    def prelude(self) -> list[tuple[str, str]]:
        """CTEs (name, SQL) the other parts refer to."""

    def ids(self, key: str) -> str:
        """SQL for ``IN (...)``: the set's concept_ids."""

    def ms_ids(self) -> str:
        """SQL for ``IN (...)``: MS and every course."""

    def named(self, kind: str, column: str) -> str:
        """A FROM item ``m(concept_id, <column>)``: every concept of the sets of one kind, with the set's name."""

    def courses(self) -> str:
        """A FROM item ``cr(concept_id, course, priority)``."""

    def available(self, key: str) -> str:
        """SQL boolean: the set has at least one concept."""


def _literal_ids(ids: Iterable[int]) -> str:
    values = sorted(ids)
    return ", ".join(str(i) for i in values) if values else "NULL"


class ResolvedMembers:
    """Literal ids from a :class:`Resolved`."""

    def __init__(self, resolved: Resolved) -> None:
        self.resolved = resolved

    def prelude(self) -> list[tuple[str, str]]:
        return []

    def ids(self, key: str) -> str:
        return _literal_ids(self.resolved.ids.get(key, frozenset()))

    def ms_ids(self) -> str:
        out = set(self.resolved.ids.get("ms:any", frozenset()))
        for key, ids in self.resolved.items():
            if key.startswith("course:"):
                out |= ids
        return _literal_ids(out)

    def named(self, kind: str, column: str) -> str:
        pairs = sorted((cid, key_parts(key)[1]) for key, ids in self.resolved.items()
                       if key_parts(key)[0] == kind for cid in ids) or [(-1, "")]  # VALUES may not be empty
        body = ", ".join(f"({cid}, {_quote(name)})" for cid, name in pairs)
        return f"(VALUES {body}) AS m(concept_id, {column})"

    def courses(self) -> str:
        rows = sorted((cid, key_parts(key)[1]) for key, ids in self.resolved.items() if key.startswith("course:")
                      for cid in ids)
        body = ", ".join(f"({cid}, {_quote(name)}, {COURSE_PRIORITY[name]})" for cid, name in rows)
        return f"(VALUES {body or NO_COURSE}) AS cr(concept_id, course, priority)"

    def available(self, key: str) -> str:
        return "TRUE" if self.resolved.available(key) else "FALSE"


class RuntimeMembers:
    """SQL that resolves the file's sets in the running database's own vocabulary tables."""

    def __init__(self, concepts: ConceptFile, *, allow_local: bool) -> None:
        self.concepts, self.allow_local = concepts, allow_local

    def usable(self, key: str) -> bool:
        """A set the SQL may resolve: in the file, and not local unless local concepts are allowed."""
        cset = self.concepts.sets.get(key)
        return cset is not None and (self.allow_local or not cset.local)

    def prelude(self) -> list[tuple[str, str]]:
        rows = []
        for key, cset in self.concepts.sets.items():
            if not self.usable(key):
                continue
            kind, name = key_parts(key)
            for c in cset.concepts:
                rows.append(f"({_quote(kind)}, {_quote(name)}, {_quote(c.vocabulary)}, {_quote(c.code)}, "
                            f"{'TRUE' if c.descendants else 'FALSE'}, {'TRUE' if c.exclude else 'FALSE'})")
        codes = (f"(VALUES {', '.join(rows)}) AS k(kind, name, vocabulary_id, concept_code, descendants, excluded)"
                 if rows else "(SELECT '' AS kind, '' AS name, '' AS vocabulary_id, '' AS concept_code, "
                              "FALSE AS descendants, FALSE AS excluded WHERE 1 = 0) AS k")
        return [
            ("omop_set_roots", f"""
                SELECT k.kind, k.name, k.descendants, k.excluded, c.concept_id
                FROM {codes} JOIN concept AS c ON c.vocabulary_id = k.vocabulary_id
                  AND c.concept_code = k.concept_code
                  AND (c.standard_concept IN ('S', 'C') OR c.vocabulary_id = 'MESCAMS')"""),
            ("omop_set_members", """
                SELECT kind, name, excluded, concept_id FROM omop_set_roots
                UNION
                SELECT r.kind, r.name, r.excluded, a.descendant_concept_id FROM omop_set_roots AS r
                JOIN concept_ancestor AS a ON a.ancestor_concept_id = r.concept_id WHERE r.descendants"""),
            (SETS_TABLE, """
                SELECT DISTINCT i.kind, i.name, i.concept_id FROM omop_set_members AS i
                WHERE NOT i.excluded AND NOT EXISTS (
                  SELECT 1 FROM omop_set_members AS x WHERE x.excluded AND x.kind = i.kind AND x.name = i.name
                    AND x.concept_id = i.concept_id)"""),
        ]

    def _where(self, key: str) -> str:
        kind, name = key_parts(key)
        return f"kind = {_quote(kind)} AND name = {_quote(name)}"

    def ids(self, key: str) -> str:
        return f"SELECT concept_id FROM {SETS_TABLE} WHERE {self._where(key)}"

    def ms_ids(self) -> str:
        return f"SELECT concept_id FROM {SETS_TABLE} WHERE kind IN ('ms', 'course')"

    def named(self, kind: str, column: str) -> str:
        return f"(SELECT concept_id, name AS {column} FROM {SETS_TABLE} WHERE kind = {_quote(kind)}) AS m"

    def courses(self) -> str:
        ranks = ", ".join(f"({_quote(name)}, {rank})" for name, rank in COURSE_PRIORITY.items())
        return (f"(SELECT s.concept_id, s.name AS course, p.priority FROM {SETS_TABLE} AS s "
                f"JOIN (VALUES {ranks}) AS p(course, priority) ON s.name = p.course WHERE s.kind = 'course') AS cr")

    def available(self, key: str) -> str:
        return f"EXISTS (SELECT 1 FROM {SETS_TABLE} WHERE {self._where(key)})"
