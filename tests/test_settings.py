"""Settings read the environment through helpers that fail loudly on a bad value."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from tracker.settings import BASE_DIR, envbool, envdatabase, envlist, envstr, envtimezone


@pytest.mark.parametrize("raw", ["true", "TRUE", "True", " yes ", "1", "on", "ON"])
def test_envbool_reads_true(monkeypatch, raw):
    monkeypatch.setenv("TRACKER_FLAG", raw)
    assert envbool("TRACKER_FLAG", "false") is True


@pytest.mark.parametrize("raw", ["false", "FALSE", "no", " No ", "0", "off", "Off"])
def test_envbool_reads_false(monkeypatch, raw):
    monkeypatch.setenv("TRACKER_FLAG", raw)
    assert envbool("TRACKER_FLAG", "true") is False


@pytest.mark.parametrize("default, expected", [("true", True), ("false", False)])
def test_envbool_falls_back_to_its_default(monkeypatch, default, expected):
    monkeypatch.delenv("TRACKER_FLAG", raising=False)
    assert envbool("TRACKER_FLAG", default) is expected


@pytest.mark.parametrize("raw", ["maybe", "2", "yess", "enabled"])
def test_envbool_refuses_anything_else_naming_the_variable(monkeypatch, raw):
    monkeypatch.setenv("TRACKER_FLAG", raw)
    with pytest.raises(ImproperlyConfigured, match="TRACKER_FLAG") as refused:
        envbool("TRACKER_FLAG", "false")
    assert raw in str(refused.value)


def test_envstr_strips_and_defaults(monkeypatch):
    monkeypatch.setenv("TRACKER_TEXT", "  hello  ")
    monkeypatch.delenv("TRACKER_MISSING", raising=False)
    assert (envstr("TRACKER_TEXT"), envstr("TRACKER_MISSING"), envstr("TRACKER_MISSING", "x")) == ("hello", "", "x")


def test_envlist_splits_on_commas_and_drops_blanks(monkeypatch):
    monkeypatch.setenv("TRACKER_HOSTS", " tracker.example , www.tracker.example,, ")
    assert envlist("TRACKER_HOSTS") == ["tracker.example", "www.tracker.example"]


def test_envlist_falls_back_to_its_default(monkeypatch):
    monkeypatch.delenv("TRACKER_HOSTS", raising=False)
    assert envlist("TRACKER_HOSTS", "localhost,127.0.0.1") == ["localhost", "127.0.0.1"]


@pytest.mark.parametrize("raw", [None, "", "   "])
def test_envdatabase_without_url_is_local_sqlite(monkeypatch, raw):
    if raw is None:
        monkeypatch.delenv("TRACKER_DB", raising=False)
    else:
        monkeypatch.setenv("TRACKER_DB", raw)
    database = envdatabase("TRACKER_DB", Path("/srv/tracker/db.sqlite3"))
    assert database["ENGINE"] == "django.db.backends.sqlite3"
    assert database["NAME"] == Path("/srv/tracker/db.sqlite3")
    # Concurrent writers wait for the lock instead of failing.
    assert database["OPTIONS"]["transaction_mode"] == "IMMEDIATE"


@pytest.mark.parametrize("scheme", ["postgres", "postgresql", "pgsql"])
def test_envdatabase_reads_a_postgres_url_with_persistent_checked_connections(monkeypatch, scheme):
    monkeypatch.setenv("TRACKER_DB", f"{scheme}://editor:s%40cret@db.example:5433/tracker")
    database = envdatabase("TRACKER_DB", Path("unused.sqlite3"))
    assert database["ENGINE"] == "django.db.backends.postgresql"
    assert (database["USER"], database["PASSWORD"], database["HOST"], database["PORT"], database["NAME"]) == (
        "editor",
        "s@cret",
        "db.example",
        5433,
        "tracker",
    )
    assert database["CONN_MAX_AGE"] > 0
    assert database["CONN_HEALTH_CHECKS"] is True


def test_envdatabase_keeps_query_options(monkeypatch):
    monkeypatch.setenv("TRACKER_DB", "postgres://db.example/tracker?sslmode=require")
    assert envdatabase("TRACKER_DB", Path("unused.sqlite3"))["OPTIONS"]["sslmode"] == "require"


def test_postgres_queries_run_without_parallel_workers_unless_asked(monkeypatch):
    monkeypatch.setenv("TRACKER_DB", "postgres://db.example/tracker?options=-c%20statement_timeout%3D5000")
    monkeypatch.delenv("PG_PARALLEL_WORKERS", raising=False)
    monkeypatch.delenv("PG_RANDOM_PAGE_COST", raising=False)
    options = envdatabase("TRACKER_DB", Path("unused.sqlite3"))["OPTIONS"]["options"]
    # The URL's own server options are kept.
    assert options == "-c statement_timeout=5000 -c max_parallel_workers_per_gather=0 -c random_page_cost=1.1"
    monkeypatch.setenv("PG_PARALLEL_WORKERS", "2")
    monkeypatch.setenv("PG_RANDOM_PAGE_COST", "4")
    assert envdatabase("TRACKER_DB", Path("unused.sqlite3"))["OPTIONS"]["options"].endswith(
        "max_parallel_workers_per_gather=2 -c random_page_cost=4.0"
    )
    monkeypatch.setenv("PG_PARALLEL_WORKERS", "many")
    with pytest.raises(ImproperlyConfigured, match="PG_PARALLEL_WORKERS"):
        envdatabase("TRACKER_DB", Path("unused.sqlite3"))
    monkeypatch.setenv("PG_PARALLEL_WORKERS", "0")
    for cost in ["cheap", "0", "-1", "nan", "inf"]:
        monkeypatch.setenv("PG_RANDOM_PAGE_COST", cost)
        with pytest.raises(ImproperlyConfigured, match="PG_RANDOM_PAGE_COST"):
            envdatabase("TRACKER_DB", Path("unused.sqlite3"))


def test_postgres_prepared_statements_are_on_unless_turned_off(monkeypatch):
    monkeypatch.setenv("TRACKER_DB", "postgres://db.example/tracker")
    monkeypatch.delenv("PG_PREPARED", raising=False)
    assert envdatabase("TRACKER_DB", Path("unused.sqlite3"))["OPTIONS"]["prepare_threshold"] == 5
    monkeypatch.setenv("PG_PREPARED", "false")
    assert "prepare_threshold" not in envdatabase("TRACKER_DB", Path("unused.sqlite3"))["OPTIONS"]
    monkeypatch.setenv("PG_PREPARED", "sometimes")
    with pytest.raises(ImproperlyConfigured, match="PG_PREPARED"):
        envdatabase("TRACKER_DB", Path("unused.sqlite3"))


def test_the_connection_runs_with_the_setting(db):
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("A PostgreSQL setting.")
    with connection.cursor() as cursor:
        cursor.execute("SHOW max_parallel_workers_per_gather")
        assert cursor.fetchone()[0] == os.environ.get("PG_PARALLEL_WORKERS", "0")
        cursor.execute("SHOW random_page_cost")
        assert float(cursor.fetchone()[0]) == float(os.environ.get("PG_RANDOM_PAGE_COST", "1.1"))


@pytest.mark.parametrize(
    "url", ["mysql://root@db.example/tracker", "oracle://db.example/tracker", "db.example/tracker"]
)
def test_envdatabase_refuses_other_databases_naming_the_variable(monkeypatch, url):
    monkeypatch.setenv("TRACKER_DB", url)
    with pytest.raises(ImproperlyConfigured, match="TRACKER_DB must start with postgres://"):
        envdatabase("TRACKER_DB", Path("unused.sqlite3"))


def test_envdatabase_refuses_an_unparseable_url(monkeypatch):
    monkeypatch.setenv("TRACKER_DB", "postgres://db.example:port/tracker")
    with pytest.raises(ImproperlyConfigured, match="TRACKER_DB could not be parsed"):
        envdatabase("TRACKER_DB", Path("unused.sqlite3"))


def test_envdatabase_refuses_a_postgres_url_without_a_database_name(monkeypatch):
    monkeypatch.setenv("DATABASE_URL", "postgres://postgres@127.0.0.1:5432")
    with pytest.raises(ImproperlyConfigured, match="DATABASE_URL names no database"):
        envdatabase("DATABASE_URL", Path("/tmp/unused.sqlite3"))


@pytest.mark.parametrize("zone", ["UTC", "Europe/Minsk", "America/New_York"])
def test_envtimezone_accepts_iana_zones(monkeypatch, zone):
    monkeypatch.setenv("TRACKER_TZ", zone)
    assert envtimezone("TRACKER_TZ", "UTC") == zone


def test_envtimezone_falls_back_to_its_default(monkeypatch):
    monkeypatch.delenv("TRACKER_TZ", raising=False)
    assert envtimezone("TRACKER_TZ", "Europe/Vilnius") == "Europe/Vilnius"


@pytest.mark.parametrize("zone", ["Mars/Base", "Minsk", "../etc/passwd", "   "])
def test_envtimezone_refuses_what_is_not_a_zone_naming_the_variable(monkeypatch, zone):
    monkeypatch.setenv("TRACKER_TZ", zone)
    with pytest.raises(ImproperlyConfigured, match="TRACKER_TZ"):
        envtimezone("TRACKER_TZ", "UTC")


TRACKER_VARIABLES = {
    "DEBUG",
    "SECRET_KEY",
    "ALLOWED_HOSTS",
    "DATABASE_URL",
    "TIME_ZONE",
    "DEVELOPMENT_MACHINE",
    "TRUSTED_PROXIES",
    "PROXY_ADDRESSES",
    "BIND",
    "SITE_KEEPER",
    "CONTACT_EMAIL",
}


def import_settings(module="tracker.settings", **env):
    """Import tracker.settings (or a module that reads it) in a fresh interpreter, as a server would at start."""
    environ = {key: value for key, value in os.environ.items() if key not in TRACKER_VARIABLES}
    environ.update(env)
    return subprocess.run(
        [sys.executable, "-c", f"import {module}"],
        cwd=BASE_DIR,
        env=environ,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_production_settings_refuse_to_start_without_secret_key():
    started = import_settings(DEBUG="false")
    assert started.returncode != 0
    assert "SECRET_KEY" in started.stderr


def test_production_settings_start_with_a_secret_key():
    started = import_settings(DEBUG="false", SECRET_KEY="a-long-random-production-secret")
    assert (started.returncode, started.stderr) == (0, "")


def test_settings_refuse_to_start_on_a_bad_debug_value():
    started = import_settings(DEBUG="maybe")
    assert started.returncode != 0
    assert "DEBUG='maybe' is not a boolean" in started.stderr


def test_settings_refuse_to_start_on_a_bad_time_zone():
    started = import_settings(TIME_ZONE="Mars/Base")
    assert started.returncode != 0
    assert "TIME_ZONE='Mars/Base' is not an IANA time zone" in started.stderr


def test_development_settings_need_no_environment():
    started = import_settings()
    assert (started.returncode, started.stderr) == (0, "")


PRODUCTION = {
    "DEBUG": "false",
    "SECRET_KEY": "a-long-random-production-secret-" + "x" * 40,
    "ALLOWED_HOSTS": "tracker.example",
    "SITE_KEEPER": "The Example Human Rights Centre",
    "CONTACT_EMAIL": "corrections@tracker.example",
}


def test_production_settings_pass_the_deploy_checks_with_warnings_as_failures():
    # Not the browser tests' DJANGO_ALLOW_ASYNC_UNSAFE either: a production server never has it.
    environ = {
        key: value for key, value in os.environ.items() if key not in {*TRACKER_VARIABLES, "DJANGO_ALLOW_ASYNC_UNSAFE"}
    }
    environ.update(PRODUCTION)
    checked = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=BASE_DIR,
        env=environ,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert checked.returncode == 0, checked.stderr + checked.stdout
    assert "no issues" in checked.stdout


def test_public_pages_send_the_protective_headers(client, db):
    response = client.get("/")
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Content-Type-Options"] == "nosniff"


def test_favicon_redirects_to_the_static_file(client, db):
    response = client.get("/favicon.ico")
    assert response.status_code == 301 and response["Location"] == "/static/favicon.svg"


@pytest.mark.parametrize("server", ["tracker.wsgi", "tracker.asgi"])
def test_a_server_process_refuses_the_development_settings(server):
    started = import_settings(server)
    assert started.returncode != 0
    assert "Refusing to serve: DEBUG is on" in started.stderr
    assert "SECRET_KEY is the development key" in started.stderr
    assert "DEVELOPMENT_MACHINE=true" in started.stderr


def test_a_server_process_refuses_the_development_key_even_with_debug_off():
    from tracker.settings import DEVELOPMENT_SECRET_KEY

    started = import_settings("tracker.wsgi", DEBUG="false", SECRET_KEY=DEVELOPMENT_SECRET_KEY)
    assert started.returncode != 0
    assert "SECRET_KEY is the development key" in started.stderr and "DEBUG is on" not in started.stderr


@pytest.mark.parametrize(
    "env", [{"DEVELOPMENT_MACHINE": "true"}, PRODUCTION], ids=["a developer's machine", "production"]
)
def test_a_server_process_starts_when_told_or_configured(env):
    started = import_settings("tracker.wsgi", **env)
    # (Without collectstatic, WhiteNoise warns that staticfiles/ is missing: not a refusal.)
    assert started.returncode == 0 and "Refusing" not in started.stderr, started.stderr


def deploy_check(**env):
    environ = {
        key: value for key, value in os.environ.items() if key not in {*TRACKER_VARIABLES, "DJANGO_ALLOW_ASYNC_UNSAFE"}
    }
    environ.update(PRODUCTION, **env)
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=BASE_DIR,
        env=environ,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.parametrize("missing", ["SITE_KEEPER", "CONTACT_EMAIL"])
def test_the_deploy_check_warns_when_the_about_page_names_nobody_to_write_to(missing):
    checked = deploy_check(**{missing: ""})
    assert checked.returncode != 0
    assert "tracker.W004" in checked.stderr + checked.stdout


def test_a_contact_address_that_is_not_one_is_refused():
    started = import_settings("tracker.wsgi", **{**PRODUCTION, "CONTACT_EMAIL": "write to us"})
    assert started.returncode != 0
    assert "CONTACT_EMAIL='write to us' is not an email address." in started.stderr


def test_the_deploy_check_names_the_development_key():
    from tracker.settings import DEVELOPMENT_SECRET_KEY

    checked = deploy_check(SECRET_KEY=DEVELOPMENT_SECRET_KEY)
    assert checked.returncode != 0
    assert "tracker.E001" in checked.stderr + checked.stdout


@pytest.mark.parametrize(
    ("env", "warning"),
    [
        ({"TRUSTED_PROXIES": "1", "BIND": "0.0.0.0:8000"}, "tracker.W002"),
        ({"TRUSTED_PROXIES": "1", "BIND": "93.184.215.14:80"}, "tracker.W002"),
        ({"TRUSTED_PROXIES": "1", "PROXY_ADDRESSES": "0.0.0.0/0"}, "tracker.W001"),
        ({"BIND": "unix:/run/tracker.sock"}, "tracker.W003"),
    ],
)
def test_the_deploy_check_warns_of_a_proxy_setting_clients_can_go_around(env, warning):
    checked = deploy_check(**env)
    assert checked.returncode != 0
    assert warning in checked.stderr + checked.stdout


@pytest.mark.parametrize(
    "env",
    [
        {"TRUSTED_PROXIES": "1"},
        {"TRUSTED_PROXIES": "1", "BIND": "unix:/run/tracker.sock"},
        {"BIND": "0.0.0.0:8000"},
        # An application server on a private network, reached by the proxy on another machine (docs/deploy.md).
        {"TRUSTED_PROXIES": "1", "BIND": "10.0.0.5:8000"},
    ],
)
def test_the_deploy_check_passes_a_server_only_the_proxy_reaches(env):
    checked = deploy_check(**env)
    assert checked.returncode == 0, checked.stderr + checked.stdout


@pytest.mark.parametrize("value", ["²", "①", "٣", "-1", "1.5"])
def test_a_whole_number_setting_refuses_what_is_not_ascii_digits(monkeypatch, value):
    from tracker.settings import envint

    monkeypatch.setenv("TRACKER_N", value)
    with pytest.raises(ImproperlyConfigured, match="TRACKER_N"):
        envint("TRACKER_N", "0")


def test_a_proxy_address_setting_refuses_what_is_not_an_address(monkeypatch):
    from tracker.settings import envnetworks

    monkeypatch.setenv("TRACKER_NETS", "10.0.0.0/8, proxy.example")
    with pytest.raises(ImproperlyConfigured, match="'proxy.example' is not an IP address"):
        envnetworks("TRACKER_NETS", "")
    monkeypatch.setenv("TRACKER_NETS", "10.0.0.1/24")  # host bits set: gunicorn would refuse it too
    with pytest.raises(ImproperlyConfigured, match="'10.0.0.1/24' is not an IP address"):
        envnetworks("TRACKER_NETS", "")


def test_a_sqlite_url_runs_sqlite_as_the_default_file_does(monkeypatch, tmp_path):
    """WAL, a busy timeout and queued writers whether the file is named by DATABASE_URL or not (issue #14)."""
    monkeypatch.setenv("TRACKER_DB", f"sqlite:///{tmp_path / 'named.sqlite3'}")
    named = envdatabase("TRACKER_DB", Path("unused.sqlite3"))
    monkeypatch.delenv("TRACKER_DB")
    default = envdatabase("TRACKER_DB", tmp_path / "default.sqlite3")
    assert named["OPTIONS"] == default["OPTIONS"]


def test_two_writers_on_a_sqlite_url_queue_instead_of_failing(tmp_path):
    """Concurrent writers through the settings a sqlite:/// URL gives: every write lands, none is 'database is locked'."""
    script = r"""
import os, sys, threading
os.environ["DATABASE_URL"] = "sqlite:///" + sys.argv[1]
os.environ["DJANGO_SETTINGS_MODULE"] = "tracker.settings"
import django
django.setup()
from django.db import connection, transaction
with connection.cursor() as cursor:
    cursor.execute("PRAGMA journal_mode")
    cursor.execute("PRAGMA busy_timeout")
    assert cursor.fetchone()[0] == 20_000
    cursor.execute("PRAGMA journal_mode")
    assert cursor.fetchone()[0] == "wal"
    cursor.execute("CREATE TABLE t (n integer)")
errors = []
def write():
    from django.db import connection
    try:
        for _ in range(30):
            with transaction.atomic():
                with connection.cursor() as cursor:
                    cursor.execute("INSERT INTO t VALUES (1)")
                    cursor.execute("SELECT count(*) FROM t")
    except Exception as error:
        errors.append(repr(error))
    finally:
        connection.close()
threads = [threading.Thread(target=write) for _ in range(4)]
[t.start() for t in threads]
[t.join() for t in threads]
with connection.cursor() as cursor:
    cursor.execute("SELECT count(*) FROM t")
    print(cursor.fetchone()[0], errors)
"""
    done = subprocess.run(
        [sys.executable, "-c", script, str(tmp_path / "writers.sqlite3")],
        capture_output=True,
        text=True,
        cwd=BASE_DIR,
        env={k: v for k, v in os.environ.items() if k != "DATABASE_URL"},
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.split(None, 1) == ["120", "[]\n"]
