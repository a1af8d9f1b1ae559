"""POST /api/v1/prepaid/sms-usage: the charging system feeds the SMS fair-usage counters (PRE-04)."""

import datetime as dt

import pytest
from django.utils import timezone

from accounts.models import Block
from prepaid import tasks
from prepaid.models import SmsHourCounter, SmsUsageRecord
from tests.core.factories import make_client
from tests.prepaid.factories import CardFactory

pytestmark = pytest.mark.django_db
URL = "/api/v1/prepaid/sms-usage"
AT = timezone.make_aware(dt.datetime(2026, 11, 18, 14, 5))


def _headers(kind="charging"):
    _client, key = make_client(kind=kind)
    return {"HTTP_AUTHORIZATION": f"Token {key}"}


def _post(client, body, headers):
    return client.post(URL, body, content_type="application/json", **headers)


def _record(card, record_id, count, at=AT):
    return {"record_id": record_id, "msisdn": card.line.msisdn_national, "count": count, "occurred_at": at.isoformat()}


def test_records_are_counted_once_and_a_replayed_batch_gets_the_first_answer(client):
    # given
    card = CardFactory()
    headers = _headers()
    body = [_record(card, "s1", 120), _record(card, "s2", 30)]
    # when the batch is sent twice
    first = _post(client, body, headers)
    again = _post(client, body, headers)
    # then it counts once
    assert first.json() == {"accepted": 2, "duplicate": 0, "rejected": 0, "errors": []}
    assert again.content == first.content
    assert SmsHourCounter.objects.get(card=card, day=AT.date(), hour=14).count == 150


@pytest.mark.rule("PRE-04")
def test_pre04_fed_over_the_api_201_in_an_hour_blocks_the_card(client):
    # given 201 SMS in one hour, reported by the charging system
    card = CardFactory()
    _post(client, [_record(card, "a", 200), _record(card, "b", 1)], _headers())
    # when the fair-usage job runs
    tasks.sms_fair_usage_task(at=AT.replace(minute=30).isoformat())
    # then the card is blocked for fair usage
    assert Block.objects.filter(line=card.line, reason=Block.Reason.SMS_FAIR_USAGE, ended_at__isnull=True).exists()


def test_bad_records_are_rejected_one_by_one_and_nothing_written_for_them(client):
    card = CardFactory()
    body = [
        _record(card, "ok", 5),
        {"record_id": "bad-count", "msisdn": card.line.msisdn_national, "count": 0, "occurred_at": AT.isoformat()},
        {"record_id": "bad-number", "msisdn": "12345", "count": 1, "occurred_at": AT.isoformat()},
        {"record_id": "no-card", "msisdn": "081299999999", "count": 1, "occurred_at": AT.isoformat()},
        "not an object",
    ]
    response = _post(client, body, _headers())
    data = response.json()
    assert response.status_code == 200
    assert (data["accepted"], data["rejected"]) == (1, 4)
    assert [error["code"] for error in data["errors"]] == ["invalid", "invalid", "card_not_found", "invalid"]
    assert "count" in data["errors"][0]["fields"]
    assert SmsUsageRecord.objects.count() == 1


@pytest.mark.parametrize("body", [[], {}, "x", None])
def test_not_a_list_is_400(client, body):
    response = _post(client, body, _headers())
    assert response.status_code == 400
    assert response.json()["error"]["code"] in {"invalid", "parse_error"}


def test_only_charging_and_network_clients(client):
    card = CardFactory()
    assert _post(client, [_record(card, "x", 1)], {}).status_code == 401
    assert _post(client, [_record(card, "x", 1)], _headers("app")).status_code == 403
    assert _post(client, [_record(card, "x", 1)], _headers("network")).status_code == 200
