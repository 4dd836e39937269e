"""Pages as light as what they show (issue #14): no filter ships every value, no page grows with the data.

The registry's release filter lists the newest releases only and still
accepts any published one; the home page and the measure pages show a
bounded summary and link to the whole list.
"""

import re

import pytest

from events.filters import RECENT_RELEASES
from events.models import Event
from tests.factories import make_event, make_many, make_release
from tracker.models import Person
from tracker.publishing import Status

pytestmark = pytest.mark.django_db


def options(html, name):
    """The (value, label, selected) of each option of the <select> named `name`."""
    select = re.search(rf'<select[^>]*name="{name}"[^>]*>(.*?)</select>', html, re.DOTALL).group(1)
    return re.findall(r'<option value="([^"]*)"( selected)?>([^<]*)</option>', select)


def releases_newest_first():
    return list(Event.objects.filter(kind=Event.Kind.RELEASE).order_by("-occurred_on"))


@pytest.fixture
def many_releases(db):
    make_many(300)
    return releases_newest_first()


def test_registry_lists_only_the_newest_releases(client, many_releases):
    html = client.get("/prisoners/").content.decode()
    listed = [value for value, _, _ in options(html, "release")]
    assert listed == ["", *(str(release.uid) for release in many_releases[:RECENT_RELEASES])]
    assert str(many_releases[-1].uid) not in html
    # A link leads to the others: the list of releases, where each links to its people.
    assert '<p class="filter-more"><a href="/releases/">' in html


def test_registry_page_weight_does_not_grow_with_the_releases(client, many_releases):
    fewer = client.get("/prisoners/?status=held").content
    Event.objects.filter(pk__in=[release.pk for release in many_releases[RECENT_RELEASES:]]).update(status=Status.DRAFT)
    # 30 releases instead of 300: the page is the same size, give or take the counts.
    assert abs(len(client.get("/prisoners/?status=held").content) - len(fewer)) < 200


def test_an_older_release_is_still_a_filter_and_shows_chosen(client, many_releases):
    oldest = many_releases[-1]
    response = client.get(f"/prisoners/?release={oldest.uid}")
    html = response.content.decode()
    assert response.status_code == 200
    freed = Person.objects.get(detentions__released_detentions__release=oldest)
    assert f">{freed.name}</a>" in html
    chosen = [value for value, selected, _ in options(html, "release") if selected]
    assert chosen == [str(oldest.uid)]
    assert len(options(html, "release")) == RECENT_RELEASES + 2  # the empty choice, the newest, the one asked for


def test_an_older_release_written_in_capitals_is_the_same_filter(client, many_releases):
    oldest = many_releases[-1]
    response = client.get(f"/prisoners/?release={str(oldest.uid).upper()}")
    assert response.status_code == 200
    assert [value for value, selected, _ in options(response.content.decode(), "release") if selected] == [
        str(oldest.uid)
    ]


@pytest.mark.parametrize("kind", ["draft release", "meeting", "unknown", "not a uuid"])
def test_a_release_the_public_cannot_see_is_refused_with_the_reason(client, many_releases, kind):
    if kind == "draft release":
        value = str(make_release(event=make_event(kind=Event.Kind.RELEASE, status=Status.DRAFT)).event.uid)
    elif kind == "meeting":
        value = str(make_event(kind=Event.Kind.MEETING).uid)
    elif kind == "unknown":
        value = "00000000-0000-4000-8000-000000000000"
    else:
        value = "release-of-52"
    response = client.get("/prisoners/", {"release": value})
    html = response.content.decode()
    assert response.status_code == 400
    assert "No published release has this identifier" in html
    assert not [option for option in options(html, "release") if option[1]]


def test_each_release_of_the_ledger_links_to_its_people_in_the_registry(client, many_releases):
    html = client.get("/releases/").content.decode()
    for release in many_releases[:25]:
        assert f'href="/prisoners/?release={release.uid}"' in html


def test_a_release_page_links_to_its_people_in_the_registry(client, many_releases):
    release = many_releases[-1]
    html = client.get(release.get_absolute_url()).content.decode()
    assert f'href="/prisoners/?release={release.uid}"' in html
