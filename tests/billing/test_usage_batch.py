"""Issue 14: POST usage-records is one set-based call per batch (billing.services.usage_records_batch), with the
answers `usage_record` gives one record at a time."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from billing.models import UsageRecord
from billing.services import usage_record, usage_records_batch
from core.dates import local_today
from core.models import OutboundSms
from tests.accounts.factories import LineFactory
from tests.billing.factories import limit_of, open_line, set_limit

pytestmark = pytest.mark.django_db


@pytest.fixture
def line(db):
    return open_line(today=local_today())


def rec(line, record_id, **overrides):
    return {"record_id": record_id, "msisdn": line.msisdn, "scope": "domestic", "category": "data",
            "amount": 10_000, "occurred_at": timezone.now(), **overrides}


def codes(outcomes):
    return [None if outcome is None else outcome.codes[0] for outcome in outcomes]


def test_a_mixed_batch_gets_the_answers_of_usage_record(line):
    usage_record(record_id="sent-before", msisdn=line.msisdn, scope="domestic", category="data", amount=10_000,
                 occurred_at=timezone.now())
    used = limit_of(line).used
    prepaid = LineFactory()
    outcomes = usage_records_batch(records=[
        rec(line, "sent-before"),  # the same record again: accepted, not counted twice
        rec(line, "sent-before-2", amount=1),
        rec(line, "new-1"),
        rec(line, "sent-before", amount=99),  # the same id with other usage
        rec(prepaid, "prepaid"),
        rec(line, "no-category", category="nope"),
        rec(line, "no-line", msisdn="+6281399999999"),
        rec(line, "x" * 300),
    ], client="charging-a")
    assert codes(outcomes) == [None, None, None, "record_id_reused", "not_postpaid", "unknown_category",
                               "unknown_line", "invalid_record_id"]
    assert limit_of(line).used == used + 1 + 10_000
    assert set(UsageRecord.objects.filter(client="charging-a").values_list("record_id", flat=True)) == {
        "sent-before-2", "new-1"}


@pytest.mark.rule("BIL-11")
def test_late_usage_is_stored_on_the_current_cycle_without_counting(line):
    limit = limit_of(line)
    before = limit.cycle_start - dt.timedelta(days=3)
    occurred = timezone.make_aware(dt.datetime.combine(before, dt.time(12)))
    outcomes = usage_records_batch(records=[rec(line, "late", occurred_at=occurred), rec(line, "now")])
    assert codes(outcomes) == [None, None]
    late = UsageRecord.objects.get(record_id="late")
    assert (late.counted, late.cycle_start, late.late_cycle_start is not None) == (False, limit.cycle_start, True)
    assert limit_of(line).used == limit.used + 10_000


def test_a_category_that_does_not_count_is_stored_but_not_counted(line):
    used = limit_of(line).used
    assert codes(usage_records_batch(records=[rec(line, "r", category="addon_recurring")])) == [None]
    assert UsageRecord.objects.get(record_id="r").counted is False
    assert limit_of(line).used == used


@pytest.mark.rule("LIM-04")
def test_a_batch_that_crosses_both_thresholds_sends_each_sms_once(line):
    set_limit(line, 100_000, used=0)
    usage_records_batch(records=[rec(line, f"r{n}", amount=30_000) for n in range(4)])  # 120 % of the limit
    usage_records_batch(records=[rec(line, "r-more", amount=30_000)])
    sent = OutboundSms.objects.filter(line=line).values_list("template_code", flat=True)
    assert sorted(sent) == ["billing_limit_full", "billing_limit_warn"]
    assert limit_of(line).used == 150_000


@pytest.mark.postgres  # SQLite goes through the ORM (tests/billing/test_usage_sqlite.py)
def test_the_statement_count_does_not_grow_with_the_batch(line):
    set_limit(line, 10**12, used=0)  # no threshold SMS in either batch
    usage_records_batch(records=[rec(line, "warm")])

    def statements(size, tag):
        with CaptureQueriesContext(connection) as captured:
            assert codes(usage_records_batch(records=[rec(line, f"{tag}-{n}") for n in range(size)])) == [None] * size
        return len(captured.captured_queries)

    assert statements(200, "big") == statements(2, "small") == 7  # tests/billing/test_api.py names them


def test_a_replayed_batch_is_one_lookup_and_writes_nothing(line):
    records = [rec(line, f"r{n}", amount=n) for n in range(50)]
    assert codes(usage_records_batch(records=records)) == [None] * 50
    used = limit_of(line).used
    with CaptureQueriesContext(connection) as captured:
        assert codes(usage_records_batch(records=[*records, rec(line, "r1", amount=2)][1:])) == [None] * 49 + [
            "record_id_reused"]
    assert limit_of(line).used == used
    assert not [q for q in captured.captured_queries if q["sql"].lstrip().startswith(("WITH", "INSERT", "UPDATE"))]
    assert UsageRecord.objects.filter(record_id__startswith="r").count() == 50


def test_a_replay_answers_before_what_is_now_wrong_with_the_record(line):
    # given a record stored, and then its category no longer known for the scope and the line's limit gone
    usage_records_batch(records=[rec(line, "kept")])
    # when it is delivered again with another category: a replay check first, as usage_record does
    assert codes(usage_records_batch(records=[rec(line, "kept", category="nope"), rec(line, "kept-2", category="nope")
                                              ])) == ["record_id_reused", "unknown_category"]
    assert codes(usage_records_batch(records=[rec(line, "kept")])) == [None]


def test_a_naive_time_is_read_in_wib(line):
    naive = dt.datetime.combine(local_today(), dt.time(0, 30))  # 17:30 the day before in UTC
    assert codes(usage_records_batch(records=[rec(line, "naive", occurred_at=naive)])) == [None]
    stored = UsageRecord.objects.get(record_id="naive")
    assert timezone.localtime(stored.occurred_at).replace(tzinfo=None) == naive
