"""LIM-02 under load: no concurrent burst approves past the limit (PostgreSQL, real transactions)."""

import random
import threading

import pytest
from django.db import connection
from django.db.models import Sum

from billing.models import Purchase, UsageRecord
from billing.services import purchase_authorize, usage_record
from core.models import OutboundSms
from tests.billing.factories import TODAY, limit_of, open_line

THREADS = 32
PER_THREAD = 6


def _fire(barrier, errors, worker, msisdn, amounts):
    try:
        barrier.wait()
        for index, amount in enumerate(amounts):
            purchase_authorize(request_id=f"burst-{worker}-{index}", msisdn=msisdn, scope="domestic",
                               category="addon", amount=amount, today=TODAY)
    except Exception as exc:  # pragma: no cover - reported below
        errors.append(exc)
    finally:
        connection.close()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_lim02_32_threads_never_approve_past_the_limit():
    # given a line with 100.000 used of 300.000 and 32 clients each wanting far more than the 200.000 left
    line = open_line()
    rng = random.Random(7)
    plans = [[rng.randint(1_000, 25_000) for _ in range(PER_THREAD)] for _ in range(THREADS)]
    barrier = threading.Barrier(THREADS)
    errors: list[Exception] = []
    # when they all fire at once
    threads = [threading.Thread(target=_fire, args=(barrier, errors, worker, line.msisdn, plans[worker]))
               for worker in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    # then the approved total stays within the limit and equals the recorded usage
    assert errors == []
    limit = limit_of(line)
    approved = Purchase.objects.filter(line=line, decision="approved").aggregate(total=Sum("amount"))["total"]
    package_fee = UsageRecord.objects.filter(line=line).aggregate(total=Sum("amount"))["total"]
    assert Purchase.objects.filter(line=line).count() == THREADS * PER_THREAD
    assert limit.used == package_fee + approved
    assert limit.used <= limit.amount
    assert Purchase.objects.filter(line=line, decision="declined").exclude(reason="limit_exceeded").count() == 0
    assert sum(map(sum, plans)) > limit.amount  # the burst really asked for more than the limit
    # and 80 % / 100 % notified at most once each
    assert OutboundSms.objects.filter(line=line, template_code="billing_limit_warn").count() == 1
    assert OutboundSms.objects.filter(line=line, template_code="billing_limit_full").count() <= 1


def _replay(barrier, results, msisdn):
    try:
        barrier.wait()
        results.append(purchase_authorize(request_id="same-id", msisdn=msisdn, scope="domestic", category="addon",
                                          amount=10_000, today=TODAY).pk)
    finally:
        connection.close()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_concurrent_replays_of_one_request_id_approve_once():
    line = open_line()
    barrier = threading.Barrier(8)
    results: list[int] = []
    threads = [threading.Thread(target=_replay, args=(barrier, results, line.msisdn)) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(results) == 8 and len(set(results)) == 1
    assert limit_of(line).used == 110_000


def _use(barrier, worker, line):
    from django.utils import timezone

    try:
        barrier.wait()
        for index in range(5):
            usage_record(record_id=f"cdr-{index}", line=line, scope="domestic", category="data", amount=1_000,
                         occurred_at=timezone.now())
            usage_record(record_id=f"cdr-{worker}-{index}", line=line, scope="domestic", category="data",
                         amount=1_000, occurred_at=timezone.now())
    finally:
        connection.close()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_concurrent_usage_records_count_once_per_record_id():
    line = open_line()
    barrier = threading.Barrier(8)
    threads = [threading.Thread(target=_use, args=(barrier, worker, line)) for worker in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert UsageRecord.objects.filter(line=line, record_id__startswith="cdr-").count() == 5 + 8 * 5
    assert limit_of(line).used == 100_000 + 45 * 1_000
