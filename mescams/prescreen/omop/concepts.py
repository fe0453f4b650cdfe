"""The OMOP concept sets of ``mescams/protocols/omop_concepts.yaml``, read, checked, and resolved in a source.

A concept set names concepts by vocabulary and code; :func:`resolve` turns them into the source's standard
concept_ids (with descendants through ``concept_ancestor``, minus excluded ones). An input whose concepts do not
resolve in the source is unavailable there, exactly like one the file lists as having no standard concept.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from mescams.errors import InputValidationError

__all__ = ["CONCEPTS_PATH", "Concept", "ConceptFile", "ConceptSet", "Resolved", "load_concepts"]

CONCEPTS_PATH = Path(__file__).resolve().parents[2] / "protocols" / "omop_concepts.yaml"
_CHECKED = {"eunomia", "phenotype-library", "ohdsi-vocabulary", "code-list", "recalled", "local"}


@dataclass(frozen=True, slots=True)
class Concept:
    vocabulary: str
    code: str
    name: str
    id: int | None = None
    descendants: bool = False
    exclude: bool = False
    checked: str = "recalled"

    @property
    def local(self) -> bool:
        return self.checked == "local"


@dataclass(frozen=True, slots=True)
class ConceptSet:
    """One input's concepts (``key`` such as ``drug:natalizumab`` or ``fact:edss``)."""

    key: str
    concepts: tuple[Concept, ...]
    domain: str = "condition"
    window_days: int | None = None
    also_in_observation: bool = False  # read from the observation table as well as the domain's own

    @property
    def local(self) -> bool:
        return any(c.local for c in self.concepts if not c.exclude)


@dataclass(frozen=True)
class ConceptFile:
    version: str
    gender: Mapping[str, int]
    values: Mapping[str, int]
    sets: Mapping[str, ConceptSet]
    unavailable: Mapping[str, str]
    unavailable_conditions: Mapping[str, str]

    def drug_names(self) -> list[str]:
        return [k.removeprefix("drug:") for k in self.sets if k.startswith("drug:")]

    def condition_codes(self) -> list[str]:
        return [k.removeprefix("condition:") for k in self.sets if k.startswith("condition:")]

    def course_names(self) -> list[str]:
        return [k.removeprefix("course:") for k in self.sets if k.startswith("course:")]


def _concept(raw: Any, where: str) -> Concept:
    if not isinstance(raw, dict):
        raise InputValidationError(where, "expected a concept mapping {vocabulary, code, name, ...}")
    for key in ("vocabulary", "code", "name"):
        if not isinstance(raw.get(key), str) or not raw[key]:
            raise InputValidationError(f"{where}.{key}", "is required (a non-empty string)")
    checked = raw.get("checked", "recalled")
    if checked not in _CHECKED:
        raise InputValidationError(f"{where}.checked", f"expected one of {sorted(_CHECKED)}, got {checked!r}")
    cid = raw.get("id")
    if cid is not None and (isinstance(cid, bool) or not isinstance(cid, int) or cid <= 0):
        raise InputValidationError(f"{where}.id", f"expected a positive concept_id, got {cid!r}")
    return Concept(raw["vocabulary"], raw["code"], raw["name"], cid, bool(raw.get("descendants", False)),
                   bool(raw.get("exclude", False)), checked)


def _set(key: str, raw: Any, where: str, domain: str = "condition", window: int | None = None,
         also_in_observation: bool = False) -> ConceptSet:
    if not isinstance(raw, list) or not raw:
        raise InputValidationError(where, "expected a non-empty list of concepts")
    return ConceptSet(key, tuple(_concept(c, f"{where}[{i}]") for i, c in enumerate(raw)), domain, window,
                      also_in_observation)


