"""The one lock order every service and job follows (README, "Lock order").

    line → spending limit → bill → card → subscription/enrollment, each set in pk order.

A line is the parent of nearly every row, and inserting a child (a purchase, a usage record, a payment, an SMS)
makes PostgreSQL take a KEY SHARE lock on the line for the foreign-key check. So the line is locked FOR NO KEY
UPDATE, never FOR UPDATE: nothing here changes a line's key, and KEY SHARE does not wait for NO KEY UPDATE. That is
what lets purchase authorization (debit the limit, then insert the purchase, whose FK check touches the line) run
beside a limit change (line, then limit) without a deadlock.
"""


def lock_line(line, *, related: tuple[str, ...] = ()):
    """The line, re-read and locked FOR NO KEY UPDATE (only the line row, not the related ones it joins).
    The model comes from the instance: core imports no app."""
    queryset = type(line)._default_manager.select_for_update(no_key=True, of=("self",))
    if related:
        queryset = queryset.select_related(*related)
    return queryset.get(pk=line.pk)
