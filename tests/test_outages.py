"""A database that cannot be reached: a 503 page with Retry-After, never a traceback; other errors stay 500s."""
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


@pytest.mark.parametrize(
    "error",
    [
        OperationalError('connection to server at "127.0.0.1", port 5432 failed: Connection refused'),
        InterfaceError("connection already closed"),
    ],
)
@pytest.mark.parametrize(
    "path", ["/", "/timeline/", "/prisoners/?status=held", "/prisoners.csv", "/prisoners.csv?order=newest", "/figures/",
             "/api/v1/prisoners/", "/feeds/timeline.atom"],
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
    response = failing(OperationalError("server closed the connection unexpectedly")).post(
        "/admin/login/", {"username": "editor", "password": "a long enough password"}
    )
    assert response.status_code == 503
    assert "it was not saved" in response.content.decode()


def test_other_errors_are_the_plain_500_page(failing):
    response = failing(ValueError("a bug, not an outage")).get("/timeline/")

    assert response.status_code == 500
    assert "a bug" not in response.content.decode()
    assert "Retry-After" not in response
