"""Read replicas: which database each request reads from, and the primary when a replica cannot be reached."""

import socket

import pytest
from django.contrib.auth import get_user_model
from django.contrib.sessions.models import Session
from django.core.exceptions import MiddlewareNotUsed
from django.db import DEFAULT_DB_ALIAS, OperationalError, connections, transaction
from django.http import HttpResponse, StreamingHttpResponse
from django.test import RequestFactory

from events.models import Event
from tracker import routers
from tracker.models import Person
from tracker.publishing import DataVersion
from tracker.routers import WROTE_COOKIE, ReplicaMiddleware, ReplicaRouter, reading_from

router = ReplicaRouter()


@pytest.fixture
def replicas(settings, monkeypatch):
    """Two replicas in the settings, both answering (unless a test says otherwise)."""
    settings.DATABASE_REPLICAS = ["replica1", "replica2"]
    settings.REPLICA_RETRY_SECONDS = 5
    monkeypatch.setattr(routers, "_down_until", {})
    checked = []
    monkeypatch.setattr(routers, "reachable", lambda alias: checked.append(alias) or True)
    return checked


def read_by(request, response=None):
    """Where a view's reads went for this request: (reading_from, the router's choice for a person, the answer)."""
    seen = {}

    def view(request):
        seen["alias"] = reading_from.get()
        seen["person"] = router.db_for_read(Person)
        return response or HttpResponse("ok")

    answer = ReplicaMiddleware(view)(request)
    return seen["alias"], seen["person"], answer


factory = RequestFactory()


@pytest.mark.parametrize("method", ["get", "head"])
def test_an_anonymous_readers_get_reads_from_a_replica(replicas, method):
    alias, person, _ = read_by(getattr(factory, method)("/prisoners/?status=held"))
    assert alias in {"replica1", "replica2"}
    assert person == alias


def test_reads_spread_over_the_replicas(replicas):
    aliases = {read_by(factory.get("/"))[0] for _ in range(60)}
    assert aliases == {"replica1", "replica2"}


def test_the_data_version_is_read_where_the_data_is(replicas):
    # tracker/caching.py keys values by the version it reads: from the same database as the values.
    def view(request):
        return HttpResponse(
            f"{router.db_for_read(DataVersion)} {router.db_for_read(Person)} {router.db_for_read(Event)}"
        )

    answer = ReplicaMiddleware(view)(factory.get("/"))
    version, person, event = answer.content.decode().split()
    assert version == person == event != DEFAULT_DB_ALIAS


@pytest.mark.parametrize(
    "request_",
    [
        factory.post("/admin/login/", {"username": "editor"}),
        factory.put("/api/v1/events/"),
        factory.delete("/api/v1/events/1/"),
        factory.get("/", HTTP_COOKIE="sessionid=abc"),
        factory.get("/admin/"),
        factory.get("/admin/tracker/person/"),
        factory.get("/prisoners/", HTTP_COOKIE=f"{WROTE_COOKIE}=1"),
    ],
    ids=["post", "put", "delete", "signed-in", "admin", "admin-page", "wrote-just-now"],
)
def test_editors_the_admin_writes_and_recent_writers_read_from_the_primary(replicas, request_):
    alias, person, _ = read_by(request_)
    assert (alias, person) == (DEFAULT_DB_ALIAS, DEFAULT_DB_ALIAS)
    assert replicas == []  # no replica even checked


def test_a_write_sends_its_client_to_the_primary_for_a_few_seconds(replicas, settings):
    settings.READ_PRIMARY_SECONDS = 12
    *_, answer = read_by(factory.post("/admin/tracker/person/1/change/"))

    cookie = answer.cookies[WROTE_COOKIE]
    assert (cookie["max-age"], cookie["httponly"], cookie["samesite"]) == (12, True, "Lax")
    assert read_by(factory.get("/", HTTP_COOKIE=f"{WROTE_COOKIE}={cookie.value}"))[0] == DEFAULT_DB_ALIAS


def test_a_read_sets_no_cookie(replicas):
    *_, answer = read_by(factory.get("/"))
    assert WROTE_COOKIE not in answer.cookies


def test_sign_in_sessions_and_accounts_are_always_on_the_primary(replicas):
    token = reading_from.set("replica1")
    try:
        assert router.db_for_read(Session) == DEFAULT_DB_ALIAS
        assert router.db_for_read(get_user_model()) == DEFAULT_DB_ALIAS
        assert router.db_for_read(Person) == "replica1"
    finally:
        reading_from.reset(token)


def test_writes_and_migrations_go_to_the_primary_only():
    token = reading_from.set("replica1")
    try:
        assert router.db_for_write(Person) == DEFAULT_DB_ALIAS
    finally:
        reading_from.reset(token)
    assert router.allow_migrate(DEFAULT_DB_ALIAS, "tracker") is True
    assert router.allow_migrate("replica1", "tracker") is False


def test_outside_a_request_everything_reads_from_the_primary():
    # Management commands, the shell, the data package's export: no middleware, the primary.
    assert router.db_for_read(Person) == DEFAULT_DB_ALIAS


@pytest.mark.django_db
def test_a_read_inside_a_transaction_on_the_primary_stays_there():
    token = reading_from.set("replica1")
    try:
        with transaction.atomic():
            assert router.db_for_read(Person) == DEFAULT_DB_ALIAS
    finally:
        reading_from.reset(token)


