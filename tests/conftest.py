import pytest
from django.core.management import call_command

from tests.factories import make_event, make_measure, make_person, make_source


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
