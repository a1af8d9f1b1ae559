"""Per-client throttling: each ChannelClient has its own counter, at its own rate or its kind's default.

A fixed-window counter of the requests let through, in Redis (CACHE_URL=redis://…), shared by every web process.
Each process leases a few requests at a time from it (one Lua call by its SHA: one round trip) and lets them through
without asking again: a round trip per request was ≈ 0.1 ms of a request's 2 on the wire (issue 14). A lease is at
most MAX_LEASE requests and at most 1/LEASE_SHARE of what is left in the window, so near the limit the leases shrink
to one request each and the count stays exact: no more requests pass than the rate, under any concurrency, and a
client at its limit loses at most what other processes still hold unused when the window ends (the throttle errs
strict). On other caches (locmem in development, one process) the cache's own atomic incr counts each request.
If Redis does not answer, requests pass unthrottled and the outage is logged.

DRF's SimpleRateThrottle kept a list of timestamps per client, read and rewritten whole on every request: 53 ms a
call at 120k requests in the window, and it lost counts under concurrency. A fixed window lets a client burst up to
twice its rate across a window boundary; the rates are sized for that.
"""

import logging
import threading
import time

from django.conf import settings
from django.core.cache import caches
from django.core.cache.backends.redis import RedisCache
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import NoScriptError
from redis.exceptions import TimeoutError as RedisTimeoutError
from rest_framework.throttling import BaseThrottle

from core.models import ChannelClient

# KEYS[1] the window's counter; ARGV: the rate, MAX_LEASE, LEASE_SHARE, the window in ms. Returns the requests leased
# (0: the window is full) and counts them.
_LEASE_LUA = """
local left = tonumber(ARGV[1]) - tonumber(redis.call('GET', KEYS[1]) or '0')
if left <= 0 then return 0 end
local grant = math.max(1, math.min(tonumber(ARGV[2]), math.floor(left / tonumber(ARGV[3]))))
if redis.call('INCRBY', KEYS[1], grant) == grant then redis.call('PEXPIRE', KEYS[1], ARGV[4]) end
return grant
"""
MAX_LEASE = 64
LEASE_SHARE = 64
OUTAGE_LOG_SECONDS = 60
logger = logging.getLogger("core.api")

# This process's unused leases: counter key without its window → (window, requests left). Shared by the threads.
_leases: dict[str, tuple[int, int]] = {}
_leases_lock = threading.Lock()
_leasing_lock = threading.Lock()  # held over a lease's round trip


def leases_clear() -> None:
    with _leases_lock:
        _leases.clear()


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


def _lease(redis, key: str, rate: int, window_ms: int) -> int:
    """EVALSHA of the lease script on a connection this thread keeps: the Redis client would take one from its pool,
    wrap the call in its retry loop and parse through its callbacks on every call (≈ 40 µs of CPU more). A lost
    connection is opened again once (a lease whose answer was lost is counted and not used: the throttle errs
    strict); a script flushed by a Redis restart is loaded again."""
    connection = getattr(redis, "_throttle_connection", None)
    if connection is None:
        connection = redis.connection_pool.make_connection()  # this thread's own, never handed back to the pool
        redis._throttle_connection = connection
    for attempt in range(3):
        sha = getattr(redis, "_throttle_sha", None) or redis.script_load(_LEASE_LUA)
        redis._throttle_sha = sha
        try:
            connection.send_command("EVALSHA", sha, 1, key, rate, MAX_LEASE, LEASE_SHARE, window_ms)
            return int(connection.read_response())
        except NoScriptError:
            redis._throttle_sha = None
        except (RedisConnectionError, RedisTimeoutError):
            connection.disconnect()
            if attempt:
                raise
    raise NoScriptError("the throttle's script could not be loaded")


def _take_held(key: str, window: int) -> bool:
    with _leases_lock:
        held_window, left = _leases.get(key, (window, 0))
        if held_window == window and left > 0:
            _leases[key] = (window, left - 1)
            return True
    return False


def _take_leased(redis, key: str, window: int, rate: int, duration: int) -> bool:
    """One request out of this process's lease for the window, leasing more from Redis when it is used up. One
    thread leases at a time (the others wait for its round trip, then take from what it leased), so a process never
    holds more than one lease unused. While Redis does not answer, the process's threads wait for it one after the
    other, each until its socket gives up (REDIS_SOCKET_TIMEOUT, config/settings/base.py)."""
    if _take_held(key, window):
        return True
    with _leasing_lock:
        if _take_held(key, window):
            return True
        granted = _lease(redis, f"{key}:{window}", rate, duration * 1000)
        if not granted:
            return False
        with _leases_lock:
            _leases[key] = (window, granted - 1)
    return True


def _take_counted(key: str, rate: int, duration: int) -> bool:
    """One request counted in the cache's own atomic counter (a cache without Lua: locmem in development)."""
    cache = caches["default"]
    cache.add(key, 0, timeout=duration)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.add(key, 1, timeout=duration)
        count = 1
    return count <= rate


_outage_logged_at = 0.0


def _outage_log(exc: Exception) -> None:
    global _outage_logged_at
    now = time.monotonic()
    if now - _outage_logged_at >= OUTAGE_LOG_SECONDS:
        _outage_logged_at = now
        logger.warning("API throttle: Redis does not answer (%s); requests pass unthrottled", exc)


def client_rate(client: ChannelClient) -> str | None:
    """The client's own rate (admin), else its kind's default, else every client's."""
    if client.throttle_rate:
        return client.throttle_rate
    rates = settings.REST_FRAMEWORK.get("DEFAULT_THROTTLE_RATES", {})
    return rates.get(f"channel_{client.kind}", rates.get(ChannelClientThrottle.scope))


def throttle_wait(client: ChannelClient) -> int | None:
    """Let one request of this client through: None if it may pass, else the seconds until the next window."""
    rate = client_rate(client)
    if rate is None:
        return None
    num_requests, duration = parse_rate(rate)
    now = time.time()
    window = int(now // duration)
    key = f"throttle:client-{client.pk}:{duration}"
    redis = _redis_client()
    if redis is not None:
        try:
            allowed = _take_leased(redis, caches["default"].make_and_validate_key(key), window, num_requests,
                                   duration)
        except (RedisConnectionError, RedisTimeoutError, NoScriptError) as exc:
            # The throttle guards capacity; the money rules are PostgreSQL's. With Redis down, purchases and
            # top-ups go on unthrottled rather than all failing, and the outage is logged (once a minute).
            _outage_log(exc)
            return None
    else:
        allowed = _take_counted(f"{key}:{window}", num_requests, duration)
    if allowed:
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
