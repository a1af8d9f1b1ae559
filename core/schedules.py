"""The beat schedule: apps register their periodic tasks; `manage.py setup_schedules` writes them to
django-celery-beat (idempotently), where supervisors may edit them in the admin."""

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Schedule:
    name: str
    task: str
    crontab: dict = field(default_factory=dict)
    kwargs: dict = field(default_factory=dict)
    label: str = ""  # what the Jobs page shows (lazy translation), instead of the name and the task's path


SCHEDULES: dict[str, Schedule] = {}
# The label of each job (`job_run(job=...)`) that is not a schedule's own, e.g. a step run by another schedule's task.
JOB_LABELS: dict[str, str] = {}


def register_job_label(job: str, label) -> None:
    JOB_LABELS[job] = label


def schedule_label(name: str, task: str = "") -> str:
    """A schedule's label by its name, or by its task (a supervisor may have renamed it), else the name."""
    if name in SCHEDULES and SCHEDULES[name].label:
        return str(SCHEDULES[name].label)
    for schedule in SCHEDULES.values():
        if task and schedule.task == task and schedule.label:
            return str(schedule.label)
    return name


def job_label(job: str, task: str = "") -> str:
    """A job run's label: its own, else its schedule's (by task), else the job's name."""
    if job in JOB_LABELS:
        return str(JOB_LABELS[job])
    label = schedule_label("", task)
    return label if label else job


def register_schedule(name: str, task: str, crontab_kwargs: dict, kwargs: dict | None = None,
                      label="") -> Schedule:
    """Called from an AppConfig.ready(): e.g. register_schedule("billing-cycle", "billing.tasks.cycle_close",
    {"minute": "5", "hour": "0"}). crontab_kwargs are minute, hour, day_of_week, day_of_month, month_of_year."""
    allowed = {"minute", "hour", "day_of_week", "day_of_month", "month_of_year"}
    unknown = set(crontab_kwargs) - allowed
    if unknown:
        raise ValueError(f"unknown crontab fields for {name}: {sorted(unknown)}")
    schedule = Schedule(name=name, task=task, crontab=dict(crontab_kwargs), kwargs=dict(kwargs or {}), label=label)
    SCHEDULES[name] = schedule
    return schedule


def setup_schedules(*, overwrite: bool = False) -> tuple[int, int]:
    """Create the missing periodic tasks. An existing one keeps a supervisor's edits unless `overwrite`.

    Returns (created, updated)."""
    import json

    from django.conf import settings
    from django.db import transaction
    from django_celery_beat.models import CrontabSchedule, PeriodicTask

    created = updated = 0
    with transaction.atomic():
        for schedule in SCHEDULES.values():
            cron = {"minute": "*", "hour": "*", "day_of_week": "*", "day_of_month": "*", "month_of_year": "*"}
            cron.update({key: str(value) for key, value in schedule.crontab.items()})
            crontab, _ = CrontabSchedule.objects.get_or_create(**cron, timezone=settings.TIME_ZONE)
            task = PeriodicTask.objects.filter(name=schedule.name).first()
            if task is None:
                PeriodicTask.objects.create(name=schedule.name, task=schedule.task, crontab=crontab,
                                            kwargs=json.dumps(schedule.kwargs))
                created += 1
            elif overwrite:
                task.task = schedule.task
                task.crontab = crontab
                task.interval = task.solar = task.clocked = None
                task.kwargs = json.dumps(schedule.kwargs)
                task.save()
                updated += 1
    return created, updated
