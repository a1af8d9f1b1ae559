"""Rules that say no: a Verdict explains itself, a RuleViolation carries the same reasons."""

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Reason:
    code: str
    message: str  # already translated, ready to read out to the customer
    field: str = ""  # the form field it is about, if any: the agent's form shows it there

    def __str__(self) -> str:
        return str(self.message)


@dataclass
class Verdict:
    reasons: list[Reason] = field(default_factory=list)
    details: dict[str, Any] = field(default_factory=dict)
    # What the agent has not entered yet and the rules still need: a preview with something missing is not "allowed".
    missing: list[str] = field(default_factory=list)

    @property
    def allowed(self) -> bool:
        return not self.reasons

    @property
    def codes(self) -> list[str]:
        return [reason.code for reason in self.reasons]

    def refuse(self, code: str, message: str) -> None:
        self.reasons.append(Reason(code, str(message)))

    def raise_if_refused(self) -> None:
        if self.reasons:
            raise RuleViolation(self.reasons)


class RuleViolation(Exception):
    """A business rule refused the action. Views show the messages; the API returns the codes."""

    def __init__(self, reasons: list[Reason] | Reason):
        self.reasons = [reasons] if isinstance(reasons, Reason) else list(reasons)
        super().__init__("; ".join(str(reason) for reason in self.reasons))

    @classmethod
    def single(cls, code: str, message: str) -> "RuleViolation":
        return cls(Reason(code, str(message)))

    @property
    def codes(self) -> list[str]:
        return [reason.code for reason in self.reasons]

    @property
    def messages(self) -> list[str]:
        return [str(reason.message) for reason in self.reasons]


def require(condition: bool, code: str, message: str) -> None:
    """Refuse with one reason unless `condition` holds: `require(amount > 0, "invalid_amount", _("…"))`."""
    if not condition:
        raise RuleViolation.single(code, message)
