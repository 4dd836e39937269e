"""Django's Redis cache, with Redis down read as an empty cache rather than a failed request.

The cache makes pages fast; it holds nothing that is not in the database
(tracker/caching.py). So when Redis stops answering (a restart, a network
cut), a read is a miss and a write is dropped: pages are computed from the
database, as after a write, instead of every request failing with a 500.
A claim (add(), which the data package's build and the downloads' slots
take) is refused, so those answer 503 with Retry-After until Redis is back.
Each failure is logged, at most once a minute per process.
"""

import logging
import time

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache

logger = logging.getLogger(__name__)
QUIET_SECONDS = 60


class TolerantRedisCache(RedisCache):
    _last_logged = 0.0

    def _failed(self, operation, error):
        now = time.monotonic()
        if now - TolerantRedisCache._last_logged > QUIET_SECONDS:
            TolerantRedisCache._last_logged = now
            logger.warning("Redis cache %s failed, served without the cache: %s", operation, error)

    def _guard(self, operation, call, fallback):
        try:
            return call()
        except self._errors() as error:
            self._failed(operation, error)
            return fallback

    def _errors(self):
        import redis

        return (redis.exceptions.ConnectionError, redis.exceptions.TimeoutError)

    def get(self, key, default=None, version=None):
        return self._guard("get", lambda: super(TolerantRedisCache, self).get(key, default, version), default)

    def get_many(self, keys, version=None):
        return self._guard("get_many", lambda: super(TolerantRedisCache, self).get_many(keys, version), {})

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._guard("set", lambda: super(TolerantRedisCache, self).set(key, value, timeout, version), None)

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._guard("add", lambda: super(TolerantRedisCache, self).add(key, value, timeout, version), False)

    def delete(self, key, version=None):
        return self._guard("delete", lambda: super(TolerantRedisCache, self).delete(key, version), False)

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        return self._guard("touch", lambda: super(TolerantRedisCache, self).touch(key, timeout, version), False)

    def has_key(self, key, version=None):
        return self._guard("has_key", lambda: super(TolerantRedisCache, self).has_key(key, version), False)

    def clear(self):
        return self._guard("clear", lambda: super(TolerantRedisCache, self).clear(), False)
