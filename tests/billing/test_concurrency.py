"""LIM-02 under load: no concurrent burst approves past the limit (PostgreSQL, real transactions)."""

import random
import threading

import pytest
from django.db import connection
from django.db.models import Sum

from billing.models import Purchase, UsageRecord
from billing.services import purchase_authorize, usage_record
from billing.services.purchases import PREPARE_AFTER
from core.models import OutboundSms
from tests.billing.factories import TODAY, limit_of, open_line, set_limit

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


@pytest.mark.rule("LIM-02")
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


@pytest.mark.rule("LIM-02")
@pytest.mark.postgres
@pytest.mark.django_db
def test_the_normal_path_is_one_statement():
    # given a line with room (the purchase runs in the test's transaction, so atomic() is a savepoint)
    from django.test.utils import CaptureQueriesContext

    line = open_line()
    purchase_authorize(request_id="warm", line=line, scope="domestic", category="addon", amount=1_000, today=TODAY)
    # when a purchase is approved and one is declined (LIM-02)
    with CaptureQueriesContext(connection) as approved:
        purchase_authorize(request_id="q-1", msisdn=line.msisdn, scope="domestic", category="addon", amount=1_000,
                           today=TODAY)
    with CaptureQueriesContext(connection) as declined:
        purchase_authorize(request_id="q-2", msisdn=line.msisdn, scope="domestic", category="addon",
                           amount=10_000_000, today=TODAY)
    # then each is one statement that decides, debits and inserts its row: no replay SELECT first
    for captured in (approved, declined):
        statements = [q["sql"] for q in captured.captured_queries
                      if not q["sql"].startswith(("SAVEPOINT", "RELEASE SAVEPOINT"))]
        assert len(statements) == 1, statements
        assert statements[0].lstrip().startswith("WITH line AS") and "UPDATE billing_spendinglimit" in statements[0]
        assert "INSERT INTO billing_purchase" in statements[0]
    # and after a few runs on this connection PostgreSQL holds it prepared (no parse and plan per request)
    for index in range(PREPARE_AFTER):
        purchase_authorize(request_id=f"p-{index}", msisdn=line.msisdn, scope="domestic", category="addon",
                           amount=1_000, today=TODAY)
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        prepared = [row[0].lstrip() for row in cursor.fetchall()]
    assert any(sql.startswith("WITH line AS") and "INSERT INTO billing_purchase" in sql for sql in prepared), prepared


@pytest.mark.rule("LIM-04")
@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_outside_a_transaction_an_authorization_is_one_statement_and_a_replay_writes_nothing():
    # given a line at 100.000 of 300.000, and no transaction open (as in a web request)
    from django.test.utils import CaptureQueriesContext

    from billing import catalogue_cache

    line = open_line()
    set_limit(line, 300_000, used=100_000)
    catalogue_cache.category("addon"), catalogue_cache.parameter("limit_warn_percent")  # as on a warm worker
    catalogue_cache.parameter("limit_full_percent")
    # when a purchase takes it above 80 % (240.000 + 1)
    with CaptureQueriesContext(connection) as captured:
        first = purchase_authorize(request_id="big", msisdn=line.msisdn, scope="domestic", category="addon",
                                   amount=140_001, today=TODAY)
    # then one statement decided, debited and stored it; the warning SMS and the claim of its flag follow, in a
    # transaction of their own
    sql = [q["sql"] for q in captured.captured_queries]
    assert sql[0].lstrip().startswith("WITH line AS") and "INSERT INTO billing_purchase" in sql[0]
    assert "billing_purchase" not in " ".join(sql[1:]) and "core_outboundsms" in " ".join(sql[1:])
    assert first.decision == "approved" and limit_of(line).used == 240_001
    assert list(OutboundSms.objects.filter(line=line).values_list("template_code", flat=True)) == [
        "billing_limit_warn"]
    # when the same request is sent again
    again = purchase_authorize(request_id="big", msisdn=line.msisdn, scope="domestic", category="addon",
                               amount=140_001, today=TODAY)
    # then it answers from the first row: no second debit, no second SMS, no second row
    assert again.replayed and again.pk == first.pk and again.usage_after == first.usage_after == 240_001
    assert limit_of(line).used == 240_001
    assert OutboundSms.objects.filter(line=line).count() == 1
    assert Purchase.objects.filter(request_id="big").count() == 1


