"""Tasks are named `<job>_task` with an explicit name (issue 10); the schedules stored before the rename keep
working (core migration 0006 renames them and the job runs; the old names stay registered for queued messages)."""

import importlib
import json

import pytest
from django.apps import apps as django_apps
from django_celery_beat.models import CrontabSchedule, PeriodicTask

from config.celery_app import app
from core.jobs import TASK_OLD_NAMES, run_summary
from core.models import JobRun
from core.schedules import SCHEDULES

OUR_APPS = ("accounts.", "billing.", "core.", "prepaid.", "protection.", "security.")
MIGRATION = importlib.import_module("core.migrations.0006_tasks_renamed_to_job_task")
for _app in ("billing", "core", "prepaid", "protection", "security"):
    importlib.import_module(f"{_app}.tasks")


def _our_tasks() -> dict:
    return {name: task for name, task in app.tasks.items() if name.startswith(OUR_APPS)}


def test_every_task_is_named_job_task_after_its_function():
    current = {name: task for name, task in _our_tasks().items() if name not in TASK_OLD_NAMES}
    assert current  # the scan sees the apps' tasks
    wrong = sorted(name for name, task in current.items()
                   if not name.endswith("_task") or name != f"{task.run.__module__}.{task.run.__name__}")
    assert wrong == []


def test_every_schedule_runs_a_registered_task_by_its_new_name():
    tasks = _our_tasks()
    assert sorted(s.task for s in SCHEDULES.values() if s.task not in tasks or not s.task.endswith("_task")) == []


def test_an_old_name_still_runs_the_renamed_task():
    assert TASK_OLD_NAMES == MIGRATION.RENAMED
    for old, new in TASK_OLD_NAMES.items():
        old_task, new_task = app.tasks[old], app.tasks[new]
        assert (old_task.run.__module__, old_task.run.__qualname__) == (new_task.run.__module__,
                                                                        new_task.run.__qualname__)
        assert (old_task.acks_late, old_task.max_retries) == (new_task.acks_late, new_task.max_retries)


@pytest.mark.django_db
def test_the_migration_renames_stored_schedules_and_job_runs_and_back():
    # given a schedule and a run stored under the old names, and one a supervisor pointed elsewhere
    crontab = CrontabSchedule.objects.create(minute="10", hour="0")
    PeriodicTask.objects.create(name="prepaid-lifecycle-old", task="prepaid.tasks.lifecycle", crontab=crontab)
    PeriodicTask.objects.create(name="custom", task="billing.tasks.overdue_task", crontab=crontab)
    run = JobRun.objects.create(job="protection.sla", period_key="2026-12-01", started_at="2026-12-01T00:00Z",
                                task_name="protection.tasks.claims_flag_sla")
    # when
    MIGRATION.forwards(django_apps, None)
    # then
    assert PeriodicTask.objects.get(name="prepaid-lifecycle-old").task == "prepaid.tasks.lifecycle_task"
    assert PeriodicTask.objects.get(name="custom").task == "billing.tasks.overdue_task"
    run.refresh_from_db()
    assert run.task_name == "protection.tasks.claims_flag_sla_task"
    # and back
    MIGRATION.backwards(django_apps, None)
    assert PeriodicTask.objects.get(name="prepaid-lifecycle-old").task == "prepaid.tasks.lifecycle"


@pytest.mark.django_db
def test_every_job_task_returns_the_summary_of_its_run():
    # given every task of the apps that run jobs (issue 10: tasks all return the same thing)
    job_apps = ("billing.", "prepaid.", "protection.", "security.")
    job_tasks = {name: task for name, task in _our_tasks().items()
                 if name.startswith(job_apps) and name not in TASK_OLD_NAMES}
    assert len(job_tasks) >= 10
    for name, task in sorted(job_tasks.items()):
        # when it runs (today, on an empty database), then it returns its run's summary, JSON-ready
        result = task.run()
        assert json.loads(json.dumps(result)) == result, name
        assert result == run_summary(JobRun.objects.get(pk=result["run"])), name
        assert set(result) == {"run", "job", "status", "selected", "changed", "skipped", "failed"}, name
