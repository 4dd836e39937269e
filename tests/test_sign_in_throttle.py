"""Sign-in throttling: a username and an address together are paused after repeated failures, never a username alone."""
import pytest
from django.contrib.auth import get_user_model

from tests.factories import make_user

pytestmark = pytest.mark.django_db

PASSWORD = "the editor's long password"


def sign_in(client, username, password, address="203.0.113.7", **headers):
    return client.post(
        "/admin/login/?next=/admin/", {"username": username, "password": password}, REMOTE_ADDR=address, **headers
    )


def test_five_failures_pause_that_username_from_that_address(client, settings):
    editor = make_user(username="editor", password=PASSWORD)
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert sign_in(client, "editor", "wrong guess").status_code == 200  # the form again, with its error
    paused = sign_in(client, "editor", "wrong guess")
    assert paused.status_code == 429
    assert "Sign-in paused" in paused.content.decode()
    # The right password from that address is refused too, until the pause ends.
    assert sign_in(client, "editor", PASSWORD).status_code == 429
    assert "_auth_user_id" not in client.session
    # The same editor from their own address signs in: the attacker did not lock them out.
    signed_in = sign_in(client, "editor", PASSWORD, address="198.51.100.20")
    assert signed_in.status_code == 302
    assert int(client.session["_auth_user_id"]) == editor.pk


def test_another_username_from_the_paused_address_is_not_refused(client, settings):
    make_user(username="other", password=PASSWORD)
    for _ in range(settings.AXES_FAILURE_LIMIT):
        sign_in(client, "editor", "wrong guess")
    assert sign_in(client, "other", PASSWORD).status_code == 302


def test_a_forged_forwarded_header_does_not_escape_the_pause_without_a_trusted_proxy(client, settings):
    make_user(username="editor", password=PASSWORD)
    for number in range(settings.AXES_FAILURE_LIMIT + 1):
        response = sign_in(client, "editor", "wrong guess", HTTP_X_FORWARDED_FOR=f"192.0.2.{number}")
    assert response.status_code == 429


def test_an_administrator_lifts_a_pause(client, settings):
    from django.core.management import call_command

    make_user(username="editor", password=PASSWORD)
    for _ in range(settings.AXES_FAILURE_LIMIT):
        sign_in(client, "editor", "wrong guess")
    assert sign_in(client, "editor", PASSWORD).status_code == 429
    call_command("axes_reset_username", "editor")
    assert sign_in(client, "editor", PASSWORD).status_code == 302
    assert get_user_model().objects.get(username="editor").is_staff
