"""The admin's second factor: password then code, enrolment while it is open, recovery codes, resets, commands.

These tests sign in the real way (the password form, then the code form);
the other admin tests use force_login, which gives staff the second factor
(tests/conftest.py).
"""

import base64
import datetime
import io
import re

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client
from django.utils import timezone
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.second_factor import ENROL_HOURS, RECOVERY_CODES, enrol_now, qr_svg
from tests.admin_pages import messages_of
from tests.factories import make_user
from tracker.roles import EDITOR

pytestmark = pytest.mark.django_db

PASSWORD = "the editor's long password"
SECOND_FACTOR = "/admin/second-factor/"


def code_of(device, steps_ahead=0):
    """The code the authenticator app shows now (or `steps_ahead` 30-second steps later)."""
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits, drift=steps_ahead):06d}"


def shown_key(page):
    """The key the enrolment page shows, as bytes (what the app reads from the QR code)."""
    key = re.search(r'<code class="otp-key">([A-Z2-7 ]+)</code>', page).group(1).replace(" ", "")
    return base64.b32decode(key + "=" * (-len(key) % 8))


def code_for(key):
    return f"{totp(key):06d}"


def sign_in_with_password(client, username="editor", password=PASSWORD, next_url="/admin/"):
    return client.post(f"/admin/login/?next={next_url}", {"username": username, "password": password, "next": next_url})


def give_code(client, code, next_url="/admin/"):
    return client.post(SECOND_FACTOR, {"code": code, "next": next_url})


@pytest.fixture
def enrolled(db):
    """An Editor with an authenticator app and recovery codes: (user, app device, codes)."""
    user = make_user(EDITOR, username="editor", password=PASSWORD)
    device, codes = enrol_now(user)
    return user, device, codes


# Signing in


def test_the_password_alone_opens_no_admin_page(enrolled):
    client = Client()
    response = sign_in_with_password(client)
    assert response.status_code == 302
    assert response["Location"] == f"{SECOND_FACTOR}?next=%2Fadmin%2F"
    for url in ["/admin/", "/admin/tracker/person/", "/admin/tracker/person/add/", "/admin/events/event/"]:
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith("/admin/login/"), url
        # The sign-in page itself sends a half-signed-in user on to the code.
        assert client.get(response["Location"])["Location"].startswith(SECOND_FACTOR)
    page = client.get(SECOND_FACTOR).content.decode()
    assert "Type the six-digit code" in page
    assert 'name="code"' in page


def test_the_code_from_the_app_signs_in_with_a_new_session_key(enrolled):
    _, device, _ = enrolled
    client = Client()
    sign_in_with_password(client)
    key_after_password = client.session.session_key

    response = give_code(client, code_of(device), next_url="/admin/tracker/person/")

    assert response.status_code == 302 and response["Location"] == "/admin/tracker/person/"
    assert client.session.session_key != key_after_password
    assert client.get("/admin/tracker/person/").status_code == 200


def test_a_wrong_code_is_refused_with_a_message_and_the_waits_grow(enrolled):
    _, device, _ = enrolled
    client = Client()
    sign_in_with_password(client)

    response = give_code(client, "000000" if code_of(device) != "000000" else "111111")

    assert response.status_code == 400
    assert "That code is not right." in response.content.decode()
    assert client.get("/admin/").status_code == 302
    # At once again: even the right code waits for the pause to end.
    response = give_code(client, code_of(device))
    assert response.status_code == 400
    assert re.search(r"Too many wrong codes: wait \d+ seconds?, then try again\.", response.content.decode())
    assert client.get("/admin/").status_code == 302


def test_the_pause_after_wrong_codes_ends(enrolled):
    _, device, _ = enrolled
    client = Client()
    sign_in_with_password(client)
    give_code(client, "not a code")
    # As if the pause (one second after one wrong code) were over.
    TOTPDevice.objects.filter(pk=device.pk).update(
        throttling_failure_timestamp=timezone.now() - datetime.timedelta(seconds=5)
    )

    assert give_code(client, code_of(device)).status_code == 302


