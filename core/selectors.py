"""Core reads: job runs and schedules for the Jobs page."""

from dataclasses import dataclass

from django.db.models import QuerySet

from core.models import JobRun


def job_runs(*, status: str = "") -> QuerySet:
    runs = JobRun.objects.order_by("-started_at", "-id")
    if status in JobRun.Status.values:
        runs = runs.filter(status=status)
    return runs


def job_runs_attention(*, days: int = 7) -> dict[str, int] | None:
    """Failed and stale runs started in the last `days` days, for the Jobs page's warning (None if none)."""
    import datetime as dt

    from django.db.models import Count, Q
    from django.utils import timezone

    since = timezone.now() - dt.timedelta(days=days)
    counts = JobRun.objects.filter(started_at__gte=since).aggregate(
        failed=Count("id", filter=Q(status=JobRun.Status.FAILED)),
        stale=Count("id", filter=Q(status=JobRun.Status.STALE)))
    return counts if counts["failed"] or counts["stale"] else None


@dataclass
class ScheduleRow:
    name: str
    task: str
    when: str
    enabled: bool
    in_beat: bool
    last_run: JobRun | None


def job_schedules() -> list[ScheduleRow]:
    """Registered schedules merged with django-celery-beat's rows (a supervisor may have edited them there)."""
    from django_celery_beat.models import PeriodicTask

    from core.schedules import SCHEDULES

    periodic = {task.name: task for task in PeriodicTask.objects.select_related("crontab", "interval")
                .exclude(name__startswith="celery.")}
    names = sorted(set(SCHEDULES) | set(periodic))
    tasks = {periodic[n].task if n in periodic else SCHEDULES[n].task for n in names}
    # One small query per task: there are a handful of schedules, and JobRun grows by one row a period.
    last_by_task = {task: JobRun.objects.filter(task_name=task).order_by("-started_at").first() for task in tasks}
    rows = []
    for name in names:
        task = periodic.get(name)
        if task is not None:
            when = str(task.crontab or task.interval or "")
            rows.append(ScheduleRow(name, task.task, when, task.enabled, True, last_by_task.get(task.task)))
        else:
            schedule = SCHEDULES[name]
            when = " ".join(str(schedule.crontab.get(k, "*")) for k in
                            ("minute", "hour", "day_of_month", "month_of_year", "day_of_week"))
            rows.append(ScheduleRow(name, schedule.task, when, True, False, last_by_task.get(schedule.task)))
    return rows
