"""A Redis cache whose outage is a cache miss, never an error page.

Everything the site caches can be recomputed (navigation, listings, the content version) or is a
soft limit (rate limits). With Redis down or hung, Django's RedisCache raises on every call and each
page that reads the cache answers 500. This backend turns a Redis error into what an empty cache
answers: `get` → default, `get_many` → {}, `add`/`set`/`touch`/`delete` → False, `has_key` → False,
`incr` → ValueError (as for a missing key). After an error it does not touch Redis for
`RETRY_AFTER` seconds (per process), so an outage costs one short socket timeout, not one per call.

Consequence for the rate limiter (training/ratelimit.py): `add` and `incr` both "miss", so every request
counts as the first of its window and is allowed. Rate limits are therefore not enforced while the
cache is down (fail open): taking enrollments matters more than throttling, and the outage is logged.
"""

import logging
import threading
import time

from django.core.cache.backends.redis import RedisCache, RedisCacheClient
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)

RETRY_AFTER = 5.0


class _Breaker:
    def __init__(self):
        self.lock = threading.Lock()
        self.down_until = 0.0

    def open(self) -> bool:
        return time.monotonic() < self.down_until

    def trip(self, error) -> None:
        with self.lock:
            first = not self.open()
            self.down_until = time.monotonic() + RETRY_AFTER
        if first:
            logger.warning("Cache unavailable, serving without it for %.0f s: %r", RETRY_AFTER, error)

    def reset(self) -> None:
        self.down_until = 0.0


breaker = _Breaker()


def _guarded(name, fallback):
    def method(self, *args, **kwargs):
        if breaker.open():
            return fallback(*args, **kwargs)
        try:
            return getattr(RedisCacheClient, name)(self, *args, **kwargs)
        except RedisError as error:
            breaker.trip(error)
            return fallback(*args, **kwargs)

    method.__name__ = name
    return method


def _missing_key(*args, **kwargs):
    raise ValueError("Key not found (cache unavailable)")


def _false(*args, **kwargs):
    return False


class FailSafeRedisCacheClient(RedisCacheClient):
    def get_client(self, key=None, *, write=False):
        """One redis-py client per connection pool, reused (it is thread-safe). Django builds a new one
        for every cache call, and building one (its table of ~170 response callbacks) cost more CPU than
        the call itself on the enrollment fast path."""
        pool = self._get_connection_pool(write)
        clients = self.__dict__.setdefault("_clients", {})
        client = clients.get(id(pool))
        if client is None or client.connection_pool is not pool:
            client = clients[id(pool)] = self._client(connection_pool=pool)
        return client

    def count_in_windows(self, windows: list[tuple[str, int]]) -> list[int]:
        """Add one to each counter `key` of [(key, window)], which lives `window` seconds from its first
        count; returns the counts in the same order. One round trip for all of them (MULTI: SET NX EX and
        INCR per key), where add + incr took up to three per key."""
        if breaker.open():
            return [1] * len(windows)
        try:
            pipeline = self.get_client(windows[0][0], write=True).pipeline(transaction=True)
            for key, window in windows:
                pipeline.set(key, 0, ex=window, nx=True)
                pipeline.incr(key)
            return pipeline.execute()[1::2]
        except RedisError as error:
            breaker.trip(error)
            return [1] * len(windows)

    get = _guarded("get", lambda key, default: default)
    get_many = _guarded("get_many", lambda *args: {})
    add = _guarded("add", _false)
    set = _guarded("set", _false)
    set_many = _guarded("set_many", lambda *args: [])
    touch = _guarded("touch", _false)
    delete = _guarded("delete", _false)
    delete_many = _guarded("delete_many", _false)
    has_key = _guarded("has_key", _false)
    incr = _guarded("incr", _missing_key)
    clear = _guarded("clear", _false)


class FailSafeRedisCache(RedisCache):
    """`django.core.cache.backends.redis.RedisCache` with outages answered as misses (see module docstring)."""

    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = FailSafeRedisCacheClient

    def count_in_window(self, key, window: int, version=None) -> int:
        """A fixed-window counter (rate limits): +1, created with a `window`-second lifetime; returns the count.
        While Redis is down every call answers 1 (fail open, as `add` and `incr` do)."""
        return self.count_in_windows([(key, window)], version=version)[0]

    def count_in_windows(self, windows: list[tuple[str, int]], version=None) -> list[int]:
        """`count_in_window` for several counters [(key, window seconds)] in one round trip; the counts in
        that order (all 1 while Redis is down)."""
        return self._cache.count_in_windows(
            [(self.make_and_validate_key(key, version=version), window) for key, window in windows]
        )

    def ping(self) -> None:
        """Raise when Redis does not answer (readiness check; ignores the breaker)."""
        self._cache.get_client(write=True).ping()
