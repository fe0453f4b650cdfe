"""Hostile input against the running API: schemathesis cases from /api/openapi.json, sent as every role.

Cases are spread over every operation and, round robin, over one logged-in session per role. Each answer must not
be a server error, must be a documented status with a body matching the schema (schemathesis' conformance
checks), and, for a blinded role, must carry no allocation (no sequence, no MSC/placebo label, no cell counts).
Log-in and log-out are left out (they would end the sessions or trip the log-in rate limit).
:func:`hostile_bodies` then sends a body nested 5,000 deep and one of 3 MB to every operation (log-in included),
anonymous and as a role: never a 5xx.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass, field
from typing import Any

EXCLUDED = {"/api/auth/login", "/api/auth/logout"}
# The one answer that reveals allocation by design: an investigator's own emergency unblinding.
EXEMPT = {("investigator", "/api/participants/{participant_id}/emergency-unblinding")}
BLINDED = ("site_coordinator", "investigator", "edss_rater", "mri_reader", "data_manager", "administrator")
ALLOCATION_TEXT = re.compile(rb"MSC-PLACEBO|PLACEBO-MSC|\"(sequence|cells_infused|cells_per_kg|viability_percent|"
                             rb"products_by_visit)\":\s*(?!\s|null)")


@dataclass
class FuzzReport:
    cases: int = 0
    server_errors: int = 0
    statuses: dict[int, int] = field(default_factory=dict)
    failures: list[str] = field(default_factory=list)
    leaks: list[str] = field(default_factory=list)

    def line(self) -> str:
        return (f"{self.cases} cases, {self.server_errors} 5xx, {len(self.failures)} schema/conformance failures, "
                f"{len(self.leaks)} allocation leaks; statuses {dict(sorted(self.statuses.items()))}")


def sessions(base: str, users: dict[str, str], password: str) -> dict[str, Any]:
    """One logged-in requests session per role (session cookie plus CSRF header)."""
    import requests

    out = {}
    for role, username in users.items():
        s = requests.Session()
        token = s.get(f"{base}/api/auth/csrf", timeout=30).json()["csrf_token"]
        r = s.post(f"{base}/api/auth/login", json={"username": username, "password": password},
                   headers={"X-CSRFToken": token, "Referer": base}, timeout=30)
        r.raise_for_status()
        s.headers.update({"X-CSRFToken": s.cookies["csrftoken"], "Referer": base})
        out[role] = s
    return out


def _schema(base: str, role_sessions: dict[str, Any]) -> dict[str, Any]:
    """The OpenAPI schema, read logged in (outside demo mode it is not served to anonymous clients)."""
    session = role_sessions[sorted(role_sessions)[0]]
    response = session.get(f"{base}/api/openapi.json", timeout=30)
    response.raise_for_status()
    return dict(response.json())


def fuzz(base: str, role_sessions: dict[str, Any], cases: int, *, participants: list[str] = ()) -> FuzzReport:
    """Send about ``cases`` generated requests; half of those naming a participant name a real one."""
    import requests
    import schemathesis
    from hypothesis import HealthCheck, Phase, given, settings
    from schemathesis.checks import not_a_server_error
    from schemathesis.config import SchemathesisConfig
    from schemathesis.specs.openapi.checks import (
        content_type_conformance,
        response_schema_conformance,
        status_code_conformance,
    )

    raw = _schema(base, role_sessions)
    # the session cookie is ours: schemathesis must not generate (and overwrite it with) random security values
    config = SchemathesisConfig.from_dict({"generation": {"with-security-parameters": False}})
    schema = schemathesis.openapi.from_dict(raw, config=config)
    operations = [r.ok() for r in schema.get_all_operations()]
    operations = [op for op in operations if op.path not in EXCLUDED]
    # some operations have few distinct inputs (hypothesis stops early): ask a fifth more of the others
    per_operation = max(1, round(cases * 1.2 / len(operations)))
    roles = itertools.cycle(sorted(role_sessions))
    report = FuzzReport()
    checks = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]

    for op in operations:
        @given(case=op.as_strategy())
        @settings(max_examples=per_operation, deadline=None, database=None, derandomize=True,
                  phases=[Phase.explicit, Phase.generate], suppress_health_check=list(HealthCheck))
        def one(case: Any) -> None:
            role = next(roles)
            if participants and "participant_id" in (case.path_parameters or {}) and report.cases % 2 == 0:
                case.path_parameters["participant_id"] = participants[report.cases % len(participants)]
            try:
                response = case.call(base_url=base, session=role_sessions[role], timeout=60)
            except requests.RequestException as exc:
                report.failures.append(f"{role} {case.method} {case.formatted_path}: no answer ({exc})")
                report.cases += 1
                return
            report.cases += 1
            report.statuses[response.status_code] = report.statuses.get(response.status_code, 0) + 1
            if response.status_code >= 500:
                report.server_errors += 1
            try:
                case.validate_response(response, checks=checks)
            except BaseException as exc:  # noqa: BLE001 - schemathesis raises a group of check failures
                report.failures.append(f"{role} {case.method} {case.formatted_path} -> {response.status_code}: "
                                       + " | ".join(x.strip() for x in str(exc).splitlines() if x.strip())[:600])
            exempt = (role, case.operation.path) in EXEMPT
            leak = ALLOCATION_TEXT.search(response.content) if role in BLINDED and not exempt else None
            if leak:
                around = response.content[max(0, leak.start() - 60):leak.end() + 60].decode("utf-8", "replace")
                report.leaks.append(f"{role} {case.method} {case.formatted_path}: ...{around}...")

        one()
    return report


DEEP_BODY = b"[" * 5000 + b"]" * 5000
HUGE_BODY = b'{"text": "' + b"x" * 3_000_000 + b'"}'


def hostile_bodies(base: str, role_sessions: dict[str, Any]) -> FuzzReport:
    """A deep and a huge JSON body on every operation with a body or not, anonymous and (round robin) as a role."""
    import requests

    raw = _schema(base, role_sessions)
    report = FuzzReport()
    roles = itertools.cycle(sorted(role_sessions))
    anonymous = requests.Session()
    for path, ops in sorted(raw["paths"].items()):
        url = base + re.sub(r"\{[^}]+\}", "1", path)
        for method in ops:
            if path == "/api/auth/logout":
                continue
            for who, session in (("anonymous", anonymous), (role := next(roles), role_sessions[role])):
                for body in (DEEP_BODY, HUGE_BODY):
                    try:
                        # a connection of its own each: after refusing a body it did not read, the server closes
                        # the connection, and a pooled one reused for the next request would fail in the client
                        response = session.request(method.upper(), url, data=body, timeout=60,
                                                   headers={"Content-Type": "application/json",
                                                            "Connection": "close"})
                    except requests.ConnectionError:
                        # Django refuses a body over DATA_UPLOAD_MAX_MEMORY_SIZE from its Content-Length without
                        # reading it, so the server answers and closes while the client may still be sending: the
                        # client can see the connection closed instead of the answer. A refusal, not a server
                        # error; allowed for the huge body only (a small body is always read and answered).
                        if body is not HUGE_BODY:
                            raise
                        report.cases += 1
                        report.statuses[0] = report.statuses.get(0, 0) + 1  # 0: closed before the answer was read
                        continue
                    report.cases += 1
                    report.statuses[response.status_code] = report.statuses.get(response.status_code, 0) + 1
                    if response.status_code >= 500:
                        report.server_errors += 1
                        report.failures.append(f"{who} {method.upper()} {path} ({len(body)} bytes) -> "
                                               f"{response.status_code}")
    return report
