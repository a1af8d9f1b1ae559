"""Core's Celery tasks: thin wrappers around services."""

from celery import shared_task

from core.outbox import sms_dispatch as sms_dispatch_service


# Idempotent: rows are claimed by state with FOR UPDATE SKIP LOCKED, so a redelivered or parallel run never sends a
# row twice. Late acks with reject-on-worker-lost are therefore safe here (and only here, until proven elsewhere).
@shared_task(name="core.tasks.sms_dispatch", acks_late=True, reject_on_worker_lost=True, ignore_result=True,
             soft_time_limit=240, time_limit=300)
def sms_dispatch(limit: int = 100, max_chunks: int = 50) -> dict:
    result = sms_dispatch_service(limit=limit, max_chunks=max_chunks)
    return {"selected": result.selected, "sent": result.changed, "failed": result.failed}


@shared_task(name="core.tasks.api_replay_purge_task", ignore_result=True)
def api_replay_purge_task() -> dict:
    """Daily: replay rows older than API_REPLAY_DAYS go (idempotent: a second run finds nothing)."""
    from django.conf import settings

    from core.api.idempotency import api_requests_purge

    return {"deleted": api_requests_purge(older_than_days=settings.API_REPLAY_DAYS)}
