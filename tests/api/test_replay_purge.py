"""Issue 14: replay rows are purged after the replay window by a daily job; a purchase keeps its own unique key."""

import datetime as dt

import pytest
from django.utils import timezone

from core.models import ApiRequest
from core.tasks import api_replay_purge_task
from tests.core.factories import make_client

pytestmark = pytest.mark.django_db


def replay_row(client, request_id: str, age_days: float) -> ApiRequest:
    row = ApiRequest.objects.create(client=client, request_id=request_id, method="POST", path="/api/v1/x",
                                    body_hash="0" * 64, response_status=200, response_body="{}")
    ApiRequest.objects.filter(pk=row.pk).update(created_at=timezone.now() - dt.timedelta(days=age_days))
    return row


def test_the_purge_job_deletes_rows_past_the_window_only_and_a_second_run_finds_nothing(settings):
    # given a 7-day window, rows just inside and just past it
    settings.API_REPLAY_DAYS = 7
    client, _key = make_client(kind="partner")
    kept = replay_row(client, "inside", 6.9)
    replay_row(client, "past", 7.1)
    replay_row(client, "old", 30)
    # when
    first = api_replay_purge_task()
    second = api_replay_purge_task()
    # then
    assert first == {"deleted": 2} and second == {"deleted": 0}
    assert list(ApiRequest.objects.values_list("pk", flat=True)) == [kept.pk]


def test_the_purge_is_scheduled_daily():
    from core.schedules import SCHEDULES

    schedule = next(s for s in SCHEDULES.values() if s.task == "core.tasks.api_replay_purge_task")
    assert schedule.crontab == {"minute": "40", "hour": "2"}
