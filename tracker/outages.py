"""When the database cannot be reached: a 503 page that says so and when to try again, never a traceback.

Django answers an exception nobody caught with handler500; this one looks at
that exception. A database that is down, restarting or refusing connections
raises OperationalError (or InterfaceError on a connection it dropped), and
`unreachable` tells those from errors that are bugs: the reader gets "503
Service Unavailable" with Retry-After, and the next request
connects afresh (connections are checked before reuse, CONN_HEALTH_CHECKS),
so the site recovers by itself when the database is back. Any other error is
Django's plain 500 page.
"""

import logging
import sys

from django.db import InterfaceError, OperationalError
from django.http import HttpResponse
from django.template.loader import render_to_string
from django.views import defaults

logger = logging.getLogger(__name__)

RETRY_SECONDS = 30


# PostgreSQL's codes for "the connection failed" (class 08) and "the server is shutting down or starting up".
UNREACHABLE_STATES = {"57P01", "57P02", "57P03"}
# SQLite's messages for a database it cannot open or that another process holds.
SQLITE_UNAVAILABLE = ("database is locked", "unable to open database file", "disk i/o error")


def unreachable(error):
    """Whether a database error means the database cannot be reached now, rather than a bug to fix.

    A statement timeout, a deadlock or a missing column is an OperationalError
    too: those stay 500s, with their traceback in the log.
    """
    if isinstance(error, InterfaceError):
        return True
    if not isinstance(error, OperationalError):
        return False
    cause = error.__cause__
    state = getattr(cause, "sqlstate", None)
    if state:
        return state.startswith("08") or state in UNREACHABLE_STATES
    if type(cause).__module__.startswith("sqlite3"):
        return str(cause).lower().startswith(SQLITE_UNAVAILABLE)
    # psycopg's own "connection failed" (no server answered, so no code).
    return type(cause).__module__.startswith("psycopg")


def server_error(request, template_name="500.html"):
    error = sys.exc_info()[1]
    if unreachable(error):
        logger.error("Database unavailable for %s: %s", request.path, error)
        # No request context: the context processors could ask the database again.
        response = HttpResponse(render_to_string("503.html", {"retry": RETRY_SECONDS}), status=503)
        response["Retry-After"] = str(RETRY_SECONDS)
        response["Cache-Control"] = "no-store"
        # For tracker/routers.py: a reader's GET that met a replica going away is answered again from the primary.
        response.database_unreachable = True
        return response
    return defaults.server_error(request, template_name)
