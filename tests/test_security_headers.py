"""Headers every response carries, and the Content Security Policy every HTML page keeps to.

The policy allows no inline script or style, so the pages themselves must
have none: every <script> has a src, there is no <style> element, no style
or on… attribute, no javascript: URL. Checked on the public pages, the API
documentation, error pages and the admin pages an editor works in.
"""

import re

import pytest
from django.contrib.auth import get_user_model

pytestmark = pytest.mark.django_db

POLICY = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; "
    "connect-src 'self'; manifest-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'; "
    "object-src 'none'"
)
INLINE = re.compile(
    r"<script(?![^>]*\bsrc=)[^>]*>|<style\b|\sstyle\s*=|\son[a-z]+\s*=|javascript:",
    re.IGNORECASE,
)
PUBLIC = [
    "/",
    "/timeline/",
    "/prisoners/",
    "/prisoners/?status=held",
    "/releases/",
    "/figures/",
    "/figures/political-prisoners-held/",
    "/sources/",
    "/data/",
    "/api/v1/docs/",
    "/no-such-page/",
    "/prisoners/?status=bogus",
]
ADMIN = [
    "/admin/",
    "/admin/tracker/person/",
    "/admin/tracker/person/add/",
    "/admin/events/event/",
    "/admin/events/event/add/",
    "/admin/events/figure/add/",
    "/admin/tracker/source/",
]


def test_every_response_carries_the_policy_and_the_other_headers(client, belarus):
    for path in [*PUBLIC, "/prisoners.csv", "/api/v1/events/", "/feeds/timeline.atom"]:
        response = client.get(path)
        assert response["Content-Security-Policy"] == POLICY, path
        assert response["X-Frame-Options"] == "DENY", path
        assert response["X-Content-Type-Options"] == "nosniff", path
        assert response["Referrer-Policy"] == "same-origin", path


@pytest.mark.parametrize("path", PUBLIC)
def test_public_pages_have_no_inline_script_or_style(client, belarus, path):
    html = client.get(path).content.decode()
    assert not INLINE.findall(html), path


def test_admin_pages_have_no_inline_script_or_style(client, belarus):
    admin = get_user_model().objects.create_superuser("csp-admin", "csp@example.org", "a long enough password")
    client.force_login(admin)
    for path in ["/admin/login/", *ADMIN]:
        response = client.get(path)
        assert response.status_code in (200, 302), path
        assert response["Content-Security-Policy"] == POLICY, path
        assert not INLINE.findall(response.content.decode()), path


def test_the_second_factor_pages_have_no_inline_script_or_style(client):
    """The enrolment page's QR code is inline SVG drawn on the server: paths and attributes, no style or script."""
    get_user_model().objects.create_user("newcomer", password="a long enough password", is_staff=True)
    client.post("/admin/login/", {"username": "newcomer", "password": "a long enough password", "next": "/admin/"})
    response = client.get("/admin/second-factor/")
    html = response.content.decode()
    assert response.status_code == 200 and 'class="qr-code"' in html
    assert response["Content-Security-Policy"] == POLICY
    assert not INLINE.findall(html)
