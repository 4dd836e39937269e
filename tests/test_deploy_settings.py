"""Settings of a deployment across machines: read replicas, the shared cache, shared files; each refusal names
what to change."""

from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from tests.test_settings import import_settings
from tracker.settings import envcache, envreplicas, envshared

PRIMARY = {"ENGINE": "django.db.backends.postgresql", "NAME": "tracker"}
SQLITE = {"ENGINE": "django.db.backends.sqlite3", "NAME": "db.sqlite3"}


def test_no_replicas_without_the_variable(monkeypatch):
    monkeypatch.delenv("TRACKER_REPLICAS", raising=False)
    assert envreplicas("TRACKER_REPLICAS", PRIMARY) == {}
    assert envreplicas("TRACKER_REPLICAS", SQLITE) == {}


def test_replicas_are_named_in_order_and_mirror_the_primary_in_tests(monkeypatch):
    monkeypatch.setenv("TRACKER_REPLICAS", "postgres://db-r1:5432/tracker, postgres://db-r2:5433/tracker")

    replicas = envreplicas("TRACKER_REPLICAS", PRIMARY)

    assert list(replicas) == ["replica1", "replica2"]
    assert [(r["HOST"], r["PORT"], r["NAME"]) for r in replicas.values()] == [
        ("db-r1", 5432, "tracker"),
        ("db-r2", 5433, "tracker"),
    ]
    assert {r["TEST"]["MIRROR"] for r in replicas.values()} == {"default"}
    # As the primary: persistent, checked connections and the same planner settings; and a short connect timeout.
    assert all(r["CONN_MAX_AGE"] == 600 and r["CONN_HEALTH_CHECKS"] for r in replicas.values())
    assert all("random_page_cost" in r["OPTIONS"]["options"] for r in replicas.values())
    assert {r["OPTIONS"]["connect_timeout"] for r in replicas.values()} == {2}


def test_a_replica_needs_a_postgres_primary(monkeypatch):
    monkeypatch.setenv("TRACKER_REPLICAS", "postgres://db-r1/tracker")
    with pytest.raises(ImproperlyConfigured, match="TRACKER_REPLICAS is set but DATABASE_URL does not name a Postgre"):
        envreplicas("TRACKER_REPLICAS", SQLITE)


@pytest.mark.parametrize(
    "urls, message",
    [
        (
            "postgres://db-r1/tracker,sqlite:///replica.sqlite3",
            r"TRACKER_REPLICAS \(URL 2 of 2\) must be a postgres://",
        ),
        ("mysql://db-r1/tracker", r"TRACKER_REPLICAS \(URL 1 of 1\) must start with postgres://"),
        ("postgres://db-r1:5432", r"TRACKER_REPLICAS \(URL 1 of 1\) names no database"),
    ],
)
def test_a_bad_replica_url_is_refused_naming_which(monkeypatch, urls, message):
    monkeypatch.setenv("TRACKER_REPLICAS", urls)
    with pytest.raises(ImproperlyConfigured, match=message):
        envreplicas("TRACKER_REPLICAS", PRIMARY)


def test_the_default_cache_is_files_or_memory_as_before(monkeypatch, tmp_path):
    monkeypatch.delenv("TRACKER_REDIS", raising=False)
    monkeypatch.delenv("TRACKER_CACHE_DIR", raising=False)
    assert envcache("TRACKER_REDIS", "TRACKER_CACHE_DIR", tmp_path) == {
        "BACKEND": "tracker.filecache.FileCache",
        "LOCATION": str(tmp_path),
        "OPTIONS": {"MAX_ENTRIES": 5000},
    }
    monkeypatch.setenv("TRACKER_CACHE_DIR", "memory")
    assert envcache("TRACKER_REDIS", "TRACKER_CACHE_DIR", tmp_path)["BACKEND"].endswith("LocMemCache")


@pytest.mark.parametrize("url", ["redis://cache.internal:6379/2", "rediss://cache.internal:6380/0", "unix:///run/r.s"])
def test_redis_url_selects_djangos_redis_cache(monkeypatch, tmp_path, url):
    monkeypatch.setenv("TRACKER_REDIS", url)
    monkeypatch.delenv("TRACKER_CACHE_DIR", raising=False)

    cache = envcache("TRACKER_REDIS", "TRACKER_CACHE_DIR", tmp_path)

    assert (cache["BACKEND"], cache["LOCATION"]) == ("tracker.rediscache.TolerantRedisCache", url)
    assert cache["OPTIONS"] == {"socket_connect_timeout": 1, "socket_timeout": 1}


