"""The customer 360 header of the line page and its Overview tab. Each app registers its facts in AppConfig.ready().

A fact provider gets the line (with `customer`, `billing_account` and `open_blocks` loaded) and today's date and
returns a `HeaderFact` or None when it does not apply. Each provider makes a fixed number of cheap indexed queries
(one row, an aggregate, a join), so the page's query count does not depend on the size of the data or of the
customer. A fact carries its own small template for the header, an `alarm` that turns the line's status red (a
prepaid card in grace, PRE-02) and the `attention` items the Overview tab lists with their next step.
"""

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

LEVELS = {"danger": 0, "warning": 1, "info": 2}


@dataclass
class Attention:
    """Something the agent should deal with, and the link to the action or tab that handles it."""

    text: str
    level: str = "warning"  # danger, warning or info
    action: str = ""  # the next step's label
    url: str = ""


@dataclass
class HeaderFact:
    key: str
    template: str  # rendered in the header with `fact` (this object) and the page's context
    context: dict = field(default_factory=dict)
    alarm: str = ""  # non-empty: the line's status is shown red, with this text
    attention: list[Attention] = field(default_factory=list)
    order: int = 100


Provider = Callable[[Any, dt.date], "HeaderFact | None"]
_PROVIDERS: dict[str, tuple[int, Provider]] = {}


def register_header_fact(key: str, provider: Provider, order: int = 100) -> None:
    _PROVIDERS[key] = (order, provider)


def line_header_facts(line, today: dt.date) -> list[HeaderFact]:
    facts = []
    for _key, (order, provider) in sorted(_PROVIDERS.items(), key=lambda item: (item[1][0], item[0])):
        fact = provider(line, today)
        if fact is not None:
            fact.order = order
            facts.append(fact)
    return facts


def header_alarms(facts: list[HeaderFact]) -> list[str]:
    return [fact.alarm for fact in facts if fact.alarm]


def attention_items(facts: list[HeaderFact]) -> list[Attention]:
    """Every fact's items, the most urgent first (then in the facts' order)."""
    items = [item for fact in facts for item in fact.attention]
    return sorted(items, key=lambda item: LEVELS.get(item.level, 9))
