"""Issue 14: API keys come from a per-process cache with a short TTL; a revoke through the service clears it at once,
and a key revoked elsewhere (another process) stops within the TTL."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from core.api import auth
from core.models import ChannelApiKey, ChannelClient
from core.services import channel_key_revoke
from tests.accounts.factories import LineFactory
from tests.core.factories import make_client

pytestmark = pytest.mark.django_db


def lookup(client, key):
    return client.get("/api/v1/lines/081234567890", HTTP_AUTHORIZATION=f"Token {key}")


@pytest.fixture
def key(db):
    LineFactory(msisdn="+6281234567890")
    return make_client(kind="charging")[1]


def key_queries(captured) -> int:
    return sum("core_channelapikey" in query["sql"] for query in captured.captured_queries)


def test_a_known_key_is_read_from_the_database_once_per_ttl(client, key):
    with CaptureQueriesContext(connection) as first:
        assert lookup(client, key).status_code == 200
    with CaptureQueriesContext(connection) as second:
        assert lookup(client, key).status_code == 200
    assert key_queries(first) >= 1 and key_queries(second) == 0


def test_a_revoke_through_the_service_stops_the_key_at_once(client, key, supervisor):
    assert lookup(client, key).status_code == 200
    channel_key_revoke(api_key=ChannelApiKey.objects.get(), actor=supervisor, reason="leaked")
    assert lookup(client, key).status_code == 401


def test_a_deactivated_client_stops_at_once(client, key):
    assert lookup(client, key).status_code == 200
    api_client = ChannelClient.objects.get()
    api_client.active = False
    api_client.save()
    assert lookup(client, key).status_code == 401


def test_a_key_revoked_by_another_process_stops_within_the_ttl(client, key, monkeypatch, settings):
    # given the key cached here, then revoked where this process's signals do not run (a queryset update)
    settings.API_KEY_CACHE_SECONDS = 30
    clock = [1000.0]
    monkeypatch.setattr(auth.time, "monotonic", lambda: clock[0])
    assert lookup(client, key).status_code == 200
    ChannelApiKey.objects.update(revoked_at=timezone.now())
    # when less than the TTL has passed, the cached answer stands; once it has, the key is refused
    clock[0] += 29
    assert lookup(client, key).status_code == 200
    clock[0] += 2
    assert lookup(client, key).status_code == 401


def test_unknown_keys_are_not_cached(client, key):
    for index in range(5):
        assert lookup(client, f"nope.{index}").status_code == 401
    assert len(auth._cache) == 0
