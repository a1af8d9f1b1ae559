"""A job used by the real-worker integration test (`celery -A config worker -I tests.core.celery_jobs`).

It works like every scheduled job: job_run over rows selected BY STATE with SKIP LOCKED, a set-based update per chunk.
The rows are outbox messages with the template code "job-test"; processing one marks it sent and counts an attempt,
so "exactly once" is visible as attempts == 1 on every row."""

import time

from celery import shared_task
from django.db.models import F

from core.jobs import JOB_TASK_OPTIONS, ChunkResult, job_run
from core.models import OutboundSms

TEMPLATE = "job-test"


def slow_chunk(chunk_size: int, pause: float):
    def chunk() -> ChunkResult:
        ids = list(
            OutboundSms.objects.select_for_update(skip_locked=True)
            .filter(status=OutboundSms.Status.QUEUED, template_code=TEMPLATE)
            .order_by("id").values_list("id", flat=True)[:chunk_size]
        )
        if not ids:
            return ChunkResult(selected=0)
        time.sleep(pause)  # the work a real job does per chunk; gives the test time to kill the worker mid-job
        changed = OutboundSms.objects.filter(id__in=ids).update(
            status=OutboundSms.Status.SENT, attempts=F("attempts") + 1, next_attempt_at=None)
        return ChunkResult(selected=len(ids), changed=changed)

    return chunk


@shared_task(name="tests.core.slow_job", **JOB_TASK_OPTIONS)
def slow_job(period_key: str, chunk_size: int = 5, pause: float = 0.3, force: bool = False) -> int:
    return job_run(job="test-slow-job", period_key=period_key, chunk=slow_chunk(chunk_size, pause), force=force).pk
