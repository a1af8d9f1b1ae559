"""Charts drawn on the server as plain HTML (no script, no CDN): bars whose width is their share of the largest.

`bar_rows([(label, value), ...])` gives the rows `templates/core/_bar_chart.html` draws; every bar also prints its
figure, so the chart reads the same to a screen reader and in print.
"""

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Bar:
    label: Any
    value: int
    shown: str  # the figure as a person reads it ("12", "Rp 1.250.000", "4 min")
    percent: float  # 0–100, the bar's width


def bar_rows(rows, *, shown=None) -> list[Bar]:
    """`rows`: (label, value) pairs; `shown(value)` formats a figure (default: the integer with thousands dots)."""
    rows = [(label, int(value or 0)) for label, value in rows]
    top = max((value for _, value in rows), default=0)
    fmt = shown or (lambda value: f"{value:,}".replace(",", "."))
    return [Bar(label, value, fmt(value), (100.0 * value / top) if top else 0.0) for label, value in rows]
