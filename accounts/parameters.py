"""Accounts numbers a supervisor may change (DOMAIN.md Decisions), as core.Parameter rows."""

PARAMETERS = {
    # code: (value, unit, rule, description)
    "quarantine_days": (90, "days", "ACC-04", "Days a permanently blocked number waits before it may be recycled."),
}
