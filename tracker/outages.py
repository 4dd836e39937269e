"""When the database cannot be reached: a 503 page that says so and when to try again, never a traceback.

Django answers an exception nobody caught with handler500; this one looks at
that exception. A database that is down, restarting or refusing connections
raises OperationalError (or InterfaceError on a connection it dropped): the
reader gets "503 Service Unavailable" with Retry-After, and the next request
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


def server_error(request, template_name="500.html"):
    error = sys.exc_info()[1]
    if isinstance(error, (OperationalError, InterfaceError)):
        logger.warning("Database unavailable for %s: %s", request.path, error)
        # No request context: the context processors could ask the database again.
        response = HttpResponse(render_to_string("503.html", {"retry": RETRY_SECONDS}), status=503)
        response["Retry-After"] = str(RETRY_SECONDS)
        response["Cache-Control"] = "no-store"
        return response
    return defaults.server_error(request, template_name)