def load_concepts(path: Path | None = None) -> ConceptFile:
    """Read and check the concept file; a bad entry raises InputValidationError naming it."""
    file = path or CONCEPTS_PATH
    try:
        doc = yaml.safe_load(file.read_text(encoding="utf-8"))
    except OSError as exc:
        raise InputValidationError(str(file), f"cannot be read ({exc.strerror})") from None
    sets: dict[str, ConceptSet] = {}
    sets["ms:any"] = _set("ms:any", doc["ms"]["any"], "ms.any")
    for course, raw in doc["ms"]["courses"].items():
        sets[f"course:{course}"] = _set(f"course:{course}", raw, f"ms.courses.{course}")
    for name, raw in doc["facts"].items():
        domain = raw.get("domain")
        if domain not in ("condition", "measurement", "procedure"):
            raise InputValidationError(f"facts.{name}.domain", "expected condition, measurement or procedure")
        also = raw.get("also_in_observation", False)
        if not isinstance(also, bool):
            raise InputValidationError(f"facts.{name}.also_in_observation", f"expected true or false, got {also!r}")
        sets[f"fact:{name}"] = _set(f"fact:{name}", raw.get("concepts"), f"facts.{name}.concepts", domain,
                                    raw.get("window_days"), also)
    for group, domain in (("drugs", "drug"), ("conditions", "condition"), ("labs", "measurement")):
        prefix = {"drugs": "drug", "conditions": "condition", "labs": "lab"}[group]
        for name, raw in doc[group].items():
            sets[f"{prefix}:{name}"] = _set(f"{prefix}:{name}", raw, f"{group}.{name}", domain)
    unavailable = dict(doc.get("unavailable") or {})
    conditions = dict(unavailable.pop("conditions", None) or {})
    return ConceptFile(str(doc["version"]), dict(doc["gender"]), dict(doc["values"]), sets,
                       {k: str(v) for k, v in unavailable.items()}, {k: str(v) for k, v in conditions.items()})


@dataclass
class Resolved:
    """Concept ids per set in one source; ``missing`` says why a set did not resolve."""

    ids: dict[str, frozenset[int]] = field(default_factory=dict)
    roots: dict[str, tuple[tuple[int, bool, bool], ...]] = field(default_factory=dict)
    missing: dict[str, str] = field(default_factory=dict)

    def available(self, key: str) -> bool:
        return bool(self.ids.get(key))

    def items(self) -> Iterator[tuple[str, frozenset[int]]]:
        return iter(self.ids.items())


def resolve(concepts: ConceptFile, concept_rows: Iterable[tuple[int, str, str, str | None]],
            ancestor_rows: Iterable[tuple[int, int]], *, allow_local: bool = False) -> Resolved:
    """Resolve every set against the source's ``concept`` (id, vocabulary, code, standard) and
    ``concept_ancestor`` (ancestor, descendant) rows. Local concepts count only with ``allow_local``."""
    by_code: dict[tuple[str, str], int] = {}
    for cid, vocabulary, code, standard in concept_rows:
        if standard in ("S", "C") or vocabulary == "MESCAMS":
            by_code[(vocabulary, code)] = int(cid)
    children: dict[int, set[int]] = {}
    for ancestor, descendant in ancestor_rows:
        children.setdefault(int(ancestor), set()).add(int(descendant))
    out = Resolved()
    for key, cset in concepts.sets.items():
        if cset.local and not allow_local:
            out.missing[key] = "local concept (not standard): enable with --local-concepts"
            continue
        include: set[int] = set()
        exclude: set[int] = set()
        roots = []
        for c in cset.concepts:
            root = by_code.get((c.vocabulary, c.code))
            if root is None:
                continue
            found = {root} | (children.get(root, set()) if c.descendants else set())
            (exclude if c.exclude else include).update(found)
            roots.append((root, c.descendants, c.exclude))
        ids = frozenset(include - exclude)
        if ids:
            out.ids[key] = ids
            out.roots[key] = tuple(roots)
        else:
            codes = ", ".join(f"{c.vocabulary} {c.code}" for c in cset.concepts if not c.exclude)
            out.missing[key] = f"no standard concept {codes} in this source's vocabulary"
    return out
