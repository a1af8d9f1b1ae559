"""Thin Celery tasks: each runs one service chunk by chunk inside a job run (safe to repeat, safe to die)."""



from core.dates import parse_day
from core.jobs import JOB_TASK_OPTIONS, job_run, renamed_task, run_summary
from protection import services


@renamed_task("protection.tasks.installments_charge_task", old_name="protection.tasks.installments_charge",
              **JOB_TASK_OPTIONS)
def installments_charge_task(day: str | None = None, force: bool = False) -> dict:
    """TP-03: charge every monthly instalment due on or before the day."""
    today = parse_day(day)
    run = job_run(job="protection.installments", period_key=today.isoformat(), force=force,
                  chunk=lambda: services.installments_charge_chunk(today=today))
    return run_summary(run)


@renamed_task("protection.tasks.enrollments_expire_task", old_name="protection.tasks.enrollments_expire",
              **JOB_TASK_OPTIONS)
def enrollments_expire_task(day: str | None = None, force: bool = False) -> dict:
    """TP-04: expire subscriptions whose 6 months are over."""
    today = parse_day(day)
    run = job_run(job="protection.expire", period_key=today.isoformat(), force=force,
                  chunk=lambda: services.enrollments_expire_chunk(today=today))
    return run_summary(run)


@renamed_task("protection.tasks.claims_flag_sla_task", old_name="protection.tasks.claims_flag_sla",
              **JOB_TASK_OPTIONS)
def claims_flag_sla_task(day: str | None = None, force: bool = False) -> dict:
    """TP-10: flag open claims past their return date."""
    today = parse_day(day)
    run = job_run(job="protection.sla", period_key=today.isoformat(), force=force,
                  chunk=lambda: services.claims_flag_sla_chunk(today=today))
    return run_summary(run)


@renamed_task("protection.tasks.reimbursements_flag_overdue_task",
              old_name="protection.tasks.reimbursements_flag_overdue", **JOB_TASK_OPTIONS)
def reimbursements_flag_overdue_task(day: str | None = None, force: bool = False) -> dict:
    """TP-11: flag shipping reimbursements unpaid past their due date."""
    today = parse_day(day)
    run = job_run(job="protection.reimbursements", period_key=today.isoformat(), force=force,
                  chunk=lambda: services.reimbursements_flag_overdue_chunk(today=today))
    return run_summary(run)
