"""Every scheduled task is one `job_run(...)`: open a JobRun, feed a service chunk by chunk, close it.

A chunk selects due rows BY STATE (`select_for_update(skip_locked=True)` or a set-based UPDATE … WHERE state) and
changes their state, so a run that dies half-way is finished by the next run and nothing is done twice. Each chunk
runs in its own transaction together with the JobRun counters, so the counts are exact even after a kill.
"""

import datetime as dt
import logging
import traceback
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.db import InterfaceError, OperationalError, transaction
from django.db.models import F
from django.utils import timezone

from core.audit import audit_record
from core.models import Channel, JobRun

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class ChunkResult:
    """What one chunk did. `selected == 0` means nothing is left to do."""

    selected: int
    changed: int = 0
    skipped: int = 0
    failed: int = 0


# Every job task is idempotent by state (above), so it may be acknowledged late and redelivered: a worker or its
# pool child dying mid-run puts the message back (reject_on_worker_lost; the broker's visibility timeout when the
# whole worker dies), and a database error retries it with backoff. The run then resumes where it stopped.
JOB_TASK_OPTIONS = {
    "acks_late": True,
    "reject_on_worker_lost": True,
    "autoretry_for": (OperationalError, InterfaceError),
    "retry_backoff": settings.JOB_RETRY_BACKOFF_SECONDS,
    "retry_backoff_max": 600,
    "retry_jitter": True,
    "max_retries": 8,
}


# Tasks renamed to `<job>_task` (issue 10): old name → new name. Core migration 0006 renamed the stored beat schedules
# and job runs; the old names stay registered (the same function) for one release, so that a message queued under one
# before the deploy still runs. Remove `old_name=` and this once no queue can hold an old name.
TASK_OLD_NAMES: dict[str, str] = {}


def renamed_task(name: str, *, old_name: str, **options):
    """`@shared_task(name=name, **options)` that also registers the function under its name before the rename."""
    from celery import shared_task

    def register(fun):
        TASK_OLD_NAMES[old_name] = name
        shared_task(name=old_name, **options)(fun)
        return shared_task(name=name, **options)(fun)

    return register


def _current_task() -> tuple[str, dict, str]:
    """The running Celery task's name, keyword arguments and queue ("", {}, "" outside a task)."""
    try:
        from celery import current_task
    except ImportError:  # pragma: no cover
        return "", {}, ""
    if not current_task or not getattr(current_task, "name", ""):
        return "", {}, ""
    request = current_task.request
    queue = (getattr(request, "delivery_info", None) or {}).get("routing_key") or ""
    return current_task.name, dict(getattr(request, "kwargs", None) or {}), queue


def _job_open(*, job: str, period_key: str, force: bool, total: int | None) -> tuple[JobRun, bool]:
    """The run to work on and whether to work at all. A finished period is not run again unless forced."""
    now = timezone.now()
    task_name, task_kwargs, task_queue = _current_task()
    with transaction.atomic():
        run, created = JobRun.objects.get_or_create(
            job=job, period_key=period_key,
            defaults={"started_at": now, "heartbeat_at": now, "task_name": task_name, "task_kwargs": task_kwargs,
                      "task_queue": task_queue, "total": total, "forced": force},
        )
        if created:
            return run, True
        run = JobRun.objects.select_for_update().get(pk=run.pk)
        if run.status == JobRun.Status.SUCCEEDED and not force:
            return run, False
        if run.status == JobRun.Status.SUCCEEDED:
            # A forced re-run starts its counts again; the audit event of the earlier run keeps its numbers.
            run.selected = run.changed = run.skipped = run.failed = run.chunks = 0
            run.started_at = now
            run.forced = True
        # Otherwise a run that failed, went stale or died half-way is resumed: its committed chunks stay counted.
        run.status = JobRun.Status.RUNNING
        run.finished_at = None
        run.error = ""
        run.attempts += 1
        run.heartbeat_at = now
        if task_name:
            run.task_name, run.task_kwargs, run.task_queue = task_name, task_kwargs, task_queue
        if total is not None:
            run.total = total
        run.save()
        return run, True