@pytest.mark.parametrize("url", ["memcached://cache:11211", "cache.internal:6379", "http://cache/"])
def test_a_redis_url_that_is_not_one_is_refused(monkeypatch, tmp_path, url):
    monkeypatch.setenv("TRACKER_REDIS", url)
    monkeypatch.delenv("TRACKER_CACHE_DIR", raising=False)
    with pytest.raises(ImproperlyConfigured, match="TRACKER_REDIS must be a redis://host:6379/0"):
        envcache("TRACKER_REDIS", "TRACKER_CACHE_DIR", tmp_path)


def test_redis_and_a_cache_directory_together_are_refused(monkeypatch, tmp_path):
    monkeypatch.setenv("TRACKER_REDIS", "redis://cache:6379/0")
    monkeypatch.setenv("TRACKER_CACHE_DIR", "/var/cache/tracker")
    with pytest.raises(ImproperlyConfigured, match="TRACKER_REDIS and TRACKER_CACHE_DIR are both set"):
        envcache("TRACKER_REDIS", "TRACKER_CACHE_DIR", tmp_path)


def test_redis_without_its_package_is_refused(monkeypatch, tmp_path):
    monkeypatch.setenv("TRACKER_REDIS", "redis://cache:6379/0")
    monkeypatch.delenv("TRACKER_CACHE_DIR", raising=False)
    monkeypatch.setattr("importlib.util.find_spec", lambda name, *args: None)
    with pytest.raises(ImproperlyConfigured, match="redis package is not installed"):
        envcache("TRACKER_REDIS", "TRACKER_CACHE_DIR", tmp_path)


def test_shared_storage_is_an_absolute_directory(monkeypatch):
    monkeypatch.setenv("TRACKER_SHARED", "/srv/tracker-shared")
    monkeypatch.delenv("TRACKER_LOCAL", raising=False)
    assert envshared("TRACKER_SHARED", "TRACKER_LOCAL") == Path("/srv/tracker-shared")
    monkeypatch.delenv("TRACKER_SHARED")
    assert envshared("TRACKER_SHARED", "TRACKER_LOCAL") is None


def test_a_relative_shared_directory_is_refused(monkeypatch):
    monkeypatch.setenv("TRACKER_SHARED", "var/shared")
    with pytest.raises(ImproperlyConfigured, match="TRACKER_SHARED='var/shared' is not an absolute path"):
        envshared("TRACKER_SHARED")


def test_a_local_folder_beside_shared_storage_is_refused(monkeypatch):
    monkeypatch.setenv("TRACKER_SHARED", "/srv/shared")
    monkeypatch.setenv("TRACKER_LOCAL", "/var/lib/tracker/imports")
    with pytest.raises(ImproperlyConfigured, match="TRACKER_LOCAL and TRACKER_SHARED are both set"):
        envshared("TRACKER_SHARED", "TRACKER_LOCAL")


def settings_of(**env):
    started = import_settings(
        "tracker.settings as s; "
        "print(sorted(s.DATABASES), s.DATABASE_REPLICAS, getattr(s, 'DATABASE_ROUTERS', []), "
        "s.CACHES['default']['BACKEND'], sorted(s.STORAGES), s.IMPORT_TMP_DIR, s.DATASET_DIR)",
        **env,
    )
    assert started.returncode == 0, started.stderr
    return started.stdout.strip()


def test_a_single_server_keeps_its_settings():
    assert settings_of(DATABASE_URL="", REDIS_URL="", SHARED_STORAGE_DIR="", CACHE_DIR="", DATASET_DIR="") == (
        "['default'] [] [] tracker.filecache.FileCache ['default', 'staticfiles'] "
        f"{Path(__file__).resolve().parent.parent}/var/imports {Path(__file__).resolve().parent.parent}/var/dataset"
    )


def test_a_server_of_a_cluster_reads_every_shared_setting():
    shown = settings_of(
        DATABASE_URL="postgres://db-primary/tracker",
        DATABASE_REPLICA_URLS="postgres://db-replica/tracker",
        REDIS_URL="redis://cache:6379/0",
        SHARED_STORAGE_DIR="/srv/shared",
        CACHE_DIR="",
        DATASET_DIR="",
    )
    assert shown == (
        "['default', 'replica1'] ['replica1'] ['tracker.routers.ReplicaRouter'] "
        "tracker.rediscache.TolerantRedisCache ['dataset', 'default', 'imports', 'staticfiles'] "
        "/srv/shared/imports /srv/shared/dataset"
    )


def test_settings_refuse_to_start_with_a_replica_of_sqlite():
    started = import_settings(DATABASE_URL="", DATABASE_REPLICA_URLS="postgres://db-replica/tracker")
    assert started.returncode != 0
    assert "DATABASE_REPLICA_URLS is set but DATABASE_URL does not name a PostgreSQL database" in started.stderr
