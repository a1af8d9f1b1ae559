"""Jobs recover by themselves (issue 15): a real worker on Redis is killed mid-job and nobody sends the task again;
the run still completes, every row exactly once. Also the watchdog re-queues a run whose heartbeat stopped."""

import datetime as dt
import os
import signal
import uuid

import pytest
from django.utils import timezone

from core.models import AuditEvent, JobRun, OutboundSms
from tests.core.celery_jobs import TEMPLATE
from tests.core.factories import OutboundSmsFactory
from tests.integration.worker import pool_children, start_worker, stop, wait_for

pytestmark = [pytest.mark.services, pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

JOBS = ("tests.core.celery_jobs",)
ROWS = 40


def _rows():
    return [OutboundSmsFactory(template_code=TEMPLATE) for _ in range(ROWS)]


def _run():
    return JobRun.objects.filter(job="test-slow-job").first()


def _every_row_once():
    assert OutboundSms.objects.filter(template_code=TEMPLATE, status=OutboundSms.Status.SENT).count() == ROWS
    assert set(OutboundSms.objects.filter(template_code=TEMPLATE).values_list("attempts", flat=True)) == {1}


def _send(queue, **kwargs):
    from config.celery_app import app

    app.send_task("tests.core.slow_job", kwargs={"period_key": timezone.localdate().isoformat(), "chunk_size": 4,
                                                 "pause": 0.3, **kwargs}, queue=queue)


def test_pool_child_killed_mid_job_is_redelivered_and_the_run_completes():
    # given: a prefork worker running the job
    _rows()
    queue = f"test-recover-{uuid.uuid4().hex[:8]}"
    worker = start_worker(queue, include=JOBS, pool="prefork", concurrency=1)
    try:
        _send(queue)
        assert wait_for(lambda: (run := _run()) is not None and run.changed >= 12)
        # when: its pool child dies (OOM killer, segfault) and nobody sends the task again
        [child] = pool_children(worker)
        os.kill(child, signal.SIGKILL)
        # then: the message came back (reject_on_worker_lost) and the run finished by itself
        assert wait_for(lambda: _run().status == JobRun.Status.SUCCEEDED, timeout=120)
    finally:
        stop(worker)
    run = _run()
    assert run.attempts == 2 and (run.selected, run.changed) == (ROWS, ROWS)
    _every_row_once()


def test_whole_worker_killed_mid_job_is_redelivered_after_the_visibility_timeout():
    # given: a worker running the job, with a short visibility timeout for the test
    _rows()
    queue = f"test-recover-{uuid.uuid4().hex[:8]}"
    env = {"CELERY_VISIBILITY_TIMEOUT_SECONDS": "6"}
    worker = start_worker(queue, include=JOBS, env=env)
    try:
        _send(queue)
        assert wait_for(lambda: (run := _run()) is not None and run.changed >= 12)
        # when: the whole worker is killed; its unacknowledged message stays in Redis
        stop(worker, signal.SIGKILL)
        done_before = OutboundSms.objects.filter(template_code=TEMPLATE, status=OutboundSms.Status.SENT).count()
        assert done_before < ROWS and _run().status == JobRun.Status.RUNNING
        # and the worker comes back (as its supervisor restarts it); nobody sends the task
        worker = start_worker(queue, include=JOBS, env=env)
        # then: the message is delivered again and the run completes the same day
        assert wait_for(lambda: _run().status == JobRun.Status.SUCCEEDED, timeout=120)
    finally:
        stop(worker)
    run = _run()
    assert run.attempts == 2 and run.changed == ROWS and run.period_key == timezone.localdate().isoformat()
    _every_row_once()


def test_watchdog_marks_a_run_without_heartbeat_stale_and_its_task_finishes_it():
    from config.celery_app import app

    # given: a run left RUNNING by a task whose message is gone (its heartbeat stopped 20 minutes ago)
    _rows()
    queue = f"test-recover-{uuid.uuid4().hex[:8]}"
    period = timezone.localdate().isoformat()
    stopped = timezone.now() - dt.timedelta(minutes=20)
    run = JobRun.objects.create(job="test-slow-job", period_key=period, started_at=stopped, heartbeat_at=stopped,
                                task_name="tests.core.slow_job", task_queue=queue,
                                task_kwargs={"period_key": period, "chunk_size": 4, "pause": 0.05})
    worker = start_worker(queue, include=JOBS)
    try:
        # when: beat runs the watchdog
        app.send_task("core.tasks.jobs_watchdog_task", queue=queue)
        # then: the run was marked stale (audited) and its task, sent again, completed it
        assert wait_for(lambda: AuditEvent.objects.filter(verb="job.stale", subject_id=str(run.pk)).exists())
        assert wait_for(lambda: _run().status == JobRun.Status.SUCCEEDED, timeout=120)
    finally:
        stop(worker)
    run.refresh_from_db()
    assert run.attempts == 2 and run.changed == ROWS
    _every_row_once()


def test_the_run_records_its_task_arguments_and_queue_for_the_watchdog():
    # given / when: a run started by a real worker
    _rows()
    queue = f"test-recover-{uuid.uuid4().hex[:8]}"
    worker = start_worker(queue, include=JOBS)
    try:
        _send(queue, pause=0.01)
        assert wait_for(lambda: (run := _run()) is not None and run.status == JobRun.Status.SUCCEEDED)
    finally:
        stop(worker)
    # then
    run = _run()
    assert (run.task_name, run.task_queue) == ("tests.core.slow_job", queue)
    assert run.task_kwargs["chunk_size"] == 4 and run.task_kwargs["pause"] == 0.01


def test_a_run_whose_database_connection_is_killed_retries_by_itself_and_completes():
    from django.db import connection

    # given: a worker running the job, retrying database errors after 1 s
    _rows()
    queue = f"test-recover-{uuid.uuid4().hex[:8]}"
    worker = start_worker(queue, include=JOBS, env={"JOB_RETRY_BACKOFF_SECONDS": "1"})
    try:
        _send(queue)
        assert wait_for(lambda: (run := _run()) is not None and run.changed >= 8)
        # when: its database connection is terminated mid-job (a failover, an admin, a network cut)
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database()"
                           " AND pid <> pg_backend_pid() AND backend_type = 'client backend'")
            assert cursor.fetchall()
        # then: the task is retried with backoff and the run completes, nobody sending it again
        assert wait_for(lambda: _run().status == JobRun.Status.SUCCEEDED, timeout=120)
    finally:
        stop(worker)
    run = _run()
    assert run.attempts >= 2 and run.changed == ROWS
    _every_row_once()
