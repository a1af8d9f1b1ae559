"""Core's Celery tasks: thin wrappers around services."""

import time

from celery import shared_task
from django.conf import settings

from core.jobs import job_runs_revive, renamed_task
from core.outbox import sms_dispatch as sms_dispatch_service

SMS_DISPATCH_SOFT_LIMIT = settings.SMS_DISPATCH_SOFT_LIMIT_SECONDS


# Idempotent: rows are claimed by state with FOR UPDATE SKIP LOCKED, so a redelivered or parallel run never sends a
# row twice. Late acks with reject-on-worker-lost are therefore safe here (and only here, until proven elsewhere).
@renamed_task("core.tasks.sms_dispatch_task", old_name="core.tasks.sms_dispatch",
              acks_late=True, reject_on_worker_lost=True, ignore_result=True,
              soft_time_limit=SMS_DISPATCH_SOFT_LIMIT, time_limit=SMS_DISPATCH_SOFT_LIMIT + 60)
def sms_dispatch_task(limit: int = 20, max_chunks: int = 250) -> dict:
    # Stop sending before the soft limit (no message is started that could not finish in time): every row is then
    # recorded or released, none left claimed. The margin is for the last record and release transactions.
    deadline = time.monotonic() + SMS_DISPATCH_SOFT_LIMIT - 2
    result = sms_dispatch_service(limit=limit, max_chunks=max_chunks, deadline=deadline)
    return {"selected": result.selected, "sent": result.changed, "failed": result.failed}


@renamed_task("core.tasks.jobs_watchdog_task", old_name="core.tasks.jobs_watchdog",
              ignore_result=True)
def jobs_watchdog_task() -> dict:
    """Re-queue job runs whose heartbeat stopped (core.jobs.job_runs_revive)."""
    return {"revived": job_runs_revive()}


@shared_task(name="core.tasks.api_replay_purge_task", ignore_result=True)
def api_replay_purge_task() -> dict:
    """Daily: replay rows older than API_REPLAY_DAYS go (idempotent: a second run finds nothing)."""
    from django.conf import settings

    from core.api.idempotency import api_requests_purge

    return {"deleted": api_requests_purge(older_than_days=settings.API_REPLAY_DAYS)}


@shared_task(name="core.tasks.pending_uploads_purge_task", ignore_result=True)
def pending_uploads_purge_task() -> dict:
    """Daily: files kept by the action kit on "Check" and never submitted go after a day (idempotent)."""
    from core.actions import kept_uploads_purge

    return {"deleted": kept_uploads_purge()}


@shared_task(name="core.tasks.partitions_maintain_task", ignore_result=True)
def partitions_maintain_task() -> dict:
    """Daily: the next months' partitions exist, the months past retention are detached (core.partitions).
    Idempotent: a second run the same day creates and detaches nothing."""
    from core.partitions import partitions_maintain

    return partitions_maintain()