def test_a_code_is_good_once(enrolled):
    _, device, _ = enrolled
    code = code_of(device)
    first, second = Client(), Client()
    sign_in_with_password(first)
    sign_in_with_password(second)

    assert give_code(first, code).status_code == 302
    assert give_code(second, code).status_code == 400  # the same code, replayed


def test_a_recovery_code_signs_in_once(enrolled):
    _, _, codes = enrolled
    client = Client()
    sign_in_with_password(client)
    assert give_code(client, codes[0].upper()).status_code == 302  # typed in capitals: still the code
    assert client.get("/admin/").status_code == 200
    assert StaticToken.objects.filter(token=codes[0]).count() == 0
    assert StaticToken.objects.count() == RECOVERY_CODES - 1

    again = Client()
    sign_in_with_password(again)
    assert give_code(again, codes[0]).status_code == 400


def test_next_leads_only_to_this_site(enrolled):
    _, device, _ = enrolled
    client = Client()
    sign_in_with_password(client)
    response = give_code(client, code_of(device), next_url="https://evil.example/admin/")
    assert response.status_code == 302 and response["Location"] == "/admin/"


def test_the_second_factor_page_is_only_for_staff_signed_in_with_a_password(enrolled):
    assert Client().get(SECOND_FACTOR)["Location"] == "/admin/login/"
    reader = make_user(username="reader", password=PASSWORD, is_staff=False)
    client = Client()
    client.force_login(reader)
    assert client.get(SECOND_FACTOR)["Location"] == "/admin/login/"


def test_signing_out_from_the_second_step_ends_the_session(enrolled):
    client = Client()
    sign_in_with_password(client)
    assert "_auth_user_id" in client.session
    assert 'action="/admin/second-factor/sign-out/"' in client.get(SECOND_FACTOR).content.decode()
    assert client.get("/admin/second-factor/sign-out/").status_code == 405
    response = client.post("/admin/second-factor/sign-out/")
    assert response.status_code == 302 and response["Location"] == "/admin/login/"
    assert "_auth_user_id" not in client.session


# Enrolment


def test_a_new_account_enrols_an_app_and_gets_recovery_codes():
    user = make_user(EDITOR, username="editor", password=PASSWORD)
    client = Client()
    sign_in_with_password(client)

    page = client.get(SECOND_FACTOR).content.decode()
    assert "Set up your second factor" in page
    assert '<svg width="' in page and 'class="qr-code"' in page  # the QR code, drawn on the server
    key = shown_key(page)
    assert shown_key(client.get(SECOND_FACTOR).content.decode()) == key  # the same key on every look of this session
    assert not TOTPDevice.objects.get(user=user).confirmed

    wrong = give_code(client, "12345")
    assert wrong.status_code == 400 and "That code is not right" in wrong.content.decode()
    assert not TOTPDevice.objects.get(user=user).confirmed
    # As if the second's pause after a wrong code were over.
    TOTPDevice.objects.filter(user=user).update(
        throttling_failure_timestamp=timezone.now() - datetime.timedelta(seconds=5)
    )

    done = give_code(client, code_for(key))

    assert done.status_code == 200
    codes = re.findall(r"<li><code>([a-z2-7]+)</code></li>", done.content.decode())
    assert len(codes) == RECOVERY_CODES == len(set(codes))
    assert sorted(codes) == sorted(StaticToken.objects.filter(device__user=user).values_list("token", flat=True))
    device = TOTPDevice.objects.get(user=user)
    assert device.confirmed and device.bin_key == key
    assert client.get("/admin/").status_code == 200


