"""Atom feeds of the published timeline, for every country and for one."""

import datetime
from xml.etree import ElementTree

import pytest
from django.urls import reverse

from events.models import Event
from tests.factories import make_event, make_participant, make_person
from tracker.models import Person

pytestmark = pytest.mark.django_db

ATOM = "{http://www.w3.org/2005/Atom}"


def entries(response):
    """The feed's entries, parsed: the response must be well-formed Atom."""
    assert response.status_code == 200
    assert response["Content-Type"] == "application/atom+xml; charset=utf-8"
    feed = ElementTree.fromstring(response.content)
    assert feed.tag == f"{ATOM}feed"
    for required in ("title", "id", "updated"):
        assert feed.find(f"{ATOM}{required}") is not None
    return feed.findall(f"{ATOM}entry")


def entry_text(entry, name):
    return entry.find(f"{ATOM}{name}").text


def test_timeline_feed_is_valid_atom_newest_first(client, belarus):
    items = entries(client.get("/feeds/timeline.atom"))
    expected = Event.objects.published().newest_first()
    assert [entry_text(entry, "title") for entry in items] == [event.title for event in expected]
    first = items[0]
    event = expected[0]
    assert first.find(f"{ATOM}link").get("href") == f"http://testserver{event.get_absolute_url()}"
    assert entry_text(first, "id") == f"urn:uuid:{event.uid}"
    for required in ("published", "updated"):
        assert entry_text(first, required)
    assert [category.get("term") for category in first.findall(f"{ATOM}category")] == [
        "Meeting",
        "Belarus",
        "United States of America",
    ]


def test_feed_summary_gives_the_date_in_its_precision_and_the_participants(client, belarus):
    items = entries(client.get("/feeds/timeline.atom"))
    summaries = {entry_text(entry, "title"): entry_text(entry, "summary") for entry in items}
    release = summaries["Release of 52 detainees, 40 of them political prisoners"]
    assert '<time datetime="2025-09">September 2025</time> · Release' in release
    assert "1 September 2025" not in release and "2025-09-01" not in release
    assert "in exchange for the lifting of US sanctions" in release
    meeting = summaries["US Special Envoy John Coale meets President Alexander Lukashenko"]
    assert "12 December 2025</time> · Meeting · Minsk" in meeting
    assert "With John Coale (US Special Envoy); Alexander Lukashenko (President of Belarus)." in meeting


def test_feed_names_participants_only_as_their_identity_level_allows(client, belarus):
    event = Event.objects.get(kind=Event.Kind.MEETING)
    make_participant(
        event=event,
        person=make_person(name="Hidden Personname", identity_level=Person.IdentityLevel.WITHHELD),
        role="witness",
    )
    make_participant(
        event=event,
        person=make_person(name="Ales Bialiatski", identity_level=Person.IdentityLevel.INITIALS),
        role="witness",
    )
    make_participant(event=event, person=make_person(name="Draft Personname", status="draft"), role="witness")
    content = client.get("/feeds/timeline.atom").content.decode()
    assert "Personname" not in content and "Ales Bialiatski" not in content
    assert "Name withheld (witness)" in content and "A. B. (witness)" in content


def test_feed_escapes_html_in_the_summary(client, db):
    make_event(title="Fish & <chips>", summary="<script>alert(1)</script>")
    [entry] = entries(client.get("/feeds/timeline.atom"))
    assert entry_text(entry, "title") == "Fish & <chips>"
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in entry_text(entry, "summary")


def test_feeds_never_include_drafts(client, belarus):
    make_event(title="DRAFT-MARKER", status="draft")
    make_event(title="RETRACTED-MARKER", status="retracted")
    for url in ("/feeds/timeline.atom", "/feeds/BY.atom"):
        titles = [entry_text(entry, "title") for entry in entries(client.get(url))]
        assert "DRAFT-MARKER" not in titles and "RETRACTED-MARKER" not in titles
        assert len(titles) == Event.objects.published().count()


def test_feed_holds_the_newest_50(client, db):
    for day in range(55):
        make_event(title=f"Event {day}", occurred_on=datetime.date(2025, 1, 1) + datetime.timedelta(days=day))
    titles = [entry_text(entry, "title") for entry in entries(client.get("/feeds/timeline.atom"))]
    assert titles == [f"Event {day}" for day in range(54, 4, -1)]


def test_country_feed_holds_only_that_countrys_events(client, belarus):
    make_event(title="In Lithuania", countries=["LT"])
    titles = [entry_text(entry, "title") for entry in entries(client.get("/feeds/LT.atom"))]
    assert titles == ["In Lithuania"]
    assert "In Lithuania" not in [entry_text(entry, "title") for entry in entries(client.get("/feeds/BY.atom"))]
    feed = ElementTree.fromstring(client.get("/feeds/LT.atom").content)
    assert feed.find(f"{ATOM}title").text == "Political prisoner release tracker: Lithuania"
    assert feed.find(f"{ATOM}link[@rel='alternate']").get("href") == "http://testserver/timeline/?country=LT"


def test_country_feed_accepts_a_lower_case_code(client, belarus):
    assert len(entries(client.get("/feeds/by.atom"))) == 5


def test_country_feed_of_a_known_country_without_events_is_empty(client, belarus):
    assert entries(client.get("/feeds/FR.atom")) == []


@pytest.mark.parametrize("country", ["ZZ", "XX", "BYR", "B", "12", "timeline2"])
def test_unknown_country_feed_is_a_404(client, belarus, country):
    assert client.get(f"/feeds/{country}.atom").status_code == 404


def test_feed_urls_have_names():
    assert reverse("events:feed") == "/feeds/timeline.atom"
    assert reverse("events:country-feed", args=["BY"]) == "/feeds/BY.atom"


@pytest.mark.parametrize("count", [1, 30])
@pytest.mark.parametrize("url", ["/feeds/timeline.atom", "/feeds/BY.atom"])
def test_feed_query_count_is_fixed(client, db, django_assert_num_queries, count, url):
    for day in range(count):
        event = make_event(occurred_on=datetime.date(2025, 1, 1) + datetime.timedelta(days=day))
        make_participant(event=event)
        make_participant(event=event, role="")
    # 1 events, 1 their participants (with person and organisation).
    with django_assert_num_queries(2):
        assert len(entries(client.get(url))) == count
