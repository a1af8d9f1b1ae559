"""The retention job on a real Celery worker (Redis) and two chunks at once on PostgreSQL (SKIP LOCKED)."""

import datetime as dt
import signal
import threading
import uuid

import pytest
from django.db import close_old_connections, transaction

from accounts.models import Line
from core.models import JobRun
from security.models import Anonymisation
from security.retention import retention_chunk
from tests.accounts.factories import LineFactory
from tests.integration.worker import start_worker, stop, wait_for

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def _due_customers(count: int) -> list[int]:
    lines = [LineFactory() for _ in range(count)]
    Line.objects.filter(pk__in=[line.pk for line in lines]).update(status=Line.Status.TERMINATED,
                                                                    terminated_on=dt.date(2020, 1, 1))
    return [line.customer_id for line in lines]


@pytest.mark.services
def test_the_worker_runs_the_retention_job_and_records_the_run():
    from config.celery_app import app

    customers = _due_customers(12)
    queue = f"test-security-{uuid.uuid4().hex[:8]}"
    worker = start_worker(queue)
    try:
        app.send_task("security.tasks.retention_task", kwargs={"day": "2031-01-01", "chunk_size": 5}, queue=queue)
        assert wait_for(lambda: JobRun.objects.filter(job="security.retention", status="succeeded").exists())
    finally:
        stop(worker, signal.SIGTERM)
    run = JobRun.objects.get(job="security.retention")
    assert run.changed == 12 and run.chunks == 3
    assert set(Anonymisation.objects.values_list("customer_id", flat=True)) == set(customers)


def test_two_chunks_at_once_share_the_customers_without_overlap():
    customers = _due_customers(20)
    results, barrier = [], threading.Barrier(2)

    def work():
        try:
            with transaction.atomic():
                barrier.wait(10)
                results.append(retention_chunk(today=dt.date(2031, 1, 1), size=20))
        finally:
            close_old_connections()

    threads = [threading.Thread(target=work) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    # then: every customer once, whichever chunk took it
    assert sum(result.changed for result in results) == 20
    assert sorted(Anonymisation.objects.values_list("customer_id", flat=True)) == sorted(customers)