def _job_close(run: JobRun, *, status: str, error: str = "") -> JobRun:
    with transaction.atomic():
        run = JobRun.objects.select_for_update().get(pk=run.pk)
        run.status = status
        run.finished_at = timezone.now()
        run.error = error
        run.save(update_fields=["status", "finished_at", "error"])
        audit_record(
            actor=None, actor_label=f"job:{run.job}", verb=f"job.{status}", subject=run, channel=Channel.SYSTEM,
            new={"period": run.period_key, "selected": run.selected, "changed": run.changed,
                 "skipped": run.skipped, "failed": run.failed, "chunks": run.chunks, "attempt": run.attempts,
                 "forced": run.forced},
        )
    return run


def job_run(
    *,
    job: str,
    period_key: str,
    chunk: Callable[[], ChunkResult],
    force: bool = False,
    total: int | None = None,
    max_chunks: int | None = None,
) -> JobRun:
    """Run `chunk()` until it selects nothing, each call in its own transaction with the run's counters.

    `total` (optional) is the expected number of rows, for the progress bar. `max_chunks` stops early (the run stays
    RUNNING so that the next call resumes it); it guards against a chunk that never runs dry.
    """
    run, go = _job_open(job=job, period_key=period_key, force=force, total=total)
    if not go:
        logger.info("job %s %s already done; not run again", job, period_key)
        return run
    done = 0
    try:
        while max_chunks is None or done < max_chunks:
            with transaction.atomic():
                result = chunk()
                if not isinstance(result, ChunkResult):
                    raise TypeError(f"chunk() must return ChunkResult, not {type(result).__name__}")
                if result.selected == 0:
                    break
                JobRun.objects.filter(pk=run.pk).update(
                    chunks=F("chunks") + 1, selected=F("selected") + result.selected,
                    changed=F("changed") + result.changed, skipped=F("skipped") + result.skipped,
                    failed=F("failed") + result.failed, heartbeat_at=timezone.now(),
                )
            done += 1
        else:
            run.refresh_from_db()
            return run
    except Exception as exc:
        logger.exception("job %s %s failed", job, period_key)
        detail = "".join(traceback.format_exception_only(type(exc), exc)).strip()
        _job_close(run, status=JobRun.Status.FAILED, error=detail[:4000])
        raise
    return _job_close(run, status=JobRun.Status.SUCCEEDED)


def run_summary(run: JobRun) -> dict:
    """What every job task returns (Celery result, JSON): the run's id, job, status and counters."""
    return {"run": run.pk, "job": run.job, "status": str(run.status), "selected": run.selected,
            "changed": run.changed, "skipped": run.skipped, "failed": run.failed}


def job_runs_revive(*, now=None, stale_after_seconds: int | None = None) -> list[int]:
    """The watchdog (a beat task): a RUNNING run whose heartbeat stopped longer than JOB_STALE_AFTER_SECONDS ago
    lost its worker. Mark it STALE (audited, visible on the Jobs page) and queue its task again with the same
    arguments; the task resumes the run, and rows are selected by state, so nothing is done twice. A run whose
    worker is in fact alive but slow simply gets a helper (SKIP LOCKED shares the rows)."""
    from config.celery_app import app

    now = now or timezone.now()
    stale_after = stale_after_seconds if stale_after_seconds is not None else settings.JOB_STALE_AFTER_SECONDS
    revived = []
    with transaction.atomic():
        runs = list(JobRun.objects.select_for_update(skip_locked=True)
                    .filter(status=JobRun.Status.RUNNING, heartbeat_at__lt=now - dt.timedelta(seconds=stale_after))
                    .order_by("pk"))
        for run in runs:
            run.status, run.finished_at = JobRun.Status.STALE, now
            run.error = f"no progress since {run.heartbeat_at.isoformat()}; re-queued by the watchdog"
            run.save(update_fields=["status", "finished_at", "error"])
            audit_record(actor=None, actor_label="job:watchdog", verb="job.stale", subject=run,
                         channel=Channel.SYSTEM, old={"heartbeat_at": run.heartbeat_at.isoformat()},
                         new={"period": run.period_key, "task": run.task_name, "requeued": bool(run.task_name)})
            if run.task_name:
                revived.append(run.pk)
                transaction.on_commit(lambda run=run: app.send_task(run.task_name, kwargs=run.task_kwargs,
                                                                     queue=run.task_queue or None))
    if runs:
        logger.warning("watchdog: %s stale job run(s) marked, %s re-queued", len(runs), len(revived))
    return revived
