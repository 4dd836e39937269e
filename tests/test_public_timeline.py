"""The public timeline and the event page."""

import datetime

import pytest

from events.models import Event, Participant
from tests.factories import make_citation, make_detention, make_event, make_person, make_released_detention
from tracker.models import Organization, Person

pytestmark = pytest.mark.django_db


def titles(response):
    return [event.title for _, events in response.context["groups"] for event in events]


def add_event(title, on, **kwargs):
    kwargs.setdefault("kind", Event.Kind.STATEMENT)
    kwargs.setdefault("countries", ["BY"])
    event = make_event(title=title, occurred_on=on, **kwargs)
    make_citation(event=event)
    return event


def test_timeline_lists_published_events_newest_first_grouped_by_month(client, belarus):
    response = client.get("/timeline/")
    assert response.status_code == 200
    assert titles(response)[0] == "US Special Envoy John Coale meets President Alexander Lukashenko"
    labels = [label for label, _ in response.context["groups"]]
    assert labels == ["December 2025", "September 2025"]
    html = response.content.decode()
    assert '<h2 id="group-1">December 2025</h2>' in html


def test_timeline_oldest_first_on_request(client, belarus):
    response = client.get("/timeline/?order=oldest")
    assert titles(response)[0] == "US Special Envoy John Coale visits Belarus"


def test_timeline_groups_year_precise_events_under_the_year(client, db):
    add_event("Known only to the year", datetime.date(2024, 1, 1), occurred_on_precision="year")
    response = client.get("/timeline/")
    assert response.context["groups"][0][0] == "2024"
    assert '<time datetime="2024">2024</time>' in response.content.decode()


def test_timeline_hides_drafts_and_retractions(client, belarus):
    add_event("DRAFT-MARKER", datetime.date(2025, 10, 1), status="draft")
    add_event("RETRACTED-MARKER", datetime.date(2025, 10, 1), status="retracted")
    html = client.get("/timeline/").content.decode()
    assert "DRAFT-MARKER" not in html and "RETRACTED-MARKER" not in html


@pytest.mark.parametrize(
    "query, expected",
    [
        ("kind=release", ["Release of 52 detainees, 40 of them political prisoners"]),
        ("kind=sanctions_change", ["United States lifts sanctions on Belavia"]),
        (
            "start=2025-12-01&end=2025-12-31",
            [
                "US Special Envoy John Coale meets President Alexander Lukashenko",
                "Opposition urges the US to balance incentives with pressure",
            ],
        ),
        ("q=lifts Belavia", ["United States lifts sanctions on Belavia"]),
        ("country=BY&kind=meeting", ["US Special Envoy John Coale meets President Alexander Lukashenko"]),
    ],
)
def test_timeline_filters(client, belarus, query, expected):
    assert titles(client.get(f"/timeline/?{query}")) == expected


def test_timeline_filters_by_participant(client, belarus):
    lukashenko = Person.objects.get(name="Alexander Lukashenko")
    assert titles(client.get(f"/timeline/?person={lukashenko.uid}")) == [
        "US Special Envoy John Coale meets President Alexander Lukashenko"
    ]
    belavia = Organization.objects.get(name="Belavia")
    assert titles(client.get(f"/timeline/?organization={belavia.uid}")) == ["United States lifts sanctions on Belavia"]


def test_timeline_cannot_be_filtered_by_a_withheld_participant(client, belarus):
    meeting = Event.objects.get(kind=Event.Kind.MEETING)
    hidden = make_person(name="Hidden Witness", identity_level="withheld")
    Participant.objects.create(event=meeting, person=hidden, role="witness")
    response = client.get(f"/timeline/?person={hidden.uid}")
    assert response.status_code == 400
    assert "Hidden Witness" not in response.content.decode()
    assert titles(response) == []


@pytest.mark.parametrize(
    "query, message",
    [
        ("start=2025-13-01", "Enter a valid date."),
        ("kind=party", "Select a valid choice."),
        ("start=2025-12-31&end=2025-01-01", "“From” is after “To”: swap the dates."),
        ("person=not-a-uuid", "Select a valid choice."),
        ("country=ZZ", "Select a valid choice."),
    ],
)
def test_timeline_explains_bad_filters_with_a_400(client, belarus, query, message):
    response = client.get(f"/timeline/?{query}")
    assert response.status_code == 400
    html = response.content.decode()
    assert message.replace("“", "&ldquo;").replace("”", "&rdquo;") in html or message in html