def test_enrolment_closes_after_its_hours_and_a_reset_opens_it_again(admin_client):
    user = make_user(EDITOR, username="editor", password=PASSWORD)
    TOTPDevice.objects.filter(user=user).update(
        created_at=timezone.now() - datetime.timedelta(hours=ENROL_HOURS, minutes=1)
    )
    client = Client()
    sign_in_with_password(client)

    closed = client.get(SECOND_FACTOR)
    assert closed.status_code == 403
    assert "the time to set one up with the password alone has passed" in closed.content.decode()
    assert give_code(client, "123456").status_code == 403
    assert client.get("/admin/").status_code == 302

    response = admin_client.post(
        "/admin/auth/user/", {"action": "reset_second_factor", "_selected_action": [user.pk]}, follow=True
    )
    assert "Reset the second factor of 1 account: each can set up a new authenticator app" in " ".join(
        messages_of(response)
    )

    # A session signed in before the reset must give the password again to enrol.
    assert client.get(SECOND_FACTOR).status_code == 403
    again = Client()
    sign_in_with_password(again)
    assert "Set up your second factor" in again.get(SECOND_FACTOR).content.decode()


def test_a_reset_ends_the_sessions_the_old_factor_verified(enrolled, admin_client):
    user, device, _ = enrolled
    client = Client()
    sign_in_with_password(client)
    give_code(client, code_of(device))
    assert client.get("/admin/").status_code == 200

    admin_client.post("/admin/auth/user/", {"action": "reset_second_factor", "_selected_action": [user.pk]})

    assert client.get("/admin/").status_code == 302
    assert not TOTPDevice.objects.filter(user=user, confirmed=True).exists()
    assert not StaticDevice.objects.filter(user=user).exists()
    # Nor can that session, signed in before the reset, set up a new app: only a new sign-in can.
    closed = client.get(SECOND_FACTOR)
    assert closed.status_code == 403 and "otp-key" not in closed.content.decode()


def test_each_session_enrols_with_a_key_of_its_own():
    """Someone else with the password during enrolment sees another key, which never becomes the account's."""
    make_user(EDITOR, username="editor", password=PASSWORD)
    owner, intruder = Client(), Client()
    sign_in_with_password(owner)
    sign_in_with_password(intruder)
    owners_key = shown_key(owner.get(SECOND_FACTOR).content.decode())
    intruders_key = shown_key(intruder.get(SECOND_FACTOR).content.decode())
    assert owners_key != intruders_key

    assert give_code(owner, code_for(owners_key)).status_code == 200  # enrolled: the recovery codes

    late = Client()
    sign_in_with_password(late)
    assert give_code(late, code_for(intruders_key)).status_code == 400
    assert late.get("/admin/").status_code == 302


def test_a_locked_app_does_not_block_the_recovery_codes(enrolled):
    """Wrong six-digit codes pause the app's codes only: the owner still signs in with a recovery code."""
    _, device, codes = enrolled
    TOTPDevice.objects.filter(pk=device.pk).update(
        throttling_failure_count=20, throttling_failure_timestamp=timezone.now()
    )
    client = Client()
    sign_in_with_password(client)
    assert "Too many wrong codes" in give_code(client, code_of(device)).content.decode()
    assert give_code(client, codes[0]).status_code == 302
    assert (
        TOTPDevice.objects.get(pk=device.pk).throttling_failure_count == 20
    )  # a recovery code is not a wrong app code


def test_an_account_made_staff_later_may_enrol():
    user = make_user(username="reader", password=PASSWORD, is_staff=False)
    TOTPDevice.objects.filter(user=user).update(created_at=timezone.now() - datetime.timedelta(days=30))
    user.is_staff = True
    user.save()
    client = Client()
    sign_in_with_password(client, "reader")
    assert "Set up your second factor" in client.get(SECOND_FACTOR).content.decode()


def test_only_superusers_reset_a_second_factor(enrolled, login):
    user, device, _ = enrolled
    editor = login(make_user(EDITOR))
    response = editor.post("/admin/auth/user/", {"action": "reset_second_factor", "_selected_action": [user.pk]})
    assert response.status_code == 403
    assert TOTPDevice.objects.get(pk=device.pk).confirmed


def test_the_accounts_list_says_who_has_a_second_factor(enrolled, admin_client):
    make_user(username="newcomer")
    page = admin_client.get("/admin/auth/user/").content.decode()
    assert page.count('alt="True"') >= 2  # the editor and the signed-in superuser
    assert page.count('alt="False"') == 1  # the newcomer, not enrolled yet


