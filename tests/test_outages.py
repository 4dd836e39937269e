"""A database that cannot be reached: a 503 page with Retry-After, never a traceback; other errors stay 500s."""

import sqlite3

import psycopg
import pytest
from django.db import InterfaceError, OperationalError

pytestmark = pytest.mark.django_db


@pytest.fixture
def failing(client, monkeypatch):
    """Every query raises `error`, as when the database server is down or drops the connection."""
    from django.db.backends import utils

    def fail_with(error):
        def execute(*args, **kwargs):
            raise error

        monkeypatch.setattr(utils.CursorWrapper, "_execute_with_wrappers", execute)
        client.raise_request_exception = False
        return client

    return fail_with


def database_error(django_error, cause):
    """A Django database error as the backend raises it: with the driver's own error as its cause."""
    error = django_error(str(cause))
    error.__cause__ = cause
    return error


UNREACHABLE = [
    database_error(
        OperationalError,
        psycopg.OperationalError('connection to server at "127.0.0.1", port 5432 failed: Connection refused'),
    ),
    database_error(
        OperationalError, psycopg.errors.AdminShutdown("terminating connection due to administrator command")
    ),
    database_error(OperationalError, psycopg.errors.CannotConnectNow("the database system is starting up")),
    database_error(InterfaceError, psycopg.InterfaceError("the connection is closed")),
    database_error(OperationalError, sqlite3.OperationalError("database is locked")),
]


@pytest.mark.parametrize("error", UNREACHABLE, ids=lambda error: type(error.__cause__).__name__)
@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/timeline/",
        "/prisoners/?status=held",
        "/prisoners.csv",
        "/prisoners.csv?order=newest",
        "/figures/",
        "/api/v1/prisoners/",
        "/feeds/timeline.atom",
    ],
)
def test_a_database_that_cannot_be_reached_is_a_503_page(failing, error, path):
    response = failing(error).get(path)

    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    assert response["Cache-Control"] == "no-store"
    html = response.content.decode()
    assert "Temporarily unavailable" in html and "try again in 30 seconds" in html
    assert "5432" not in html and "Traceback" not in html and "connection" not in html.lower()


def test_signing_in_while_the_database_is_down_is_a_503_page(failing):
    response = failing(UNREACHABLE[1]).post(
        "/admin/login/", {"username": "editor", "password": "a long enough password"}
    )
    assert response.status_code == 503
    assert "it was not saved" in response.content.decode()


@pytest.mark.parametrize(
    "error",
    [
        ValueError("a bug, not an outage"),
        database_error(OperationalError, psycopg.errors.QueryCanceled("canceling statement due to statement timeout")),
        database_error(OperationalError, psycopg.errors.DeadlockDetected("deadlock detected")),
        database_error(OperationalError, sqlite3.OperationalError("no such column: tracker_person.shoe_size")),
    ],
    ids=["bug", "timeout", "deadlock", "missing-column"],
)
def test_other_errors_are_the_plain_500_page(failing, error, caplog):
    response = failing(error).get("/timeline/")

    assert response.status_code == 500
    assert "Retry-After" not in response
    assert "Temporarily unavailable" not in response.content.decode()
    # The traceback is logged, for whoever runs the server.
    assert any(record.exc_info for record in caplog.records if record.levelname == "ERROR")
