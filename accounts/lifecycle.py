"""A line's life: the transitions every app joins (ACC-08..10, LIM-12, LIM-13, BIL-07, PRE-07).

`accounts` owns the transitions (activate, change package, replace SIM, terminate, the prepaid card becoming
invalid) and imports no product app. Each app registers a `Participant` from its AppConfig.ready(), like the line
tabs. A transition service in accounts locks the line, asks every participant to `check` (reasons are merged into
one Verdict, shown to the agent before submitting and raised as one RuleViolation), then calls every `apply` in the
same transaction. A participant that refuses refuses the whole transition.

Lock order (one order for every transition, so two transitions never deadlock): line → spending limits → bills →
prepaid card → subscriptions (IM3 Prime, TecProtec enrollment). Participants are applied by `order`, which follows it:
billing 10 (limits, bills), prepaid 20 (card, then Prime), protection 30 (enrollment).
"""

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from core.verdicts import Verdict

ACTIVATE = "activate"
PACKAGE_CHANGE = "package_change"
SIM_REPLACE = "sim_replace"
TRANSFER = "transfer"
TERMINATE = "terminate"
CARD_INVALID = "card_invalid"
TRANSITIONS = (ACTIVATE, PACKAGE_CHANGE, SIM_REPLACE, TRANSFER, TERMINATE, CARD_INVALID)


@dataclass
class Transition:
    """What a participant gets: the line (None while an activation is only previewed), who, through which channel,
    and the transition's own inputs in `params` (e.g. the basic package and the initial limit)."""

    name: str
    line: Any = None
    customer: Any = None
    kind: str = ""
    billing_account: Any = None
    actor: Any = None
    channel: str = "grapari"
    today: dt.date | None = None
    params: dict = field(default_factory=dict)
    forced: bool = False  # a permanent block: participants apply, nobody may refuse
    results: dict = field(default_factory=dict)  # what participants return, by app


@dataclass(frozen=True)
class Participant:
    app: str
    order: int
    check: Callable[[Transition], Verdict | None] = field(default=lambda transition: None)
    apply: Callable[[Transition], Any] = field(default=lambda transition: None)
    # apply_many(line_ids, today): a batch job's set-based version (CARD_INVALID).
    apply_many: Callable[[list[int], dt.date], None] | None = None
    # form_fields(kind) -> {name: django form field}: the inputs the app needs on the agent's form.
    form_fields: Callable[[str], dict] | None = None


_REGISTRY: dict[str, dict[str, Participant]] = {name: {} for name in TRANSITIONS}


def register(transition: str, participant: Participant) -> None:
    _REGISTRY[transition][participant.app] = participant


def participants(transition: str) -> list[Participant]:
    return sorted(_REGISTRY[transition].values(), key=lambda item: (item.order, item.app))


def check(transition: Transition) -> Verdict:
    """Every participant's reasons and details in one Verdict (details merged; the agent page shows `notes`)."""
    verdict = Verdict(details={"notes": []})
    for participant in participants(transition.name):
        result = participant.check(transition)
        if result is None:
            continue
        verdict.merge(result)
        notes = result.details.pop("notes", [])
        verdict.details["notes"].extend(notes)
        verdict.details.update(result.details)
        result.details["notes"] = notes
    return verdict


def apply(transition: Transition) -> Transition:
    """Call every participant's apply, in lock order. Refusals must have come from check (unless forced)."""
    if not transition.forced:
        check(transition).raise_if_incomplete()
    for participant in participants(transition.name):
        transition.results[participant.app] = participant.apply(transition)
    return transition


def apply_many(transition: str, line_ids: list[int], today: dt.date) -> None:
    for participant in participants(transition):
        if participant.apply_many is not None:
            participant.apply_many(line_ids, today)


def form_fields(transition: str, kind: str) -> dict:
    fields = {}
    for participant in participants(transition):
        if participant.form_fields is not None:
            fields.update(participant.form_fields(kind))
    return fields
