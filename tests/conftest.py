import os
from pathlib import Path

import pytest
from django.core.management import call_command
from django.test import Client

from tests.factories import make_event, make_measure, make_person, make_source, make_user
from tracker.roles import CONTRIBUTOR, EDITOR, VIEWER


@pytest.fixture(scope="session", autouse=True)
def cache_of_this_run(tmp_path_factory):
    """This test run's file cache in a directory of its own, not the checkout's var/cache.

    Every process of the checkout shares var/cache: another test run at the
    same time (a second terminal, the other database's run) emptied it in the
    middle of this run's tests (empty_cache below), so a page cached a moment
    before was computed again, and a pinned query count or a "one page
    cached" assertion failed now and then (tests/test_caching.py).
    """
    from django.conf import settings
    from django.test.utils import override_settings

    default = settings.CACHES["default"]
    if not default["BACKEND"].endswith(("FileBasedCache", "FileCache")):
        yield  # CACHE_DIR=memory: each process has its own already
        return
    own = {**default, "LOCATION": str(tmp_path_factory.mktemp("cache"))}
    with override_settings(CACHES={**settings.CACHES, "default": own}):
        yield


@pytest.fixture(autouse=True)
def empty_cache():
    """Each test starts with nothing cached.

    A test's rollback also rolls back the data version, so a value cached by
    one test could be read back by the next one at the same version number.
    """
    from django.core.cache import cache

    from tracker.caching import forget_remembered
    from tracker.publishing import DataVersion

    cache.clear()
    forget_remembered()
    # Nor with the versions the last test read (a request reads them afresh; a test calling cached() does not).
    DataVersion.last_read.set(None)
    yield
    cache.clear()
    forget_remembered()
    DataVersion.last_read.set(None)


@pytest.fixture(autouse=True)
def dataset_dir(settings, tmp_path_factory):
    """Each test's served data package in a directory of its own (made only if the test builds one).

    The package is kept under the data version, which each test's rollback reuses, as for the cache above.
    """
    settings.DATASET_DIR = tmp_path_factory.getbasetemp() / f"dataset-{os.urandom(6).hex()}"


@pytest.fixture
def source(db):
    return make_source(title="U.S. Envoy Meets Belarus President to Discuss Political Prisoner Release")


@pytest.fixture
def person(db):
    return make_person(name="Sviatlana Tsikhanouskaya")


@pytest.fixture
def event(db):
    return make_event(title="US Special Envoy meets President Lukashenko", location="Minsk")


@pytest.fixture
def stock_measure(db):
    return make_measure(slug="political-prisoners-held", name="political prisoners held")


@pytest.fixture
def belarus(db):
    """The seed of DOMAIN.md, loaded as `make seed` loads it."""
    call_command("loaddata", "belarus", verbosity=0)


@pytest.fixture(autouse=True)
def fast_password_hasher(settings):
    # admin_client creates a superuser per test; the production hasher is
    # deliberately slow and would make the admin tests take most of a minute.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def force_login_gives_the_second_factor(monkeypatch):
    """force_login() skips the password; for staff it skips the second factor too.

    The admin asks every staff session for a code (accounts/second_factor.py);
    tests/test_second_factor.py signs in the real way, password then code.
    """
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    signed_in = Client.force_login

    def force_login(client, user, backend=None):
        signed_in(client, user, backend)
        if user.is_staff:
            device, _ = TOTPDevice.objects.get_or_create(user=user, confirmed=True, defaults={"name": "Test app"})
            session = client.session
            session[DEVICE_ID_SESSION_KEY] = device.persistent_id
            session.save()

    monkeypatch.setattr(Client, "force_login", force_login)


@pytest.fixture
def login(db):
    """A new browser session logged in as `user`: login(editor), or two for two editors."""

    def log_in(user):
        browser = Client()
        if user is not None:
            browser.force_login(user)
        return browser

    return log_in


@pytest.fixture
def viewer(db):
    return make_user(VIEWER)


@pytest.fixture
def contributor(db):
    return make_user(CONTRIBUTOR)


@pytest.fixture
def editor(db):
    return make_user(EDITOR)


# --- Browser tests --------------------------------------------------------------

CHROMIUM = "/usr/bin/chromium"
# Flags that keep Chromium off the network: this machine has none, and
# Chromium's background services would otherwise fail and retry.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SCREENSHOTS = Path(__file__).resolve().parent.parent / "screenshots"


@pytest.fixture(scope="session")
def chromium():
    if not Path(CHROMIUM).exists():
        if os.environ.get("REQUIRE_BROWSER"):
            pytest.fail(f"{CHROMIUM} is missing; .ci/run installs it with apt-get install chromium")
        pytest.skip(f"{CHROMIUM} is missing (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in this thread; Django refuses
    # database access next to a running loop unless told it is safe here.
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def live_belarus(transactional_db):
    call_command("loaddata", "belarus", verbosity=0)


@pytest.fixture(params=[(1280, 900), (390, 844)], ids=["desktop", "phone"])
def page(request, chromium, live_server):
    """A browser page at desktop or phone size; a screenshot is kept of where each test ends."""
    width, height = request.param
    context = chromium.new_context(viewport={"width": width, "height": height})
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.base = live_server.url
    page.errors = errors
    yield page
    SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{request.node.name}.png"), full_page=True)
    context.close()
