"""The home page: the seed's headline figures in words, with sources, and the events in date order."""

import datetime
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from events.models import Event, Figure, Measure, Participant
from tracker.models import Person, Source

pytestmark = pytest.mark.django_db


def event_html(html, event):
    """The part of the page that shows one event."""
    start = html.index(f'id="event-{event.uid}"')
    end = html.find('<li class="event ', start)
    return html[start : end if end != -1 else len(html)]


def add_event(title, on, **kwargs):
    kwargs.setdefault("kind", Event.Kind.STATEMENT)
    kwargs.setdefault("status", "published")
    kwargs.setdefault("countries", ["BY"])
    return Event.objects.create(title=title, occurred_on=on, **kwargs)


def test_home_shows_the_five_numbers_in_words(client, belarus):
    html = client.get("/").content.decode()
    assert "about 1,200</strong> political prisoners held" in html
    assert "over 430</strong> prisoners released since July 2024" in html
    assert "167</strong> new political prisoners identified since September 2025" in html
    assert "52</strong> people released" in html
    assert "40</strong> political prisoners among those released" in html


def test_home_shows_source_and_as_of_date_of_each_headline(client, belarus):
    html = client.get("/").content.decode()
    assert len(re.findall(r"of 12 December 2025 \([^)]+\)\. Source:", html)) == 3
    assert "U.S. Envoy Meets Belarus President to Discuss Political Prisoner Release</a>, Agentic Tribune" in html
    assert "According to Viasna" in html


def test_home_keeps_imprecise_dates_imprecise(client, belarus):
    html = client.get("/").content.decode()
    assert '<time datetime="2025-09">September 2025</time>' in html
    assert '<time datetime="2025-12-12">12 December 2025</time>' in html
    assert "1 September 2025" not in html and "2025-09-01" not in html


def test_home_lists_the_latest_events_newest_first(client, belarus):
    html = client.get("/").content.decode()
    uids = Event.objects.order_by("-occurred_on", "-pk").values_list("uid", flat=True)
    positions = [html.index(f'id="event-{uid}"') for uid in uids]
    assert positions == sorted(positions)
    assert '<span class="link-kind">In exchange for:</span> <a href="/events/' in html
    assert "United States lifts sanctions on Belavia</a> (September 2025)" in html


def test_home_shows_links_from_both_ends(client, belarus):
    html = client.get("/").content.decode()
    release = Event.objects.get(kind=Event.Kind.RELEASE)
    link = f'<a href="{release.get_absolute_url()}">Release of 52 detainees, 40 of them political prisoners</a>'
    assert f'<span class="link-kind">Given in exchange for:</span> {link}' in html
    assert f'<span class="link-kind">Includes:</span> {link}' in html
    assert '<span class="link-kind">Followed by:</span> <a href="/events/' in html


def test_home_shows_what_each_headline_counts(client, belarus):
    html = client.get("/").content.decode()
    definition = Measure.objects.get(slug="prisoners-released-since").definition
    assert definition in html


def test_home_cites_one_source_once_with_all_its_quotes(client, belarus):
    html = client.get("/").content.decode()
    meeting_html = event_html(html, Event.objects.get(kind=Event.Kind.MEETING))
    assert "Sources (1)" in meeting_html
    assert meeting_html.count("U.S. Envoy Meets Belarus President to Discuss Political Prisoner Release</a>") == 1
    assert meeting_html.count('<blockquote class="quote">') == 2
    assert "He stated, &quot;We have many questions." in meeting_html


def test_home_hides_drafts(client, belarus):
    add_event("DRAFT-EVENT-MARKER", datetime.date(2025, 10, 1), status="draft")
    add_event("RETRACTED-EVENT-MARKER", datetime.date(2025, 10, 2), status="retracted")
    Figure.objects.create(
        measure=Measure.objects.get(slug="political-prisoners-held"),
        value=9876,
        as_of_on=datetime.date(2025, 12, 20),
        country="BY",
        source=Source.objects.get(),
        rank="preferred",
        status="draft",
    )
    html = client.get("/").content.decode()
    assert "DRAFT-EVENT-MARKER" not in html
    assert "RETRACTED-EVENT-MARKER" not in html
    assert "9,876" not in html


def test_home_names_participants_only_as_their_identity_level_allows(client, belarus):
    event = Event.objects.get(kind=Event.Kind.MEETING)
    hidden = Person.objects.create(
        name="Hidden Personname", identity_level="withheld", birth_year=1980, status="published"
    )
    shy = Person.objects.create(name="Ales Bialiatski", identity_level="initials", status="published")
    Participant.objects.create(event=event, person=hidden, role="witness")
    Participant.objects.create(event=event, person=shy, role="witness")
    html = client.get("/").content.decode()
    assert "Hidden Personname" not in html and "Personname" not in html
    assert "Name withheld (witness)" in html
    assert "Ales Bialiatski" not in html
    assert "A. B. (witness)" in html


def test_home_headline_prefers_the_preferred_figure_and_lists_the_others(client, belarus):
    held = Measure.objects.get(slug="political-prisoners-held")
    other_source = Source.objects.create(title="Another count", status="published")
    Figure.objects.create(
        measure=held,
        value=1100,
        qualifier="more_than",
        as_of_on=datetime.date(2026, 3, 19),
        country="BY",
        source=other_source,
        status="published",
    )
    Figure.objects.create(
        measure=held,
        value=5,
        as_of_on=datetime.date(2026, 3, 20),
        country="BY",
        source=other_source,
        status="published",
        rank="deprecated",
        deprecation_reason="Typo in the source.",
    )
    html = client.get("/").content.decode()
    assert "about 1,200</strong> political prisoners held" in html
    assert "1 other report of this number" in html
    assert "<strong>over 1,100</strong> as of 19 March 2026" in html
    assert "<strong>5</strong>" not in html


def test_home_without_data_says_so(client, db):
    html = client.get("/").content.decode()
    assert "No figures have been published for Belarus yet." in html
    assert "No events have been published for Belarus yet." in html


@pytest.mark.parametrize("extra_events", [0, 50])
def test_home_query_count_does_not_grow_with_events(client, belarus, django_assert_num_queries, extra_events):
    for day in range(extra_events):
        event = add_event(f"Event {day}", datetime.date(2024, 1, 1) + datetime.timedelta(days=day))
        Participant.objects.create(event=event, person=Person.objects.get(name="John Coale"), role="envoy")
    # 1 data version, 1 countries with events (kept till the data change), 1 reports ranked as short
    # rows (those shown, and the held measure's for the chart), 1 those shown (with measure, source,
    # publisher, attribution), 1 registry counts (one aggregate), 1 latest events, then one prefetch
    # each: participants, citations, event figures, and the links both ways in one query (attach_links);
    # 1 the people named in full whom the headlines' quotes name (their links).
    with django_assert_num_queries(11):
        response = client.get("/")
    assert response.status_code == 200


def test_home_of_a_country_no_event_concerns_does_not_look_for_its_events(client, belarus):
    add_event("Only in Belarus", datetime.date(2025, 3, 1))
    add_event("A draft in Lithuania", datetime.date(2025, 3, 2), countries=["LT"], status="draft")
    with CaptureQueriesContext(connection) as captured:
        html = client.get("/?country=LT").content.decode()
    assert "No events have been published for Lithuania yet." in html
    assert "A draft in Lithuania" not in html
    # The countries of published events say Lithuania has none: no search of the events for "LT".
    assert not [query["sql"] for query in captured if "LIKE" in query["sql"] and "events_event" in query["sql"]]
    html = client.get("/?country=BY").content.decode()
    assert "Only in Belarus" in html
