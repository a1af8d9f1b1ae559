"""Prepaid Celery tasks: thin wrappers that record a JobRun and feed a service chunk by chunk (core.jobs)."""

import datetime as dt

from django.utils import timezone

from core.dates import parse_day
from core.jobs import JOB_TASK_OPTIONS, job_run, renamed_task, run_summary
from prepaid import services


@renamed_task("prepaid.tasks.lifecycle_task", old_name="prepaid.tasks.lifecycle",
              **JOB_TASK_OPTIONS)
def lifecycle_task(day: str | None = None, force: bool = False,
                   chunk_size: int = services.batch.LIFECYCLE_CHUNK) -> dict:
    """PRE-02: active → grace → invalid (with forfeiture), daily."""
    today = parse_day(day)
    run = job_run(job="prepaid.lifecycle", period_key=today.isoformat(), force=force,
                  chunk=lambda: services.lifecycle_chunk(today=today, size=chunk_size))
    return run_summary(run)


@renamed_task("prepaid.tasks.prime_renewal_task", old_name="prepaid.tasks.prime_renewal",
              **JOB_TASK_OPTIONS)
def prime_renewal_task(day: str | None = None, force: bool = False,
                       chunk_size: int = services.batch.PRIME_CHUNK) -> dict:
    """PRM-02/03: take the Prime fees due today."""
    today = parse_day(day)
    run = job_run(job="prepaid.prime_renewal", period_key=today.isoformat(), force=force,
                  chunk=lambda: services.prime_renewal_chunk(today=today, size=chunk_size))
    return run_summary(run)


@renamed_task("prepaid.tasks.prime_tier_review_task", old_name="prepaid.tasks.prime_tier_review",
              **JOB_TASK_OPTIONS)
def prime_tier_review_task(day: str | None = None, force: bool = False) -> dict:
    """PRM-01: monthly tier assignment from the last 3 months' average spend."""
    month_start = parse_day(day).replace(day=1)
    run = job_run(job="prepaid.prime_tier_review", period_key=month_start.strftime("%Y-%m"), force=force,
                  chunk=lambda: services.prime_tier_chunk(month_start=month_start))
    return run_summary(run)


@renamed_task("prepaid.tasks.prime_voucher_draw_task", old_name="prepaid.tasks.prime_voucher_draw",
              **JOB_TASK_OPTIONS)
def prime_voucher_draw_task(day: str | None = None, force: bool = False) -> dict:
    """PRM-04: the Wednesday e-voucher draw."""
    today = parse_day(day)
    run = job_run(job="prepaid.prime_voucher_draw", period_key=today.isoformat(), force=force,
                  chunk=lambda: services.prime_voucher_draw_chunk(day=today), max_chunks=2)
    return run_summary(run)


@renamed_task("prepaid.tasks.expiry_reminders_task", old_name="prepaid.tasks.expiry_reminders",
              **JOB_TASK_OPTIONS)
def expiry_reminders_task(day: str | None = None, force: bool = False) -> dict:
    """PRE-02: the SMS a few days before the Active Period ends."""
    today = parse_day(day)
    run = job_run(job="prepaid.expiry_reminders", period_key=today.isoformat(), force=force,
                  chunk=lambda: services.expiry_reminder_chunk(today=today))
    return run_summary(run)


@renamed_task("prepaid.tasks.sms_fair_usage_task", old_name="prepaid.tasks.sms_fair_usage",
              **JOB_TASK_OPTIONS)
def sms_fair_usage_task(at: str | None = None, force: bool = False) -> dict:
    """PRE-04: block cards over the SMS fair-usage limits; runs every few minutes."""
    now = dt.datetime.fromisoformat(at) if at else timezone.now()
    slot = timezone.localtime(now).replace(second=0, microsecond=0)
    run = job_run(job="prepaid.sms_fair_usage", period_key=slot.strftime("%Y-%m-%dT%H:%M"), force=force,
                  chunk=lambda: services.sms_fair_usage_chunk(now=now), max_chunks=50)
    return run_summary(run)


@renamed_task("prepaid.tasks.price_changes_task", old_name="prepaid.tasks.price_changes",
              acks_late=True)
def price_changes_task(at: str | None = None, force: bool = False, chunk_size: int = 500) -> dict:
    """PRE-08, hourly: copy the prices of changes whose date has come into their package, then queue the
    announcements of newly scheduled changes."""
    now = dt.datetime.fromisoformat(at) if at else timezone.now()
    local = timezone.localtime(now)
    slot = local.strftime("%Y-%m-%dT%H")
    job_run(job="prepaid.price_changes_apply", period_key=slot, force=force,
            chunk=lambda: services.price_changes_apply_chunk(today=local.date()))
    run = job_run(job="prepaid.price_changes_announce", period_key=slot, force=force,
                  chunk=lambda: services.price_changes_announce_chunk(size=chunk_size))
    return run_summary(run)
