"""Per-client throttling: each ChannelClient has its own counter, at its own rate or its kind's default.

A fixed-window counter: one atomic INCR (+ expiry on the window's first request) per request, so it counts exactly
under any concurrency and costs O(1) whatever the rate. On Redis (CACHE_URL=redis://…, shared by every web process)
that is one Lua call by its SHA — one round trip; on other caches (locmem in development) the cache's own atomic
incr. DRF's SimpleRateThrottle kept a list of timestamps per client, read and rewritten whole on every request:
53 ms a call at 120k requests in the window, and it lost counts under concurrency. A fixed window lets a client
burst up to twice its rate across a window boundary; the rates are sized for that.
"""

import time

from django.conf import settings
from django.core.cache import caches
from django.core.cache.backends.redis import RedisCache
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import NoScriptError
from redis.exceptions import TimeoutError as RedisTimeoutError
from rest_framework.throttling import BaseThrottle

from core.models import ChannelClient

_INCR_LUA = """
local n = redis.call('INCR', KEYS[1])
if n == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
return n
"""


def parse_rate(rate: str) -> tuple[int, int]:
    """"600/min" → (600, 60): requests per window of so many seconds (s, min, hour, day; as DRF reads them)."""
    count, period = rate.split("/")
    return int(count), {"s": 1, "m": 60, "h": 3600, "d": 86400}[period[0]]


def _redis_client():
    """The redis-py client behind Django's RedisCache, or None for another cache backend. The backend itself, not
    `django.core.cache.cache`: that is a proxy whose class is never RedisCache (which made every request fall back
    to add + incr, three Redis round trips — found by the wire bench)."""
    backend = caches["default"]
    if not isinstance(backend, RedisCache):
        return None
    # Kept on the backend (one per thread): redis-py builds a new client, with all its response callbacks, on every
    # get_client() call — ≈ 1 ms of CPU per request in the wire bench's profile.
    client = getattr(backend, "_throttle_redis_client", None)
    if client is None:
        client = backend._cache.get_client(write=True)
        backend._throttle_redis_client = client
    return client


def _incr(redis, key: str, window_ms: int) -> int:
    """EVALSHA of the counter script on a connection this thread keeps: the Redis client would take one from its
    pool, wrap the call in its retry loop and parse through its callbacks on every request (≈ 40 µs of CPU more). A
    lost connection is opened again once (a request whose answer was lost may then count twice: the throttle errs
    strict); a script flushed by a Redis restart is loaded again."""
    connection = getattr(redis, "_throttle_connection", None)
    if connection is None:
        connection = redis.connection_pool.make_connection()  # this thread's own, never handed back to the pool
        redis._throttle_connection = connection
    for attempt in range(3):
        sha = getattr(redis, "_throttle_sha", None) or redis.script_load(_INCR_LUA)
        redis._throttle_sha = sha
        try:
            connection.send_command("EVALSHA", sha, 1, key, window_ms)
            return int(connection.read_response())
        except NoScriptError:
            redis._throttle_sha = None
        except (RedisConnectionError, RedisTimeoutError):
            connection.disconnect()
            if attempt:
                raise
    raise NoScriptError("the throttle's script could not be loaded")


def window_count(key: str, duration: int) -> int:
    """Add one request to this window's counter and return the count, atomically."""
    cache = caches["default"]
    redis = _redis_client()
    if redis is not None:
        return _incr(redis, cache.make_and_validate_key(key), duration * 1000)
    cache.add(key, 0, timeout=duration)
    try:
        return cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.add(key, 1, timeout=duration)
        return 1


def client_rate(client: ChannelClient) -> str | None:
    """The client's own rate (admin), else its kind's default, else every client's."""
    if client.throttle_rate:
        return client.throttle_rate
    rates = settings.REST_FRAMEWORK.get("DEFAULT_THROTTLE_RATES", {})
    return rates.get(f"channel_{client.kind}", rates.get(ChannelClientThrottle.scope))


def throttle_wait(client: ChannelClient) -> int | None:
    """Count this request against the client's window: None if allowed, else the seconds until the next window."""
    rate = client_rate(client)
    if rate is None:
        return None
    num_requests, duration = parse_rate(rate)
    now = time.time()
    window = int(now // duration)
    count = window_count(f"throttle:client-{client.pk}:{duration}:{window}", duration)
    if count <= num_requests:
        return None
    return max(1, int((window + 1) * duration - now))


class ChannelClientThrottle(BaseThrottle):
    scope = "channel_client"

    def __init__(self):
        self.wait_seconds = None

    def allow_request(self, request, view):
        client = request.auth
        if not isinstance(client, ChannelClient):
            return True  # unauthenticated requests are refused before they cost anything
        self.wait_seconds = throttle_wait(client)
        return self.wait_seconds is None

    def wait(self):
        return self.wait_seconds
