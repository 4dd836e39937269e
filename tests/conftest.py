import pytest
from django.core.management import call_command
from django.test import Client

from tests.factories import make_event, make_measure, make_person, make_source, make_user
from tracker.roles import CONTRIBUTOR, EDITOR, VIEWER


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
