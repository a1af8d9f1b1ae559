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


def last_days(today, count: int = 14) -> list:
    """The `count` local dates ending today, oldest first (the rows of a per-day panel)."""
    import datetime as dt

    return [today - dt.timedelta(days=offset) for offset in range(count - 1, -1, -1)]


def start_of_day(day):
    """Local midnight (WIB) of `day` as an aware datetime, for `created_at >= …` filters that use an index."""
    import datetime as dt

    from django.utils import timezone

    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def panels_rendered(request, today) -> list[dict]:
    """Each panel the user may see, rendered from its own template and context (one set of queries per panel)."""
    from django.template.loader import render_to_string

    rendered = []
    for panel in dashboard_panels(request.user):
        context = {"panel": panel, "today": today, **panel.context(request, today)}
        rendered.append({"panel": panel, "html": render_to_string(panel.template, context, request=request)})
    return rendered
