"""The one exception tree of mescams.

Every error the system raises on purpose derives from :class:`MescamsError`, so the command line and the web
layer can turn any of them into a clear message (exit status 2, or an HTTP 4xx) in one place. Each area adds
its subclasses in its own module, deriving from the area's base here::

    MescamsError
    ├── ProtocolError            a protocol file that does not validate (names the field's path)
    ├── InputValidationError     bad input data: names the field and the rule it broke
    │   ├── EditChecksFailed         every failing edit check of one submit (the first as field and rule)
    │   ├── EligibilityInputError    a malformed screening record
    │   ├── EdssInputError           an out-of-range FS or ambulation score
    │   ├── DosingError              a dose that cannot be prepared within the protocol's limits
    │   │   └── DoseBasisChanged         a change of the dose basis after the lab prepared a product
    │   └── AnalysisDataError        a bad analysis-data file (names file, row and column)
    ├── TrialStateError          an action the trial's state forbids
    │   ├── IllegalTransition        a participant lifecycle step that is not allowed
    │   ├── ConsentRequired          a study act before the informed consent (or before the re-consent asked for)
    │   ├── AlreadyRandomised
    │   ├── AllocationExhausted
    │   ├── DataLocked
    │   └── DuplicateRecord          a second instance of a single form (names the existing record)
    ├── BlindingViolation        an attempt to reveal allocation to a role that may not see it
    ├── AuditChainBroken         the hash chain of the audit trail does not verify
    └── ConvergenceError         a model fit that did not converge (never a silent number)
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = [
    "AllocationExhausted",
    "AlreadyRandomised",
    "AlreadyRandomized",
    "AnalysisDataError",
    "AuditChainBroken",
    "BlindingViolation",
    "CheckFailure",
    "ConsentRequired",
    "ConvergenceError",
    "DataLocked",
    "DoseBasisChanged",
    "DosingError",
    "EditChecksFailed",
    "DuplicateRecord",
    "EdssInputError",
    "EligibilityInputError",
    "IllegalTransition",
    "InputValidationError",
    "MescamsError",
    "ProtocolError",
    "TrialStateError",
]


class MescamsError(Exception):
    """Base of every deliberate mescams error."""


class ProtocolError(MescamsError):
    """A protocol file is malformed; the message names the path of each bad field."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = list(problems)
        super().__init__("invalid protocol:\n" + "\n".join(f"  - {p}" for p in self.problems))


class InputValidationError(MescamsError):
    """Bad input: ``field`` names where, ``rule`` says what was expected."""

    def __init__(self, field: str, rule: str) -> None:
        self.field = field
        self.rule = rule
        super().__init__(f"{field}: {rule}")


@dataclass(frozen=True)
class CheckFailure:
    """One failing check: its id, the field it names, the message (with the values) and its severity.

    ``severity`` is ``hard`` (refused) or ``soft`` (saved once confirmed with a reason); ``confirmable`` says a
    soft check may be confirmed on this submit.
    """

    check: str
    field: str
    message: str
    severity: str = "hard"

    @property
    def confirmable(self) -> bool:
        return self.severity == "soft"

    def as_dict(self) -> dict[str, str | bool]:
        return {"check": self.check, "field": self.field, "message": self.message, "severity": self.severity,
                "confirmable": self.confirmable}


class EditChecksFailed(InputValidationError):
    """Every check that failed on one submit, so the person sees them all at once. ``field`` and ``rule`` are
    the first failure's, so a client reading only those keeps working."""

    def __init__(self, failures: list[CheckFailure]) -> None:
        if not failures:
            raise ValueError("EditChecksFailed needs at least one failure")
        self.failures = tuple(failures)
        super().__init__(failures[0].field, failures[0].message)
        self.args = ("; ".join(f"{f.field}: {f.message}" for f in self.failures),)

    def __str__(self) -> str:
        return str(self.args[0])


class EligibilityInputError(InputValidationError):
    """A screening record that does not follow the patient-record contract."""


class EdssInputError(InputValidationError):
    """An EDSS assessment with a missing or out-of-range score."""


class DosingError(InputValidationError):
    """A dose that cannot be prepared within the protocol's limits."""


class DoseBasisChanged(DosingError):
    """A change to what a prepared product's dose derives from (the weight at randomisation), refused until an
    investigator confirms it with a reason; or a product prepared on a superseded basis, until the lab re-confirms."""


class AnalysisDataError(InputValidationError):
    """A file of the analysis-data folder that breaks the contract."""


class TrialStateError(MescamsError):
    """An action that the current state of the trial or participant forbids."""


class IllegalTransition(TrialStateError):
    """A participant lifecycle transition that is not allowed from the current state."""


class ConsentRequired(TrialStateError):
    """A study act (screening, eligibility) before the participant's informed consent, or on a consent that a
    newer ICF version asks to renew (ICH E6: consent comes before any study-specific procedure)."""


class AlreadyRandomised(TrialStateError):
    """The participant already holds a randomisation slot."""


AlreadyRandomized = AlreadyRandomised
"""The earlier spelling of :class:`AlreadyRandomised`, kept working for code written with it (the same class)."""


class AllocationExhausted(TrialStateError):
    """No free slot is left in the participant's stratum of the allocation list."""


class DataLocked(TrialStateError):
    """The record is locked; it cannot change without an audited unlock."""


class DuplicateRecord(TrialStateError):
    """A single form (one per participant and visit, say) is already recorded; the existing record is named so
    the caller can offer to change it instead."""

    def __init__(self, *, form: str, participant_id: str, record_id: int, key: dict[str, str]) -> None:
        self.form = form
        self.participant_id = participant_id
        self.record_id = record_id
        self.key = dict(key)
        where = ", ".join(f"{k} {v or '(none)'}" for k, v in self.key.items())
        super().__init__(f"{form} is already recorded for {participant_id}{' at ' + where if where else ''}; "
                         "change that record instead of entering a second one")


class BlindingViolation(MescamsError):
    """A request would reveal allocation to a role that must stay blinded."""


class AuditChainBroken(MescamsError):
    """The audit trail's hash chain does not verify; ``entry_id`` is the first bad entry."""

    def __init__(self, entry_id: int | str, detail: str) -> None:
        self.entry_id = entry_id
        self.detail = detail
        super().__init__(f"audit chain broken at entry {entry_id}: {detail}")


class ConvergenceError(MescamsError):
    """A statistical fit that did not converge."""
