"""axe-core in the browser tests: run its rules (WCAG 2.x A and AA, and best practice) on the page as laid out and
count the violations by impact. The script comes from npm (``.axe/``, installed by
``scripts/install-system-deps.sh``); pages are opened in a context that lets Playwright inject it despite the
pages' script policy (``bypass_csp``), which changes nothing else."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tests.conftest import require

AXE = Path(__file__).resolve().parents[3] / ".axe" / "node_modules" / "axe-core" / "axe.min.js"
BLOCKING = ("serious", "critical")
RUN = """async () => {
  const r = await axe.run(document, {resultTypes: ['violations']});
  return r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
                                 targets: v.nodes.slice(0, 3).map(n => n.target.join(' '))}));
}"""


def axe_available() -> None:
    require(AXE.is_file(), f"axe-core not installed at {AXE} (make system-deps installs it from npm)")


def violations(page: Any) -> list[dict[str, Any]]:
    """axe-core's violations on the page as it stands."""
    if not page.evaluate("typeof axe !== 'undefined'"):
        page.add_script_tag(path=str(AXE))
    return list(page.evaluate(RUN))


class AxeTally:
    """Violations per page, by impact; printed as one line per page and a total (the test output's count)."""

    def __init__(self) -> None:
        self.pages: dict[str, list[dict[str, Any]]] = {}

    def check(self, page: Any, label: str) -> list[dict[str, Any]]:
        found = violations(page)
        self.pages[label] = found
        blocking = [v for v in found if v["impact"] in BLOCKING]
        print(f"axe {label}: {len(found)} violation(s), {len(blocking)} serious or critical"
              + "".join(f"\n    {v['impact']} {v['id']}: {v['help']} {v['targets']}" for v in blocking))
        return blocking

    def blocking(self) -> dict[str, list[str]]:
        return {label: [f"{v['impact']} {v['id']} {v['targets']}" for v in found if v["impact"] in BLOCKING]
                for label, found in self.pages.items() if any(v["impact"] in BLOCKING for v in found)}

    def summary(self) -> str:
        counts = {impact: sum(1 for found in self.pages.values() for v in found if v["impact"] == impact)
                  for impact in ("minor", "moderate", "serious", "critical")}
        return (f"axe-core on {len(self.pages)} pages: " + ", ".join(f"{n} {k}" for k, n in counts.items()))
