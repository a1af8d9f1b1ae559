"""The billing Celery tasks: "run now" on the supervisor's Jobs page, with and without force."""

import datetime as dt
import inspect

import pytest
from django.test import override_settings

from accounts.models import Block
from billing import tasks
from billing.models import Bill
from core.dates import local_today
from core.models import AuditEvent, JobRun
from tests.billing.factories import BillFactory, open_line

pytestmark = pytest.mark.django_db


def test_every_billing_schedule_task_takes_force():
    # the Jobs page passes force=True only to a task whose signature has it (core.services.job_run_now)
    from core.schedules import SCHEDULES
    from core.services import _task_for

    billing_schedules = [s for s in SCHEDULES.values() if s.task.startswith("billing.tasks.")]
    assert {s.task for s in billing_schedules} == {
        "billing.tasks.cycle_close_task", "billing.tasks.overdue_task", "billing.tasks.early_settlement_task"}
    for schedule in billing_schedules:
        parameter = inspect.signature(_task_for(schedule.task).run).parameters.get("force")
        assert parameter is not None and parameter.default is False, schedule.task


@pytest.mark.parametrize("task", [tasks.cycle_close_task, tasks.early_settlement_task])
def test_a_forced_task_reruns_its_finished_period(task):
    # given the task ran today and finished
    day = "2026-11-10"
    task.run(day=day)
    runs = JobRun.objects.filter(job__startswith="billing.", period_key=day)
    assert runs.exists() and all(run.status == JobRun.Status.SUCCEEDED and run.attempts == 1 for run in runs)
    # when it runs again, then nothing runs; when forced, every job of the task runs again
    task.run(day=day)
    assert set(runs.values_list("attempts", flat=True)) == {1}
    task.run(day=day, force=True)
    assert set(runs.values_list("attempts", "forced")) == {(2, True)}


def _overdue_bill(line, today: dt.date) -> Bill:
    """A bill of the last cycle, due yesterday and unpaid (BIL-05)."""
    issued = today - dt.timedelta(days=21)
    period_end = issued - dt.timedelta(days=1)
    return BillFactory(billing_account=line.billing_account, period_start=period_end.replace(day=1),
                       period_end=period_end, issued_on=issued, due_date=today - dt.timedelta(days=1))


@pytest.mark.rule("BIL-05")
@override_settings(CELERY_TASK_ALWAYS_EAGER=True)
def test_forced_run_now_of_a_finished_overdue_period_runs_it_again(supervisor_client):
    from config.celery_app import app

    # given today's overdue run finished with nothing to do, then an overdue bill turns up (imported late)
    today = local_today()
    tasks.overdue_task.run()
    run = JobRun.objects.get(job="billing.overdue", period_key=today.isoformat())
    assert (run.status, run.selected, run.attempts) == (JobRun.Status.SUCCEEDED, 0, 1)
    line = open_line(today=today)
    bill = _overdue_bill(line, today)
    app.conf.task_always_eager = True
    try:
        # when "run now" without force
        supervisor_client.post("/core/jobs/", {"schedule": "billing-overdue"})
        # then the finished period is not run again: the line is not blocked
        run.refresh_from_db()
        assert run.attempts == 1
        assert not Block.objects.filter(line=line, reason=Block.Reason.UNPAID_BILL).exists()
        # when forced, with a reason
        supervisor_client.post("/core/jobs/", {"schedule": "billing-overdue", "force": "on",
                                               "reason": "bills imported late"})
    finally:
        app.conf.task_always_eager = False
    # then it ran again and blocked the line for the overdue bill (BIL-05)
    run.refresh_from_db()
    bill.refresh_from_db()
    assert (run.status, run.forced, run.attempts, run.selected, run.changed) == (
        JobRun.Status.SUCCEEDED, True, 2, 1, 1)
    assert bill.overdue_blocked_on == today
    assert Block.objects.filter(line=line, reason=Block.Reason.UNPAID_BILL, ended_at__isnull=True).exists()
    requested = AuditEvent.objects.filter(verb="job.run_requested").order_by("id")
    assert [event.new["force"] for event in requested] == [False, True]
