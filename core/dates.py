"""Calendar helpers: local dates, calendar-month steps and working days."""

import calendar
import datetime as dt

from django.utils import timezone


def local_today() -> dt.date:
    return timezone.localdate()


def add_months(day: dt.date, months: int) -> dt.date:
    """A calendar-month step: Jan 31 + 1 month = Feb 28 (or 29 in a leap year)."""
    month_index = day.month - 1 + months
    year = day.year + month_index // 12
    month = month_index % 12 + 1
    last_day = calendar.monthrange(year, month)[1]
    return day.replace(year=year, month=month, day=min(day.day, last_day))


def add_working_days(day: dt.date, count: int) -> dt.date:
    """The date `count` working days after `day`, skipping weekends and listed holidays (TP-11)."""
    from core.models import Holiday

    if count < 0:
        raise ValueError("count must not be negative")
    # Every 5 working days span at most 7 calendar days; holidays add a margin.
    horizon = day + dt.timedelta(days=count * 2 + 31)
    holidays = set(Holiday.objects.filter(date__gt=day, date__lte=horizon).values_list("date", flat=True))
    current = day
    remaining = count
    while remaining:
        current += dt.timedelta(days=1)
        if current.weekday() < 5 and current not in holidays:
            remaining -= 1
    return current


def parse_day(value: str | None) -> dt.date:
    """A task's `day` argument (ISO date, as Celery passes it in JSON), or today."""
    return dt.date.fromisoformat(value) if value else local_today()


def format_day(day) -> str:
    """A date as an agent reads it out: `06-12-2026` (dd-mm-yyyy, WIB for a datetime)."""
    if day is None:
        return ""
    if hasattr(day, "hour"):
        day = timezone.localtime(day).date() if timezone.is_aware(day) else day.date()
    return day.strftime("%d-%m-%Y")
