"""Thin Celery tasks: each is one `job_run(...)` over a billing service chunk, safe to run twice."""

import datetime as dt

from celery import shared_task

from billing.services import (
    bills_issue_chunk,
    bills_overdue_chunk,
    cycles_close_chunk,
    early_settlement_enforce_chunk,
    early_settlement_scan,
)
from core.dates import parse_day
from core.jobs import JOB_TASK_OPTIONS, ChunkResult, job_run, run_summary


def cycle_close(*, today: dt.date, force: bool = False):
    """Cycle close (usage reset, old cycle kept), then the bills of the closed cycles (BIL-01)."""
    job_run(job="billing.cycle_close", period_key=today.isoformat(), force=force,
            chunk=lambda: cycles_close_chunk(today=today))
    return job_run(job="billing.bills_issue", period_key=today.isoformat(), force=force,
                   chunk=lambda: bills_issue_chunk(today=today))


def overdue(*, today: dt.date, force: bool = False):
    """Block lines of accounts with a bill unpaid past its due date (BIL-05, BIL-06, LIM-05)."""
    return job_run(job="billing.overdue", period_key=today.isoformat(), force=force,
                   chunk=lambda: bills_overdue_chunk(today=today))


def early_settlement(*, today: dt.date, force: bool = False):
    """BIL-04: enforce demands past their date, then raise new ones."""
    job_run(job="billing.early_settlement_enforce", period_key=today.isoformat(), force=force,
            chunk=lambda: early_settlement_enforce_chunk(today=today))
    cursor = {"after": 0}

    def scan() -> ChunkResult:
        result, cursor["after"] = early_settlement_scan(today=today, after_id=cursor["after"])
        return result

    return job_run(job="billing.early_settlement_scan", period_key=today.isoformat(), force=force, chunk=scan)


# `force` re-runs a period that already finished: the supervisor's "run now" on the Jobs page passes it (only to a
# task whose signature has it, core.services.job_run_now); the beat schedule never does.


@shared_task(name="billing.tasks.cycle_close_task", **JOB_TASK_OPTIONS)
def cycle_close_task(day: str | None = None, force: bool = False) -> dict:
    return run_summary(cycle_close(today=parse_day(day), force=force))


@shared_task(name="billing.tasks.overdue_task", **JOB_TASK_OPTIONS)
def overdue_task(day: str | None = None, force: bool = False) -> dict:
    return run_summary(overdue(today=parse_day(day), force=force))


@shared_task(name="billing.tasks.early_settlement_task", **JOB_TASK_OPTIONS)
def early_settlement_task(day: str | None = None, force: bool = False) -> dict:
    return run_summary(early_settlement(today=parse_day(day), force=force))
