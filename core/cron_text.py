"""Schedules as a supervisor reads them: "every day at 02:00 WIB", not `0 2 * * *`.

cron-descriptor (installed with django-celery-beat) has no Indonesian, so this formats the shapes the project uses
(every N minutes, hourly at a minute, daily, weekly, monthly at a time); anything else reads "custom schedule"
with the fields kept as a secondary detail.
"""

from django.utils.dates import WEEKDAYS
from django.utils.translation import gettext as _

FIELDS = ("minute", "hour", "day_of_month", "month_of_year", "day_of_week")


def _number(value: str) -> int | None:
    return int(value) if value.isdigit() else None


def describe_crontab(fields: dict) -> str:
    """`{"minute": "0", "hour": "2"}` → "every day at 02:00 WIB" (missing fields are `*`)."""
    cron = {name: str(fields.get(name, "*")).strip() or "*" for name in FIELDS}
    minute, hour = cron["minute"], cron["hour"]
    dom, month, dow = cron["day_of_month"], cron["month_of_year"], cron["day_of_week"]
    if month == "*" and dom == "*" and dow == "*" and hour == "*":
        if minute == "*":
            return _("every minute")
        if minute.startswith("*/") and minute[2:].isdigit():
            return _("every %(n)s minutes") % {"n": int(minute[2:])}
        if _number(minute) is not None:
            return _("every hour at minute %(minute)02d") % {"minute": _number(minute)}
    if _number(minute) is not None and _number(hour) is not None and month == "*":
        time = f"{_number(hour):02d}:{_number(minute):02d}"
        if dom == "*" and dow == "*":
            return _("every day at %(time)s WIB") % {"time": time}
        if dom == "*" and _number(dow) is not None and _number(dow) <= 7:
            weekday = WEEKDAYS[(_number(dow) - 1) % 7]  # cron: 0 and 7 are Sunday; Django's WEEKDAYS start Monday
            return _("every %(weekday)s at %(time)s WIB") % {"weekday": weekday, "time": time}
        if dow == "*" and _number(dom) is not None:
            return _("on day %(day)s of every month at %(time)s WIB") % {"day": _number(dom), "time": time}
    return _("custom schedule (%(cron)s)") % {"cron": " ".join(cron[name] for name in FIELDS)}


def describe_periodic_task(task) -> str:
    """A django-celery-beat PeriodicTask's schedule in words (crontab or interval)."""
    if task.crontab is not None:
        return describe_crontab({name: getattr(task.crontab, name) for name in FIELDS})
    if task.interval is not None:
        every, period = task.interval.every, task.interval.period
        units = {"seconds": _("every %(n)s seconds"), "minutes": _("every %(n)s minutes"),
                 "hours": _("every %(n)s hours"), "days": _("every %(n)s days")}
        return units.get(period, _("every %(n)s seconds")) % {"n": every}
    return _("custom schedule (%(cron)s)") % {"cron": str(task.solar or task.clocked or "")}