def test_a_downloads_rows_are_read_from_the_same_replica_while_it_is_sent(replicas):
    def rows():
        for _ in range(3):
            yield f"{reading_from.get()},{router.db_for_read(Person)}\n"

    alias, _, answer = read_by(factory.get("/prisoners.csv"), StreamingHttpResponse(rows()))

    assert alias != DEFAULT_DB_ALIAS
    # Iterated here, after the middleware returned, as the WSGI server does.
    assert b"".join(answer.streaming_content).decode() == f"{alias},{alias}\n" * 3
    assert reading_from.get() == DEFAULT_DB_ALIAS


def test_without_replicas_the_middleware_removes_itself(settings):
    settings.DATABASE_REPLICAS = []
    with pytest.raises(MiddlewareNotUsed):
        ReplicaMiddleware(lambda request: HttpResponse())


# A replica that cannot be reached.


def closed_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]  # nothing listens once the socket is closed


@pytest.fixture
def unreachable_replica(settings, monkeypatch, django_db_blocker):
    """A real replica connection (PostgreSQL) to a port where nothing listens; no test database is touched."""
    alias = "replica_gone"
    configured = connections.configure_settings(
        {
            DEFAULT_DB_ALIAS: connections.settings[DEFAULT_DB_ALIAS],
            alias: {
                "ENGINE": "django.db.backends.postgresql",
                "NAME": "tracker",
                "HOST": "127.0.0.1",
                "PORT": closed_port(),
                "USER": "tracker",
                "CONN_HEALTH_CHECKS": True,
                "OPTIONS": {"connect_timeout": 2},
            },
        }
    )
    connections.settings[alias] = configured[alias]
    settings.DATABASE_REPLICAS = [alias]
    settings.REPLICA_RETRY_SECONDS = 5
    monkeypatch.setattr(routers, "_down_until", {})
    with django_db_blocker.unblock():
        yield alias
    connections[alias].close()
    del connections[alias]
    del connections.settings[alias]


def test_an_unreachable_replicas_readers_read_from_the_primary(unreachable_replica, monkeypatch):
    attempts = []
    check = routers.reachable
    monkeypatch.setattr(routers, "reachable", lambda alias: attempts.append(alias) or check(alias))

    first = read_by(factory.get("/"))[:2]
    second = read_by(factory.get("/prisoners/"))[:2]

    assert first == second == (DEFAULT_DB_ALIAS, DEFAULT_DB_ALIAS)
    # Found down once, then left alone for REPLICA_RETRY_SECONDS: the second reader did not try it.
    assert attempts == [unreachable_replica]


def test_a_replica_found_down_is_tried_again_after_a_few_seconds(unreachable_replica, monkeypatch, settings):
    clock = [1000.0]
    monkeypatch.setattr(routers.time, "monotonic", lambda: clock[0])
    read_by(factory.get("/"))

    monkeypatch.setattr(routers, "reachable", lambda alias: True)  # it is back
    clock[0] += settings.REPLICA_RETRY_SECONDS - 1
    assert read_by(factory.get("/"))[0] == DEFAULT_DB_ALIAS
    clock[0] += 1
    assert read_by(factory.get("/"))[0] == unreachable_replica


def test_an_error_answer_from_a_replica_sends_the_next_readers_to_the_primary(replicas, settings):
    settings.DATABASE_REPLICAS = ["replica1"]
    alias, _, answer = read_by(factory.get("/"), HttpResponse(status=503))
    assert (alias, answer.status_code) == ("replica1", 503)

    assert read_by(factory.get("/"))[0] == DEFAULT_DB_ALIAS
    assert replicas == ["replica1"]  # checked once, then skipped while marked down


def test_a_replica_gone_in_the_middle_of_a_get_answers_it_from_the_primary(replicas, settings):
    """The replica passed the check, then its query failed (stopped mid-request): the reader still gets the page."""
    settings.DATABASE_REPLICAS = ["replica1"]
    seen = []

    def view(request):
        seen.append(reading_from.get())
        if reading_from.get() == "replica1":
            from tracker.outages import server_error

            try:
                raise OperationalError("the replica is shutting down") from InterfaceErrorCause()
            except OperationalError:
                return server_error(request)
        return HttpResponse("from the primary")

    answer = ReplicaMiddleware(view)(factory.get("/prisoners/"))

    assert (seen, answer.status_code, answer.content) == (["replica1", DEFAULT_DB_ALIAS], 200, b"from the primary")
    assert read_by(factory.get("/"))[0] == DEFAULT_DB_ALIAS  # marked down: the next readers go to the primary
    assert replicas == ["replica1"]


def test_a_503_that_is_not_the_database_is_not_asked_again(replicas, settings):
    """Another 503 (the download slots full) is the answer: the request is not run a second time."""
    settings.DATABASE_REPLICAS = ["replica1"]
    calls = []

    def view(request):
        calls.append(reading_from.get())
        return HttpResponse(status=503)

    assert ReplicaMiddleware(view)(factory.get("/prisoners.csv")).status_code == 503
    assert calls == ["replica1"]


class InterfaceErrorCause(Exception):
    """What psycopg raises when the server closes the connection (tracker.outages reads its module)."""

    __module__ = "psycopg"


def test_one_replica_down_sends_its_readers_to_another(replicas, monkeypatch):
    monkeypatch.setattr(routers, "reachable", lambda alias: alias == "replica2")
    assert {read_by(factory.get("/"))[0] for _ in range(20)} == {"replica2"}
