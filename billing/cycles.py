"""Bill-cycle arithmetic: a cycle starts on the account's bill cycle day and lasts one calendar month."""

import datetime as dt

from core.dates import add_months


def cycle_for(day: dt.date, cycle_day: int) -> tuple[dt.date, dt.date]:
    """(first day, last day) of the bill cycle containing `day` for an account billed on `cycle_day` (1..28)."""
    start = day.replace(day=cycle_day)
    if day.day < cycle_day:
        start = add_months(start, -1)
    return start, next_cycle_start(start) - dt.timedelta(days=1)


def next_cycle_start(start: dt.date) -> dt.date:
    return add_months(start, 1)


def full_months_between(start: dt.date, day: dt.date) -> int:
    """Whole calendar months from `start` to `day` (tenure): Jan 31 → Feb 28 is one month."""
    if day < start:
        return 0
    months = (day.year - start.year) * 12 + day.month - start.month
    while months > 0 and add_months(start, months) > day:
        months -= 1
    return months


def prorate(fee: int, *, cycle_start: dt.date, cycle_end: dt.date, first_day: dt.date, last_day: dt.date) -> int:
    """LIM-13: fee × days used / days in the cycle, rounded down to the rupiah; both days count."""
    days = (cycle_end - cycle_start).days + 1
    used = (min(last_day, cycle_end) - max(first_day, cycle_start)).days + 1
    return fee * max(used, 0) // days
