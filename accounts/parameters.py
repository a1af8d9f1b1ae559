"""Accounts numbers a supervisor may change (DOMAIN.md Decisions), as core.Parameter rows."""

from django.utils.translation import gettext_noop as N_

PARAMETERS = {
    # code: (value, unit, rule, description)
    "quarantine_days": (90, N_("days"), "ACC-04",
        N_("Days a permanently blocked number waits before it may be recycled.")),
}
