"""Every scheduled task is one `job_run(...)`: open a JobRun, feed a service chunk by chunk, close it.

A chunk selects due rows BY STATE (`select_for_update(skip_locked=True)` or a set-based UPDATE … WHERE state) and
changes their state, so a run that dies half-way is finished by the next run and nothing is done twice. Each chunk
runs in its own transaction together with the JobRun counters, so the counts are exact even after a kill.
"""

import logging
import traceback
from collections.abc import Callable
from dataclasses import dataclass

from django.db import transaction
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


def _current_task_name() -> str:
    try:
        from celery import current_task
    except ImportError:  # pragma: no cover
        return ""
    return getattr(current_task, "name", "") or "" if current_task else ""


def _job_open(*, job: str, period_key: str, force: bool, total: int | None) -> tuple[JobRun, bool]:
    """The run to work on and whether to work at all. A finished period is not run again unless forced."""
    now = timezone.now()
    with transaction.atomic():
        run, created = JobRun.objects.get_or_create(
            job=job, period_key=period_key,
            defaults={"started_at": now, "heartbeat_at": now, "task_name": _current_task_name(), "total": total,
                      "forced": force},
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
        # Otherwise a run that failed or died half-way is resumed: its committed chunks stay counted.
        run.status = JobRun.Status.RUNNING
        run.finished_at = None
        run.error = ""
        run.attempts += 1
        run.heartbeat_at = now
        run.task_name = _current_task_name() or run.task_name
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
