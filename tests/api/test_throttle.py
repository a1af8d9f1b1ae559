"""Issue 14: the throttle counts exactly under concurrency (8 threads × 500 → 4,000) on real Redis, in one round trip
per request, and its window state is O(1) (one counter per client and window)."""

import os
import threading
import time
from types import SimpleNamespace

import pytest
from django.core.cache import caches

from core.api import throttling
from core.api.throttling import ChannelClientThrottle, parse_rate
from tests.core.factories import make_client

pytestmark = pytest.mark.django_db


@pytest.fixture
def redis_cache(settings):
    """Django's RedisCache on the test Redis (the broker's server, a key prefix of its own)."""
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache",
                                   "LOCATION": os.environ.get("CELERY_BROKER_URL", ""),
                                   "KEY_PREFIX": f"throttle-test-{os.getpid()}"}}
    cache = caches["default"]
    throttling.cache = cache
    throttling.leases_clear()
    yield cache
    throttling.leases_clear()
    # Only this fixture's keys: cache.clear() is FLUSHDB, which would empty the database that the other test
    # worker's counters and the Celery tests' queues share.
    redis = cache._cache.get_client(write=True)
    for key in redis.scan_iter(match=f"throttle-test-{os.getpid()}:*"):
        redis.delete(key)
    throttling.cache = caches["default"]


def count_redis_commands(monkeypatch, calls: list) -> None:
    """Every command sent to Redis by any client or connection, by name (the round trips), but a new connection's
    handshake (once per connection, not per request)."""
    from redis.connection import AbstractConnection

    original = AbstractConnection.send_command

    def send(self, *args, **kwargs):
        if str(args[0]) not in ("HELLO", "CLIENT", "SELECT", "AUTH"):
            calls.append(str(args[0]))
        return original(self, *args, **kwargs)

    monkeypatch.setattr(AbstractConnection, "send_command", send)


def hammer(throttle_client, threads=8, each=500) -> int:
    allowed = []

    def work():
        throttle = ChannelClientThrottle()
        request = SimpleNamespace(auth=throttle_client)
        allowed.append(sum(throttle.allow_request(request, None) for _ in range(each)))

    workers = [threading.Thread(target=work) for _ in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    return sum(allowed)


@pytest.mark.services
def test_8_threads_x_500_requests_count_exactly_4000_on_redis(redis_cache):
    # given a rate no one reaches, then one that is reached mid-run
    generous, _key = make_client(kind="charging", throttle_rate="1000000/h")
    tight, _key = make_client(kind="charging", throttle_rate="3000/h")
    # when / then every request counted exactly once: what Redis counted is what passed and what this process holds
    assert hammer(generous) == 4000
    key = f"throttle:client-{generous.pk}:3600:"
    counters = [k for k in redis_cache._cache.get_client().keys(f"*{key}*")]
    (held,) = [left for name, (_window, left) in throttling._leases.items() if name.endswith(key[:-1])]
    assert len(counters) == 1 and int(redis_cache._cache.get_client().get(counters[0])) == 4000 + held
    assert 0 <= held < throttling.MAX_LEASE
    assert hammer(tight) == 3000  # exactly the rate, not 826 nor 4,000


@pytest.mark.services
def test_at_most_one_redis_round_trip_per_request_and_one_per_lease(redis_cache, monkeypatch):
    client, _key = make_client(kind="charging")  # 150,000/min: leases of MAX_LEASE requests
    calls = []
    redis = redis_cache._cache.get_client(write=True)
    count_redis_commands(monkeypatch, calls)
    monkeypatch.setattr(throttling, "_redis_client", lambda: redis)
    throttle = ChannelClientThrottle()
    assert throttle.allow_request(SimpleNamespace(auth=client), None)  # loads the script if Redis lacks it
    calls.clear()
    for _ in range(200):
        assert throttle.allow_request(SimpleNamespace(auth=client), None)
    # 63 requests left of the first lease, then 137 more: three leases of 64
    assert calls == ["EVALSHA"] * 3


@pytest.mark.services
def test_leases_shrink_near_the_limit_so_that_processes_share_it_exactly(redis_cache, monkeypatch):
    # Two web processes, each with its own leases, on one client's window of 1,000 requests.
    client, _key = make_client(kind="charging", throttle_rate="1000/h")
    first, second = {}, {}
    throttle = ChannelClientThrottle()

    def in_process(leases: dict, requests: int) -> int:
        monkeypatch.setattr(throttling, "_leases", leases)
        return sum(throttle.allow_request(SimpleNamespace(auth=client), None) for _ in range(requests))

    assert in_process(first, 1) == 1  # leased 1,000 / LEASE_SHARE = 15 requests, used one
    assert in_process(second, 2_000) == 985  # all the rest, never more: a refusal once Redis has counted 1,000
    assert in_process(first, 100) == 14  # what the first process still held
    assert in_process(second, 10) == 0


@pytest.mark.services
def test_the_counter_survives_a_redis_script_flush(redis_cache):
    client, _key = make_client(kind="charging", throttle_rate="5/min")
    throttle = ChannelClientThrottle()
    assert throttle.allow_request(SimpleNamespace(auth=client), None)
    # As after a Redis restart (SCRIPT FLUSH would do it for every test running on this server at the same time):
    # the SHA this process holds is no longer known to Redis.
    throttling._redis_client()._throttle_sha = "0" * 40
    answers = [throttle.allow_request(SimpleNamespace(auth=client), None) for _ in range(6)]
    assert answers == [True] * 4 + [False] * 2


def test_the_local_cache_fallback_counts_and_refuses_past_the_rate():
    caches["default"].clear()  # SQLite reuses a rolled-back client's id: its counter may still be in this cache
    client, _key = make_client(kind="charging", throttle_rate="5/min")
    throttle = ChannelClientThrottle()
    answers = [throttle.allow_request(SimpleNamespace(auth=client), None) for _ in range(7)]
    assert answers == [True] * 5 + [False] * 2 and 1 <= throttle.wait() <= 60


def test_the_charging_default_lets_one_client_reach_the_target_rate(settings):
    count, seconds = parse_rate(settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]["channel_charging"])
    assert count / seconds >= 2000  # authorizations a second at peak (issue 14)


