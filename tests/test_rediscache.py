"""With REDIS_URL, a Redis that stops answering is an empty cache: pages are computed, not failed (issue #14)."""

import socket

import pytest

from tracker.rediscache import TolerantRedisCache


def unused_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def down_cache():
    # A port nothing listens on: every call fails to connect at once.
    return TolerantRedisCache(
        f"redis://127.0.0.1:{unused_port()}/0", {"OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.2}}
    )


def test_a_read_is_a_miss_and_a_write_is_dropped(down_cache):
    assert down_cache.get("page", "missing") == "missing"
    assert down_cache.get_many(["a", "b"]) == {}
    assert down_cache.set("page", b"x") is None
    assert down_cache.has_key("page") is False
    assert down_cache.delete("page") is False


def test_a_claim_is_refused(down_cache):
    # The data package's build and the downloads' slots claim with add(): refused, they answer 503 meanwhile.
    assert down_cache.add("claim", 1) is False


@pytest.mark.django_db
def test_pages_are_served_while_redis_is_down(client, settings):
    from django.core.cache import caches

    port = unused_port()
    settings.CACHES = {
        **settings.CACHES,
        "default": {
            "BACKEND": "tracker.rediscache.TolerantRedisCache",
            "LOCATION": f"redis://127.0.0.1:{port}/0",
            "OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.2},
        },
    }
    caches._settings = None  # noqa: SLF001 - read the overridden setting
    try:
        for path in ("/", "/timeline/", "/prisoners/", "/figures/", "/sources/"):
            assert client.get(path).status_code == 200, path
    finally:
        caches._settings = None


def test_the_plain_redis_cache_would_fail(down_cache):
    """What the tolerant cache stands in for: Django's RedisCache raises, and the request would be a 500."""
    import redis
    from django.core.cache.backends.redis import RedisCache

    plain = RedisCache(down_cache._servers[0], {"OPTIONS": {"socket_connect_timeout": 0.2}})
    with pytest.raises(redis.exceptions.ConnectionError):
        plain.get("page")
