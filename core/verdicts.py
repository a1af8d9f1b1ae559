"""Rules that say no: a Verdict explains itself, a RuleViolation carries the same reasons.

A reason reads out the customer's own figures (amount, limit, date, days) and, when something fixes it, names that
next step once: `NextStep(_("Record the payment"), url_name="billing:payment_record", args=(bill.pk,))`. The agent's
pages show the step as a link after the message; the API keeps only `code` and `message` (plain text, no HTML).
"""

from dataclasses import dataclass, field
from typing import Any

from django.urls import NoReverseMatch, reverse


@dataclass(frozen=True)
class NextStep:
    """What fixes a refusal: a label and where to do it (a URL, or a URL name and its args resolved on the page)."""

    label: str
    url: str = ""
    url_name: str = ""
    args: tuple = ()

    @property
    def href(self) -> str:
        if self.url or not self.url_name:
            return self.url
        try:
            return reverse(self.url_name, args=self.args)
        except NoReverseMatch:
            return ""

    def __str__(self) -> str:
        return str(self.label)


@dataclass(frozen=True)
class Reason:
    code: str
    message: str  # already translated, ready to read out to the customer (the figures the rule used included)
    field: str = ""  # the form field it is about, if any: the agent's form shows it there
    next_step: NextStep | None = None  # what fixes it, shown as a link after the message (not in the API)

    def __str__(self) -> str:
        return str(self.message)


@dataclass
class Verdict:
    reasons: list[Reason] = field(default_factory=list)
    details: dict[str, Any] = field(default_factory=dict)
    # What the agent has not entered yet and the rules still need: a preview with something missing is not "allowed".
    # A missing input is a hint, not a refusal (the agent has simply not chosen it yet).
    missing: list[str] = field(default_factory=list)
    # The same missing inputs with their codes: a service refuses to act on them (`raise_if_incomplete`).
    needed: list[Reason] = field(default_factory=list)
    # Some refusals are already shown as the form's errors (core.actions): the box does not repeat them.
    refusals_on_form: bool = False

    @property
    def allowed(self) -> bool:
        return not self.reasons

    @property
    def complete(self) -> bool:
        """Allowed and nothing left to enter: what a submit needs."""
        return not self.reasons and not self.missing

    @property
    def codes(self) -> list[str]:
        return [reason.code for reason in self.reasons]

    def refuse(self, code: str, message: str, *, next_step: NextStep | None = None, field: str = "") -> None:
        self.reasons.append(Reason(code, str(message), field=field, next_step=next_step))

    @property
    def missing_codes(self) -> list[str]:
        return [reason.code for reason in self.needed]

    def need(self, code: str, message: str, *, field: str = "") -> None:
        """Something the agent has still to enter: a hint on the preview, a refusal only when submitted without it."""
        self.missing.append(str(message))
        self.needed.append(Reason(code, str(message), field=field))

    def merge(self, other: "Verdict") -> None:
        """Another rule's reasons and missing inputs added to these (details are the caller's business)."""
        self.reasons.extend(other.reasons)
        self.missing.extend(other.missing)
        self.needed.extend(other.needed)

    def raise_if_refused(self) -> None:
        if self.reasons:
            raise RuleViolation(self.reasons)

    def raise_if_incomplete(self) -> None:
        """What a service does before acting: refused, or something the rules need is missing."""
        if self.reasons or self.needed:
            raise RuleViolation(self.reasons + self.needed)


class RuleViolation(Exception):
    """A business rule refused the action. Views show the messages; the API returns the codes."""

    def __init__(self, reasons: list[Reason] | Reason):
        self.reasons = [reasons] if isinstance(reasons, Reason) else list(reasons)
        super().__init__("; ".join(str(reason) for reason in self.reasons))

    @classmethod
    def single(cls, code: str, message: str, *, next_step: NextStep | None = None) -> "RuleViolation":
        return cls(Reason(code, str(message), next_step=next_step))

    @property
    def codes(self) -> list[str]:
        return [reason.code for reason in self.reasons]

    @property
    def messages(self) -> list[str]:
        return [str(reason.message) for reason in self.reasons]


def require(condition: bool, code: str, message: str, *, next_step: NextStep | None = None) -> None:
    """Refuse with one reason unless `condition` holds: `require(amount > 0, "invalid_amount", _("…"))`."""
    if not condition:
        raise RuleViolation.single(code, message, next_step=next_step)
