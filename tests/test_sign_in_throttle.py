"""Sign-in throttling: a username and an address together are paused after repeated failures, never a username alone."""

import ipaddress

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


def test_behind_a_trusted_proxy_the_client_address_is_the_one_the_proxy_appended(client, settings):
    """One proxy (TRUSTED_PROXIES=1) appends the address it was reached from; what the client wrote before it is ignored."""
    settings.TRUSTED_PROXIES = 1
    settings.PROXY_ADDRESSES = [ipaddress.ip_network("10.0.0.2")]
    editor = make_user(username="editor", password=PASSWORD)
    proxy = "10.0.0.2"
    for number in range(settings.AXES_FAILURE_LIMIT):
        # The attacker forges an address of its own in front of the one the proxy appends.
        sign_in(client, "editor", "wrong guess", address=proxy, HTTP_X_FORWARDED_FOR=f"192.0.2.{number}, 203.0.113.7")
    assert sign_in(client, "editor", PASSWORD, address=proxy, HTTP_X_FORWARDED_FOR="203.0.113.7").status_code == 429
    # The editor, through the same proxy from their own address, is not paused.
    signed_in = sign_in(client, "editor", PASSWORD, address=proxy, HTTP_X_FORWARDED_FOR="198.51.100.20")
    assert signed_in.status_code == 302
    assert int(client.session["_auth_user_id"]) == editor.pk


@pytest.mark.parametrize(
    ("proxies", "forwarded", "address"),
    [
        (0, "198.51.100.20", "10.0.0.2"),  # no proxy trusted: the header is anyone's
        (1, "", "10.0.0.2"),  # no header: it did not come through the proxy
        (1, "192.0.2.1, 198.51.100.20", "198.51.100.20"),
        (2, "192.0.2.1, 198.51.100.20, 10.0.0.9", "198.51.100.20"),
        # A client that went round the outer proxy to the inner one: the address the inner one saw.
        (2, "198.51.100.20", "198.51.100.20"),
        (2, "192.0.2.77, 203.0.113.9", "203.0.113.9"),  # and what it wrote before that is ignored
        (2, "10.0.0.9", "10.0.0.9"),  # only proxies' entries: the first one in
        (1, "::ffff:198.51.100.20", "198.51.100.20"),
        (1, "not-an-address", "10.0.0.2"),
        (1, "2001:db8::1", "2001:db8::1"),
    ],
)
def test_client_address(rf, settings, proxies, forwarded, address):
    from accounts.addresses import client_address

    settings.TRUSTED_PROXIES = proxies
    settings.PROXY_ADDRESSES = [ipaddress.ip_network("10.0.0.0/24")]
    request = rf.get("/admin/login/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR=forwarded)
    assert client_address(request) == address


@pytest.mark.parametrize(
    ("remote", "address"),
    [
        ("203.0.113.7", "203.0.113.7"),
        ("10.0.1.2", "10.0.1.2"),
        ("2001:db8::7", "2001:db8::7"),
        ("junk", "0.0.0.0"),
        ("::ffff:203.0.113.7", "203.0.113.7"),
    ],
)
def test_the_forwarded_header_counts_only_on_a_connection_from_a_proxy(rf, settings, remote, address):
    from accounts.addresses import client_address

    settings.TRUSTED_PROXIES = 1
    settings.PROXY_ADDRESSES = [ipaddress.ip_network("10.0.0.0/24"), ipaddress.ip_network("::1")]
    request = rf.get("/admin/login/", REMOTE_ADDR=remote, HTTP_X_FORWARDED_FOR="198.51.100.20")
    assert client_address(request) == address


@pytest.mark.parametrize(("remote", "proxied"), [("::ffff:127.0.0.1", True), ("::1", True), ("127.0.0.2", False)])
def test_a_proxy_is_known_by_its_address_in_either_family(rf, settings, remote, proxied):
    from accounts.addresses import client_address

    settings.TRUSTED_PROXIES = 1
    settings.PROXY_ADDRESSES = [ipaddress.ip_network("127.0.0.1"), ipaddress.ip_network("::1")]
    request = rf.get("/admin/login/", REMOTE_ADDR=remote, HTTP_X_FORWARDED_FOR="198.51.100.20")
    assert (client_address(request) == "198.51.100.20") is proxied


@pytest.mark.parametrize(("proxies", "address"), [(1, "198.51.100.20"), (0, "0.0.0.0")])
def test_on_a_unix_socket_the_proxy_is_believed_or_every_client_shares_one_count(rf, settings, proxies, address):
    """gunicorn gives a Unix socket's connections no address: only this machine reaches one."""
    from accounts.addresses import client_address

    settings.TRUSTED_PROXIES = proxies
    request = rf.get("/admin/login/", REMOTE_ADDR="", HTTP_X_FORWARDED_FOR="198.51.100.20")
    assert client_address(request) == address


@pytest.mark.parametrize("proxies", [0, 1])
def test_sign_ins_on_a_unix_socket_are_throttled(client, settings, proxies):
    """An empty address made axes keep no count: every failure started afresh, and nothing was ever paused."""
    settings.TRUSTED_PROXIES = proxies
    make_user(username="editor", password=PASSWORD)
    answers = [
        sign_in(client, "editor", "wrong guess", address="", HTTP_X_FORWARDED_FOR="198.51.100.20").status_code
        for _ in range(settings.AXES_FAILURE_LIMIT + 2)
    ]
    assert answers[-1] == 429 and answers.count(429) == 3


def test_a_client_reaching_the_server_past_the_proxy_cannot_forge_a_fresh_address(client, settings):
    """The issue's case: TRUSTED_PROXIES=1 and a client that connects to gunicorn directly writes X-Forwarded-For."""
    settings.TRUSTED_PROXIES = 1
    make_user(username="editor", password=PASSWORD)
    answers = [
        sign_in(
            client, "editor", "wrong guess", address="203.0.113.7", HTTP_X_FORWARDED_FOR=f"192.0.2.{number}"
        ).status_code
        for number in range(12)
    ]
    assert answers[: settings.AXES_FAILURE_LIMIT - 1] == [200] * (settings.AXES_FAILURE_LIMIT - 1)
    assert set(answers[settings.AXES_FAILURE_LIMIT - 1 :]) == {429}