@pytest.mark.parametrize("page", ["99", "0", "-1", "abc", "9" * 30])
def test_timeline_bad_page_is_a_404(client, belarus, page):
    assert client.get(f"/timeline/?page={page}").status_code == 404


def test_timeline_paginates_and_keeps_filters_in_page_links(client, db):
    for day in range(30):
        add_event(f"Statement {day}", datetime.date(2025, 1, 1) + datetime.timedelta(days=day))
    first = client.get("/timeline/?kind=statement")
    assert len(titles(first)) == 25
    assert 'href="?kind=statement&amp;page=2"' in first.content.decode()
    second = client.get("/timeline/?kind=statement&page=2")
    assert len(titles(second)) == 5


def test_timeline_empty_state(client, db):
    html = client.get("/timeline/?kind=trial").content.decode()
    assert "No published event matches these filters." in html


@pytest.mark.parametrize("count", [1, 30])
def test_timeline_query_count_is_fixed(client, db, django_assert_num_queries, count):
    for day in range(count):
        add_event(f"Statement {day}", datetime.date(2025, 1, 1) + datetime.timedelta(days=day))
    # The data version (1); the filter's choices, read in the view: people and
    # organisations in one query, countries in another (an index walk, 2); then
    # the count (paginator, 1), the events of the page (1), 3 prefetches
    # (participants, citations, figures) and the links both ways in one query
    # (attach_links).
    with django_assert_num_queries(9):
        response = client.get("/timeline/")
    assert response.status_code == 200
    # Again, the data unchanged: the data version, then the page as it was rendered.
    with django_assert_num_queries(1):
        assert client.get("/timeline/").content == response.content


def test_event_page_shows_counts_links_and_sources(client, belarus):
    release = Event.objects.get(kind=Event.Kind.RELEASE)
    html = client.get(release.get_absolute_url()).content.decode()
    assert "<h1>Release of 52 detainees, 40 of them political prisoners</h1>" in html
    assert "<strong>52</strong> people released" in html
    assert "<strong>40</strong> political prisoners among those released" in html
    assert '<span class="link-kind">In exchange for:</span>' in html
    assert "United States lifts sanctions on Belavia</a>" in html
    assert '<ul class="release-details">\n      <li>Exchange</li>\n    </ul>' in html
    assert "U.S. Envoy Meets Belarus President to Discuss Political Prisoner Release</a>" in html


def test_event_page_names_released_people_only_as_allowed(client, belarus):
    release = Event.objects.get(kind=Event.Kind.RELEASE)
    named = make_person(name="Ales Named", identity_level="full")
    shy = make_person(name="Iryna Shy", identity_level="initials")
    hidden = make_person(name="Hidden Prisoner", identity_level="withheld")
    for person in (named, shy, hidden):
        make_released_detention(release=release, detention=make_detention(person=person, custody_status="released"))
    html = client.get(release.get_absolute_url()).content.decode()
    assert f'<a href="{named.get_absolute_url()}">Ales Named</a>' in html
    assert "I. S.</a>" in html and "Iryna Shy" not in html
    assert "Hidden Prisoner" not in html and str(hidden.uid) not in html
    assert "And 1 person whose name is withheld" in html


def test_unpublished_or_unknown_event_is_a_404(client, belarus):
    draft = add_event("Draft", datetime.date(2025, 10, 1), status="draft")
    assert client.get(draft.get_absolute_url()).status_code == 404
    assert client.get("/events/00000000-0000-4000-8000-000000000000/").status_code == 404
    assert client.get("/events/not-a-uuid/").status_code == 404


@pytest.mark.parametrize("extra", [0, 30])
def test_event_page_query_count_is_fixed(client, belarus, django_assert_num_queries, extra):
    release = Event.objects.get(kind=Event.Kind.RELEASE)
    for number in range(extra):
        make_released_detention(
            release=release,
            detention=make_detention(person=make_person(name=f"Person {number}"), custody_status="released"),
        )
    # 1 data version, 1 event, 3 prefetches, 1 links both ways, 1 released detentions with people, 1 release details.
    with django_assert_num_queries(8):
        response = client.get(release.get_absolute_url())
    assert response.status_code == 200
