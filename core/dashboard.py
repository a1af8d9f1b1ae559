"""Panels on the supervisors' dashboard. Each app registers its own in its AppConfig.ready(), like the line tabs.

A panel is a template and a context function `context(request, today) -> dict`; the dashboard page renders the
panels in order, each from its own queries, so that an app adds a panel without core knowing its models.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class DashboardPanel:
    key: str
    title: Any  # a lazily translated string
    template: str
    context: Callable[..., dict]  # context(request, today) -> dict for the template
    order: int = 100
    permission: str = ""  # the user needs it to see the panel ("" = every supervisor)


_PANELS: dict[str, DashboardPanel] = {}


def register_dashboard_panel(panel: DashboardPanel) -> None:
    _PANELS[panel.key] = panel


def dashboard_panels(user) -> list[DashboardPanel]:
    shown = (panel for panel in _PANELS.values() if not panel.permission or user.has_perm(panel.permission))
    return sorted(shown, key=lambda panel: (panel.order, panel.key))