def _buy_and_hold(started, release, msisdn):
    """Approve a purchase and keep its transaction (and the limit's row lock) open until `release`."""
    from django.db import transaction

    try:
        with transaction.atomic():
            purchase_authorize(request_id="holder", msisdn=msisdn, scope="domestic", category="addon",
                               amount=150_000, today=TODAY)
            started.set()
            release.wait(timeout=30)
    finally:
        connection.close()


def _buy_after(results, msisdn):
    try:
        results.append(purchase_authorize(request_id="waiter", msisdn=msisdn, scope="domestic", category="addon",
                                          amount=100_000, today=TODAY))
    finally:
        connection.close()


def _lock_waiters() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                       "AND wait_event_type = 'Lock'")
        return cursor.fetchone()[0]


@pytest.mark.rule("LIM-02")
@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_lim02_a_decline_after_waiting_for_the_row_lock_stores_the_usage_it_was_decided_on():
    # given 100.000 used of 300.000, and a purchase of 150.000 approved but not yet committed
    import time

    line = open_line()
    started, release, results = threading.Event(), threading.Event(), []
    holder = threading.Thread(target=_buy_and_hold, args=(started, release, line.msisdn))
    holder.start()
    assert started.wait(timeout=30)
    # when a purchase of 100.000 arrives: its snapshot still shows room (100.000 + 100.000 <= 300.000), so it waits
    # for the row lock, then finds 250.000 used
    waiter = threading.Thread(target=_buy_after, args=(results, line.msisdn))
    waiter.start()
    deadline = time.monotonic() + 30
    while _lock_waiters() == 0 and time.monotonic() < deadline:
        time.sleep(0.02)
    release.set()
    holder.join()
    waiter.join()
    # then it is declined and stores 250.000, the usage it was decided on, not the 100.000 of its snapshot
    (purchase,) = results
    assert (purchase.decision, purchase.reason) == ("declined", "limit_exceeded")
    assert Purchase.objects.get(request_id="waiter").usage_after == 250_000
    assert limit_of(line).used == 250_000


def _run_all(count, target):
    barrier = threading.Barrier(count)
    errors: list[Exception] = []

    def run(index):
        try:
            barrier.wait()
            target(index)
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(index,)) for index in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return errors


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.rule("BIL-09")
def test_bil09_two_bill_workers_issue_one_bill_and_one_statement_and_resends_each_get_their_own_row():
    import datetime as dt

    from django.db import transaction

    from billing.models import Bill
    from billing.services import bill_statement_resend, bills_issue_chunk, cycles_close_chunk

    # given November closed on a line
    line = open_line()
    dec1 = dt.date(2026, 12, 1)
    with transaction.atomic():
        cycles_close_chunk(today=dec1)

    def issue(_index):
        with transaction.atomic():
            bills_issue_chunk(today=dec1)

    # when two bill workers run at once
    assert _run_all(2, issue) == []
    # then one bill and one statement SMS
    bill = Bill.objects.get(billing_account=line.billing_account)
    assert OutboundSms.objects.filter(template_code="billing_bill_statement").count() == 1
    # and four agents resending at once write four rows with four keys
    assert _run_all(4, lambda index: bill_statement_resend(bill=bill, actor=None, reason=f"agent {index}")) == []
    keys = set(OutboundSms.objects.filter(template_code="billing_bill_statement").values_list("dedup_key", flat=True))
    assert keys == {f"bill-statement:{bill.pk}"} | {f"bill-statement:{bill.pk}:resend:{n}" for n in range(1, 5)}