@pytest.mark.services
def test_production_finds_the_redis_client_behind_djangos_cache_proxy(redis_cache, monkeypatch):
    """Without patching `_redis_client`: the module-level `django.core.cache.cache` is a proxy, not a RedisCache."""
    from django.core.cache import cache as proxy

    monkeypatch.setattr(throttling, "cache", proxy, raising=False)
    client, _key = make_client(kind="charging")
    redis = throttling._redis_client()
    assert redis is not None
    calls = []
    count_redis_commands(monkeypatch, calls)
    assert ChannelClientThrottle().allow_request(SimpleNamespace(auth=client), None)
    assert calls in (["EVALSHA"], ["SCRIPT LOAD", "EVALSHA"])  # the second: this process had not loaded it yet


@pytest.mark.services
def test_an_http_topup_is_at_most_one_redis_round_trip(client, redis_cache, monkeypatch):
    # Issue 14: the throttle's lease is the only Redis traffic of a top-up (every client of the cache counted).
    from tests.api.endpoints import World

    world = World()
    endpoint = next(e for e in world.endpoints() if e.name == "prepaid_topup")
    assert world.post(client, endpoint, endpoint.with_field("request_id", "warm-up")).status_code == 200
    calls = []
    count_redis_commands(monkeypatch, calls)
    throttling.leases_clear()  # as a process that has no lease yet
    response = world.post(client, endpoint, endpoint.with_field("request_id", "t-2"))
    assert response.status_code == 200, response.content
    assert calls == ["EVALSHA"]
    calls.clear()
    response = world.post(client, endpoint, endpoint.with_field("request_id", "t-3"))
    assert response.status_code == 200, response.content
    assert calls == []  # out of the lease


@pytest.mark.services
def test_the_counter_survives_a_lost_connection(redis_cache):
    client, _key = make_client(kind="charging", throttle_rate="5/min")
    throttle = ChannelClientThrottle()
    assert throttle.allow_request(SimpleNamespace(auth=client), None)
    kept = throttling._redis_client()._throttle_connection
    kept._sock.shutdown(2)  # the connection drops under it (a Redis restart, a network blip)
    answers = [throttle.allow_request(SimpleNamespace(auth=client), None) for _ in range(6)]
    assert answers == [True] * 4 + [False] * 2  # opened again, and no request counted twice or lost


@pytest.fixture
def unanswering_redis(settings):
    """A Redis cache whose server accepts connections and never answers (hung), with a short socket timeout."""
    import socket

    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(8)
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache",
                                   "LOCATION": f"redis://127.0.0.1:{server.getsockname()[1]}/0",
                                   "OPTIONS": {"socket_timeout": 0.2, "socket_connect_timeout": 0.2}}}
    throttling.leases_clear()
    yield
    server.close()
    throttling.leases_clear()


def test_a_hung_redis_lets_requests_through_after_the_socket_timeout_and_logs_it(unanswering_redis, caplog,
                                                                                   monkeypatch):
    # The throttle guards capacity; the limit itself is PostgreSQL's: a Redis outage must not stop purchases.
    monkeypatch.setattr(throttling, "_outage_logged_at", 0.0)
    client, _key = make_client(kind="charging", throttle_rate="1/min")
    throttle = ChannelClientThrottle()
    started = time.monotonic()
    answers = [throttle.allow_request(SimpleNamespace(auth=client), None) for _ in range(3)]
    assert answers == [True] * 3  # over its rate, but unthrottled while Redis does not answer
    assert time.monotonic() - started < 3 * 2 * 0.2 + 1  # each waited for its socket timeouts, not forever
    outage = [r for r in caplog.records if "Redis does not answer" in r.getMessage()]
    assert len(outage) == 1  # logged once a minute, not per request


def test_a_redis_cache_url_gets_a_socket_timeout_by_default():
    import subprocess
    import sys

    code = ("import django, os; os.environ['DJANGO_SETTINGS_MODULE'] = 'config.settings.local'; django.setup(); "
            "from django.conf import settings; print(settings.CACHES['default'].get('OPTIONS'))")
    env = {**os.environ, "CACHE_URL": "redis://127.0.0.1:6379/9"}
    env.pop("REDIS_SOCKET_TIMEOUT", None)
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True).stdout
    assert "'socket_timeout': 0.5" in out and "'socket_connect_timeout': 0.5" in out
