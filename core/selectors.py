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
    when: str  # in words ("every day at 02:00 WIB"), never a cron string
    enabled: bool
    in_beat: bool
    last_run: JobRun | None
    label: str = ""  # what the supervisor reads; the name and task are secondary details


def job_schedules() -> list[ScheduleRow]:
    """Registered schedules merged with django-celery-beat's rows (a supervisor may have edited them there)."""
    from django_celery_beat.models import PeriodicTask

    from core.cron_text import describe_crontab, describe_periodic_task
    from core.schedules import SCHEDULES, schedule_label

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
            rows.append(ScheduleRow(name, task.task, describe_periodic_task(task), task.enabled, True,
                                    last_by_task.get(task.task), schedule_label(name, task.task)))
        else:
            schedule = SCHEDULES[name]
            rows.append(ScheduleRow(name, schedule.task, describe_crontab(schedule.crontab), True, False,
                                    last_by_task.get(schedule.task), schedule_label(name, schedule.task)))
    return rows


def job_period_done(*, task_name: str, day) -> JobRun | None:
    """The finished run of this task for the period that a run now would work on (the day, or its month), if every
    run of the task for that period succeeded; None if it has not run yet or a run is unfinished."""
    keys = [day.isoformat(), day.strftime("%Y-%m")]
    runs = list(JobRun.objects.filter(task_name=task_name, period_key__in=keys).order_by("-started_at"))
    if runs and all(run.status == JobRun.Status.SUCCEEDED for run in runs):
        return runs[0]
    return None
