"""Tabs on the agent's line page. Each app registers its own in its AppConfig.ready().

The line page lists the tabs that apply to the line; a tab's body is loaded on demand (htmx) from
`/lines/<id>/tabs/<key>/`, so the page stays fast however many apps add tabs.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class LineTab:
    key: str
    title: Any  # a lazily translated string
    template: str
    context: Callable[..., dict]  # context(request, line) -> dict for the template
    applies: Callable[..., bool] = field(default=lambda line: True)  # applies(line)
    order: int = 100


_TABS: dict[str, LineTab] = {}


def register_line_tab(tab: LineTab) -> None:
    _TABS[tab.key] = tab


def line_tabs(line) -> list[LineTab]:
    return sorted((tab for tab in _TABS.values() if tab.applies(line)), key=lambda tab: (tab.order, tab.key))


def line_tab(key: str) -> LineTab | None:
    return _TABS.get(key)
