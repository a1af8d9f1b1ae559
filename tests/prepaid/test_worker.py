"""A real Celery worker on Redis runs the lifecycle job and is killed half-way; a second run finishes it. Every card
is processed exactly once and the ledgers verify (PRE-02)."""

import datetime as dt
import os
import signal
import uuid
from pathlib import Path

import pytest
from django.db.models import Count

from accounts.models import Line
from core.models import JobRun
from prepaid.ledger_checks import ledger_mismatches
from prepaid.models import Card, LedgerEntry
from tests.integration.worker import start_worker, stop, wait_for
from tests.prepaid.test_concurrency import _cards

pytestmark = [pytest.mark.services, pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

ROOT = Path(__file__).resolve().parents[2]


def test_lifecycle_worker_killed_mid_batch_then_rerun_forfeits_every_card_once():
    from config.celery_app import app

    # given: 600 cards whose grace ended, one card per chunk so that the run takes a while
    cards = _cards(600, 7000, state=Card.State.GRACE, active_until=dt.date(2026, 4, 1),
                   grace_until=dt.date(2026, 5, 1), balance=4321)
    queue = f"test-prepaid-{uuid.uuid4().hex[:8]}"
    kwargs = {"day": "2026-06-10", "chunk_size": 1}
    worker = start_worker(queue)
    try:
        app.send_task("prepaid.tasks.lifecycle_task", kwargs=kwargs, queue=queue)
        # when: SIGKILL once some chunks are committed
        assert wait_for(lambda: JobRun.objects.filter(job="prepaid.lifecycle", changed__gte=50).exists())
        os.killpg(worker.pid, signal.SIGKILL)
        worker.wait(10)
    finally:
        stop(worker, signal.SIGKILL)
    run = JobRun.objects.get(job="prepaid.lifecycle")
    done_before = Card.objects.filter(state=Card.State.INVALID).count()
    # then: it died half-way, with exact counts and a verifying ledger
    assert run.status == JobRun.Status.RUNNING
    assert 50 <= done_before < 600 and run.changed == done_before
    assert ledger_mismatches() == []
    # ACC-09: each invalid card's line ended in the chunk's own transaction, none without its card
    assert Line.objects.filter(status=Line.Status.TERMINATED).count() == done_before

    # when: beat runs it again on a fresh worker
    worker = start_worker(queue)
    try:
        app.send_task("prepaid.tasks.lifecycle_task", kwargs=kwargs, queue=queue)
        assert wait_for(lambda: JobRun.objects.filter(job="prepaid.lifecycle", status="succeeded").exists())
    finally:
        stop(worker, signal.SIGTERM)
    # then: every card forfeited exactly once
    run.refresh_from_db()
    assert run.attempts == 2 and run.changed == 600
    assert set(Card.objects.filter(pk__in=[c.pk for c in cards]).values_list("state", flat=True)) == {"invalid"}
    per_card = (LedgerEntry.objects.filter(kind=LedgerEntry.Kind.FORFEITURE).values("card_id")
                .annotate(n=Count("id")).values_list("n", flat=True))
    assert len(per_card) == 600 and set(per_card) == {1}
    assert ledger_mismatches() == []
    assert set(Line.objects.filter(prepaid_card__in=cards).values_list("status", flat=True)) == {"terminated"}
