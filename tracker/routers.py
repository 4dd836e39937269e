"""Read replicas: public reads from a replica, everything an editor does on the primary.

With DATABASE_REPLICA_URLS set (tracker/settings.py), ReplicaMiddleware decides once, at the start of each
request, where that request reads, and ReplicaRouter follows that decision for every query:

- an anonymous reader's GET or HEAD reads from a replica;
- a signed-in editor (any request with a session cookie), the admin, any other method (a POST, a sign-in),
  and a client that wrote in the last READ_PRIMARY_SECONDS (the cookie set on the answer to its write)
  read from the primary, so an editor always sees what they just saved;
- writes, migrations, sessions, accounts and sign-in throttling always use the primary, as does any read
  inside a transaction on the primary (a save, an import, the data package's snapshot).

One request reads from one database: the data version that keys the cache (tracker/caching.py) is read
from the same database as the data, so a value is never cached under a version newer than its data.

A replica that cannot be reached (the check is the connection's own health check, made before the first
query, at no extra cost) is skipped by this process for REPLICA_RETRY_SECONDS; its readers are served by
the primary meanwhile, and the replica is tried again after that. A replica that goes away in the middle
of a reader's GET (its connection passed the check, then the query failed: tracker/outages.py's 503) is
marked down too, and that GET is answered again from the primary: reading is all it did.
"""

import contextvars
import random
import threading
import time

from django.conf import settings
from django.core.exceptions import MiddlewareNotUsed
from django.db import DEFAULT_DB_ALIAS, Error, connections
from django.urls import reverse

# The database the current request reads from; the primary outside requests (commands, the shell, tests).
reading_from = contextvars.ContextVar("reading_from", default=DEFAULT_DB_ALIAS)

# Tables of sign-in and the admin: on the primary for every reader. A session written by one server is
# read by the next request on another, sooner than a replica may have replayed it.
PRIMARY_APPS = frozenset({"sessions", "auth", "admin", "accounts", "axes", "otp_totp", "otp_static", "django_otp"})

# The cookie that sends a client that has just written to the primary for a few seconds: longer than a
# replica's usual lag, so the page after a save shows the save.
WROTE_COOKIE = "read_primary"
SAFE_METHODS = frozenset({"GET", "HEAD"})


class ReplicaRouter:
    def db_for_read(self, model, **hints):
        alias = reading_from.get()
        if alias == DEFAULT_DB_ALIAS or model._meta.app_label in PRIMARY_APPS:
            return DEFAULT_DB_ALIAS
        # A read inside a transaction on the primary belongs to it: it sees the transaction's own writes,
        # and a snapshot (the data package's five files) reads one moment of one database.
        if connections[DEFAULT_DB_ALIAS].in_atomic_block:
            return DEFAULT_DB_ALIAS
        return alias

    def db_for_write(self, model, **hints):
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1, obj2, **hints):
        return True  # the replicas hold the primary's rows

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db == DEFAULT_DB_ALIAS


# Replicas this process found unreachable, and until when it leaves them alone (time.monotonic()).
_down_until = {}
_down_lock = threading.Lock()


def mark_down(alias):
    with _down_lock:
        _down_until[alias] = time.monotonic() + settings.REPLICA_RETRY_SECONDS


def reachable(alias):
    """Whether this thread's connection to `alias` works: Django's own health check, made now instead of
    at the first query (so the request can still go elsewhere), or a new connection."""
    connection = connections[alias]
    try:
        connection.close_if_health_check_failed()
        connection.ensure_connection()
    except Error:
        close_quietly(alias)
        return False
    return True


def close_quietly(alias):
    """Close this thread's connection to `alias`, which may already be broken."""
    if alias in connections.settings:
        try:
            connections[alias].close()
        except Error:
            pass


def replica_or_primary():
    """A replica that answers, picked at random among those not recently found down; else the primary."""
    now = time.monotonic()
    candidates = [alias for alias in settings.DATABASE_REPLICAS if _down_until.get(alias, 0) <= now]
    random.shuffle(candidates)
    for alias in candidates:
        if reachable(alias):
            return alias
        mark_down(alias)
    return DEFAULT_DB_ALIAS


def reads_primary(request, admin_prefix):
    """Whether this request must see the primary: an editor, the admin, a write, or a client that just wrote."""
    return (
        request.method not in SAFE_METHODS
        or settings.SESSION_COOKIE_NAME in request.COOKIES
        or WROTE_COOKIE in request.COOKIES
        or request.path.startswith(admin_prefix)
    )


class ReplicaMiddleware:
    def __init__(self, get_response):
        if not settings.DATABASE_REPLICAS:
            raise MiddlewareNotUsed("No read replicas: every request reads from the one database.")
        self.get_response = get_response
        self.admin_prefix = None

    def answer(self, request, alias):
        token = reading_from.set(alias)
        try:
            return self.get_response(request)
        finally:
            reading_from.reset(token)

    def __call__(self, request):
        if self.admin_prefix is None:
            self.admin_prefix = reverse("admin:index")
        alias = DEFAULT_DB_ALIAS if reads_primary(request, self.admin_prefix) else replica_or_primary()
        response = self.answer(request, alias)
        if alias != DEFAULT_DB_ALIAS and getattr(response, "database_unreachable", False):
            # The replica went away after its connection was checked: this reader's GET again, on the primary.
            mark_down(alias)
            close_quietly(alias)
            alias = DEFAULT_DB_ALIAS
            response = self.answer(request, alias)
        if response.streaming and not response.is_async:
            # A download's rows are read while it is sent, after this returns: from the same database.
            response.streaming_content = reading(alias, response.streaming_content)
        if request.method not in SAFE_METHODS:
            response.set_cookie(
                WROTE_COOKIE,
                "1",
                max_age=settings.READ_PRIMARY_SECONDS,
                secure=settings.SESSION_COOKIE_SECURE,
                httponly=True,
                samesite="Lax",
            )
        if alias != DEFAULT_DB_ALIAS and response.status_code >= 500:
            # The replica may have gone away mid-request (tracker/outages.py's 503): the next readers go to
            # the primary at once rather than each finding out.
            mark_down(alias)
        return response


def reading(alias, chunks):
    """The chunks of a streamed response, each read from `alias`."""
    chunks = iter(chunks)
    while True:
        token = reading_from.set(alias)
        try:
            chunk = next(chunks)
        except StopIteration:
            return
        finally:
            reading_from.reset(token)
        yield chunk
