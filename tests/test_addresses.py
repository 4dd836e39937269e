"""uid_address() gives what reverse() gives, under any script prefix, and for what it cannot fill in."""

import uuid

import pytest
from django.test import override_settings
from django.urls import NoReverseMatch, include, path, reverse, set_script_prefix

from tracker.addresses import uid_address


@pytest.fixture
def prefix():
    yield set_script_prefix
    set_script_prefix("/")


@pytest.mark.parametrize("name", ["events:event", "events:person"])
@pytest.mark.parametrize("script_prefix", ["/", "/tracker/", "/a b/"])
def test_the_address_is_reverses(name, script_prefix, prefix):
    prefix(script_prefix)
    for uid in (uuid.uuid4(), uuid.UUID(int=0), uuid.UUID(int=2**128 - 1)):
        assert uid_address(name, uid) == reverse(name, args=[uid])


def test_what_is_not_a_uuid_goes_to_reverse():
    uid = uuid.uuid4()
    assert uid_address("events:event", str(uid)) == reverse("events:event", args=[uid])
    with pytest.raises(NoReverseMatch):
        uid_address("events:event", "not-a-uuid")


# A URLconf of its own, for the test below: the public pages under /v2/.
urlpatterns = [path("v2/", include("events.urls"))]


def test_a_changed_urlconf_changes_the_address():
    uid = uuid.uuid4()
    assert uid_address("events:event", uid) == f"/events/{uid}/"
    with override_settings(ROOT_URLCONF=__name__):
        assert uid_address("events:event", uid) == reverse("events:event", args=[uid]) == f"/v2/events/{uid}/"
