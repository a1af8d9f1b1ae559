"""The accounts part of the line page's customer 360 header and its Overview tab (core.header, core.tabs)."""

import datetime as dt

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts import selectors
from core.dates import local_today
from core.header import Attention, HeaderFact, attention_items, line_header_facts, register_header_fact
from core.tabs import LineTab


def blocks_fact(line, today: dt.date) -> HeaderFact | None:
    """Open blocks as attention items (the header lists them itself, with the Lift button); no query."""
    blocks = getattr(line, "open_blocks", None)
    if blocks is None:
        blocks = list(selectors.line_open_blocks(line))
    if not blocks:
        return None
    tab = reverse("accounts:line_detail", args=[line.pk]) + "?tab=blocks"
    items = [Attention(
        text=_("Blocked since %(date)s: %(reason)s (%(scope)s).") % {
            "date": block.started_at.strftime("%d-%m-%Y"), "reason": block.get_reason_display(),
            "scope": block.get_scope_display()},
        level="danger", action=_("See the blocks"), url=tab) for block in blocks]
    return HeaderFact(key="blocks", template="", attention=items)


def other_lines_fact(line, today: dt.date) -> HeaderFact | None:
    """The customer's other lines with their status (one query, at most OTHER_LINES_SHOWN + 1 rows)."""
    others = selectors.line_other_lines(line)
    if not others:
        return None
    shown = others[: selectors.OTHER_LINES_SHOWN]
    return HeaderFact(key="other_lines", template="accounts/header/other_lines.html",
                      context={"others": shown, "more": len(others) > len(shown)})


def register() -> None:
    register_header_fact("blocks", blocks_fact, order=0)
    register_header_fact("other_lines", other_lines_fact, order=90)


def overview_tab_context(request, line) -> dict:
    """What needs attention on this line, each with its next step. The same facts as the header (constant queries)."""
    line = selectors.line_detail(line.pk)
    facts = line_header_facts(line, local_today())
    return {"items": attention_items(facts)}


# The first tab of the line page, before Blocks and the tabs other apps register.
OVERVIEW_TAB = LineTab(key="overview", title=gettext_lazy("Overview"), template="accounts/tabs/overview.html",
                       context=overview_tab_context, order=-10)
