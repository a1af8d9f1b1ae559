"""Security's Celery tasks: thin wrappers that record a JobRun (core.jobs)."""


from core.dates import parse_day
from core.jobs import job_run, renamed_task, run_summary
from security.retention import RETENTION_CHUNK, retention_chunk


@renamed_task("security.tasks.retention_task", old_name="security.tasks.retention",
              acks_late=True)
def retention_task(day: str | None = None, force: bool = False, chunk_size: int = RETENTION_CHUNK) -> dict:
    """UU 27/2022: anonymise the customers past the retention period, daily."""
    today = parse_day(day)
    run = job_run(job="security.retention", period_key=today.isoformat(), force=force,
                  chunk=lambda: retention_chunk(today=today, size=chunk_size))
    return run_summary(run)
