"""Validate ClinicalTrials.gov API v2 JSON against a component schema of the API's OpenAPI 3.0 description.

Why this way: the API publishes its data structures only as OpenAPI components (Study, ResultsSection, ...); we
wrap the document's ``components`` in a JSON Schema whose root is a ``$ref`` to the component we want, and run
jsonschema's draft-4 validator (OpenAPI 3.0 schema objects are a draft-4 dialect).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from mescams.interop.errors import ExportError

__all__ = ["load_openapi", "validate_component"]


def load_openapi(path: Path) -> dict[str, Any]:
    import yaml

    try:
        doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ExportError(str(path), f"cannot be read ({exc.strerror})") from None
    if not isinstance(doc, dict) or "components" not in doc:
        raise ExportError(str(path), "is not an OpenAPI document with components")
    return doc


def validate_component(document: object, openapi: dict[str, Any], component: str, *, label: str = "document") -> None:
    """Raise :class:`ExportError` naming the JSON path of the first violation of ``components/schemas/<component>``."""
    import jsonschema

    schemas = openapi["components"]["schemas"]
    if component not in schemas:
        raise ExportError(component, "is not a component schema of the OpenAPI document")
    schema = {"$ref": f"#/components/schemas/{component}", "components": openapi["components"]}
    validator = jsonschema.Draft4Validator(schema)
    errors = sorted(validator.iter_errors(document), key=lambda e: list(e.absolute_path))
    if errors:
        first = errors[0]
        where = "/".join(str(p) for p in first.absolute_path) or "(root)"
        raise ExportError(f"{label} {where}", f"{first.message} (component {component})")