def test_the_secret_keys_have_no_admin_pages(admin_client):
    assert admin_client.get("/admin/otp_totp/totpdevice/").status_code == 404
    assert admin_client.get("/admin/otp_static/staticdevice/").status_code == 404


# Commands


def test_createadmin_makes_a_superuser_with_a_second_factor_and_prints_the_enrolment(monkeypatch):
    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", PASSWORD)
    out = io.StringIO()

    call_command(
        "createadmin", "chief", "--email", "chief@example.org", "--address", "https://tracker.example", stdout=out
    )

    user = get_user_model().objects.get(username="chief")
    assert user.is_superuser and user.is_staff and user.check_password(PASSWORD)
    device = TOTPDevice.objects.get(user=user, confirmed=True)
    text = out.getvalue()
    assert device.config_url in text
    assert "██" in text  # the QR code, as blocks
    codes = StaticToken.objects.filter(device__user=user).values_list("token", flat=True)
    assert len(codes) == RECOVERY_CODES and all(f"    {code}\n" in text for code in codes)
    assert "https://tracker.example/admin/" in text
    assert PASSWORD not in text
    # And the administrator signs in with what was printed.
    client = Client()
    sign_in_with_password(client, "chief")
    assert give_code(client, code_of(device)).status_code == 302
    assert client.get("/admin/auth/user/").status_code == 200


def test_createadmin_generates_a_password_without_a_terminal_and_refuses_an_existing_name(monkeypatch):
    monkeypatch.delenv("DJANGO_SUPERUSER_PASSWORD", raising=False)
    out = io.StringIO()
    call_command("createadmin", "chief", "--no-input", stdout=out)
    password = re.search(r"Password \(shown once; change it after signing in\): (\S+)", out.getvalue()).group(1)
    assert get_user_model().objects.get(username="chief").check_password(password)

    with pytest.raises(CommandError, match="exists already.*reset_second_factor chief"):
        call_command("createadmin", "chief", "--no-input", stdout=io.StringIO())


def test_createadmin_refuses_a_weak_password_and_creates_nothing(monkeypatch):
    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", "short")
    with pytest.raises(CommandError, match="The password is refused"):
        call_command("createadmin", "chief", stdout=io.StringIO())
    assert not get_user_model().objects.filter(username="chief").exists()
    assert not TOTPDevice.objects.exists()


def test_reset_second_factor_command(enrolled):
    user, device, _ = enrolled
    with pytest.raises(CommandError, match="No account is named 'nobody'"):
        call_command("reset_second_factor", "nobody", stdout=io.StringIO())

    out = io.StringIO()
    call_command("reset_second_factor", "editor", stdout=out)
    assert f"within {ENROL_HOURS} hours" in out.getvalue()
    assert not TOTPDevice.objects.filter(pk=device.pk).exists()
    assert TOTPDevice.objects.filter(user=user, confirmed=False).exists()

    out = io.StringIO()
    call_command("reset_second_factor", "editor", "--enrol-here", stdout=out)
    new = TOTPDevice.objects.get(user=user, confirmed=True)
    assert new.config_url in out.getvalue()
    client = Client()
    sign_in_with_password(client)
    assert give_code(client, code_of(new)).status_code == 302


def test_codes_from_the_next_step_are_accepted_for_a_slow_clock(enrolled):
    """A phone a little ahead of the server still signs in (django-otp's tolerance of one step)."""
    _, device, _ = enrolled
    client = Client()
    sign_in_with_password(client)
    assert give_code(client, code_of(device, steps_ahead=1)).status_code == 302


def test_the_qr_code_svg_escapes_what_an_account_or_the_issuer_is_named(settings):
    """qr_svg is marked safe: the account's name and the issuer reach it only inside the QR code's URL."""
    settings.OTP_TOTP_ISSUER = '<img src=x onerror="alert(1)">'
    user = make_user(username="<script>alert(1)</script>")
    device, _ = enrol_now(user)
    svg = str(qr_svg(device))
    assert set(re.findall(r"<(/?[a-z]+)", svg)) <= {"svg", "/svg", "title", "/title", "g", "/g", "path", "/path"}
    assert "<script" not in svg and "<img" not in svg and "onerror" not in svg
