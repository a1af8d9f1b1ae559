"""POST usage-records on SQLite, the embedded default database (`make run`): run by tests/billing/test_usage_sqlite.py
in a pytest of its own on SQLite (this file's name keeps it out of the PostgreSQL run, which CI uses). The batch
service's SQL is PostgreSQL's; on SQLite the same steps go through the ORM (billing/services/usage_batch.py)."""

import datetime as dt

import pytest
from django.db import connection
from django.utils import timezone

from billing.models import UsageRecord
from core.dates import local_today
from core.models import OutboundSms
from tests.billing.factories import limit_of, open_line, set_limit
from tests.core.factories import make_client

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _on_sqlite(db):
    assert connection.vendor == "sqlite"


@pytest.fixture
def charging(db):
    _client, key = make_client(kind="charging")
    return {"HTTP_AUTHORIZATION": f"Token {key}"}


@pytest.fixture
def line(db):
    return open_line(today=local_today())


def record(line, record_id, **overrides):
    return {"record_id": record_id, "msisdn": line.msisdn_national, "scope": "domestic", "category": "data",
            "amount": 10_000, "occurred_at": timezone.now().isoformat(), **overrides}


def post_usage(client, headers, records):
    return client.post("/api/v1/usage-records", records, content_type="application/json", **headers)


def test_a_batch_is_stored_counted_and_a_replay_answered_as_the_first(client, charging, line):
    used = limit_of(line).used
    batch = [record(line, "a"), record(line, "b", amount=5_000), record(line, "a"),
             record(line, "c", category="nope"), record(line, "d", amount=-1), record(line, "e", msisdn="081399999999")]
    first = post_usage(client, charging, batch)
    assert first.status_code == 200, first.content
    body = first.json()
    assert (body["accepted"], body["duplicate"], body["rejected"]) == (2, 1, 3)
    assert [(e["index"], e["code"]) for e in body["errors"]] == [(3, "unknown_category"), (4, "invalid"),
                                                                  (5, "unknown_line")]
    assert limit_of(line).used == used + 15_000
    again = post_usage(client, charging, batch)
    assert again.content == first.content
    assert limit_of(line).used == used + 15_000
    reused = post_usage(client, charging, [record(line, "a", amount=1)]).json()
    assert reused["errors"][0]["code"] == "record_id_reused"
    stored = UsageRecord.objects.filter(record_id__startswith="api:").values_list("record_id", "amount", "counted")
    assert sorted((record_id.rsplit(":", 1)[1], amount, counted) for record_id, amount, counted in stored) == [
        ("a", 10_000, True), ("b", 5_000, True)]


@pytest.mark.rule("BIL-11")
def test_late_usage_is_stored_on_the_current_cycle_without_counting(client, charging, line):
    limit = limit_of(line)
    occurred = timezone.make_aware(dt.datetime.combine(limit.cycle_start - dt.timedelta(days=3), dt.time(12)))
    response = post_usage(client, charging, [record(line, "late", occurred_at=occurred.isoformat())])
    assert response.json()["accepted"] == 1
    late = UsageRecord.objects.get(record_id__endswith=":late")
    assert (late.counted, late.cycle_start, late.late_cycle_start is not None) == (False, limit.cycle_start, True)
    assert limit_of(line).used == limit.used


@pytest.mark.rule("LIM-04")
def test_a_batch_past_both_thresholds_sends_each_sms_once(client, charging, line):
    set_limit(line, 100_000, used=0)
    post_usage(client, charging, [record(line, f"r{n}", amount=30_000) for n in range(4)])
    post_usage(client, charging, [record(line, "r-more", amount=30_000)])
    sent = OutboundSms.objects.filter(line=line).values_list("template_code", flat=True)
    assert sorted(sent) == ["billing_limit_full", "billing_limit_warn"]
    assert limit_of(line).used == 150_000
