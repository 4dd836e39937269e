"""Issue #15's wording slips: sentences that agree with their numbers, a source listed once, one name for each thing."""

import csv
import io

import pytest

from events.models import EventLink
from tests.factories import (
    make_citation,
    make_detention,
    make_event,
    make_link,
    make_person,
    make_released_detention,
    make_source,
)
from tracker.models import Person

pytestmark = pytest.mark.django_db


def page(client, url):
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


@pytest.mark.parametrize(
    ("events", "query", "sentence"),
    [
        (1, "?kind=statement", "1 event matches these filters."),
        (2, "?kind=statement", "2 events match these filters."),
        (1, "", "1 event."),
        (2, "", "2 events."),
    ],
)
def test_the_timeline_count_agrees_with_its_number(client, events, query, sentence):
    for _ in range(events):
        make_citation(event=make_event(kind="statement"))
    html = page(client, f"/timeline/{query}")
    assert f'<p class="result-count">{sentence}</p>' in html


def test_the_timeline_count_groups_thousands(client, settings):
    from events.models import Event

    source = make_source()
    events = Event.objects.bulk_create(
        Event(kind="statement", title=f"Statement {n}", occurred_on="2025-01-01", countries=["BY"], status="published")
        for n in range(1001)
    )
    from events.models import Citation

    Citation.objects.bulk_create(Citation(event=event, source=source) for event in events)
    assert "1,001 events." in page(client, "/timeline/")


@pytest.mark.parametrize(
    ("withheld", "sentence"),
    [
        (1, "And 1 person whose name is withheld at their or their family’s request."),
        (2, "And 2 people whose names are withheld at their or their family’s request."),
    ],
)
def test_the_release_page_counts_withheld_people_in_a_sentence_that_agrees(client, withheld, sentence):
    release = make_released_detention().release
    for _ in range(withheld):
        person = make_person(identity_level=Person.IdentityLevel.WITHHELD)
        make_released_detention(
            release=release,
            detention=make_detention(person=person, custody_status="released", released_on="2025-09-11"),
        )
    make_citation(event=release)
    assert sentence in page(client, release.get_absolute_url())


def test_a_source_cited_twice_is_listed_once_with_both_quotes(client):
    event = make_event()
    twice, between = make_source(title="The source cited twice"), make_source(title="Another source")
    make_citation(event=event, source=twice, quote="The first sentence relied on.")
    make_citation(event=event, source=between, quote="A sentence of the other source.")
    make_citation(event=event, source=twice, quote="The second sentence relied on.")
    html = page(client, event.get_absolute_url())
    sources = html.split('<h2 id="sources-title">Sources</h2>')[1].split("</section>")[0]
    assert sources.count("The source cited twice") == 1
    assert sources.count("Another source") == 1
    first, second = sources.index("The first sentence relied on."), sources.index("The second sentence relied on.")
    assert sources.index("The source cited twice") < first < second < sources.index("Another source")
    # The timeline's card lists it once too, with "Sources (2)".
    timeline = page(client, "/timeline/")
    assert timeline.count("The source cited twice") == 1
    assert "<summary>Sources (2)</summary>" in timeline


def test_the_ledger_column_says_recorded_not_named(client):
    release = make_released_detention().release
    make_released_detention(
        release=release,
        detention=make_detention(
            person=make_person(identity_level=Person.IdentityLevel.WITHHELD),
            custody_status="released",
            released_on="2025-09-11",
        ),
    )
    make_citation(event=release)
    html = page(client, "/releases/")
    assert "Named in this database" not in html
    assert '<th scope="col" role="columnheader">Recorded in this database</th>' in html
    assert "named or not" not in html
    # Both people are counted, the withheld one too; the footnote says some are not named.
    assert 'data-label="Recorded in this database" class="number"><a ' in html
    assert ">2</a></td>" in html
    assert "some not named at all" in html


def test_timeline_csv_reads_an_exchange_from_the_other_end_as_the_page_does(client):
    release = make_event(kind="release", title="Release of 52 detainees")
    sanctions = make_event(kind="sanctions_change", title="Belavia sanctions lifted")
    make_link(from_event=release, to_event=sanctions, kind=EventLink.Kind.IN_EXCHANGE_FOR)
    for event in (release, sanctions):
        make_citation(event=event)
    response = client.get("/timeline.csv")
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = {row["title"]: row for row in csv.DictReader(io.StringIO(body))}
    assert rows["Release of 52 detainees"]["related_events"] == "in exchange for: Belavia sanctions lifted"
    assert rows["Belavia sanctions lifted"]["related_events"] == "given in exchange for: Release of 52 detainees"
    # As the event page says it.
    assert "Given in exchange for:" in page(client, sanctions.get_absolute_url())


@pytest.mark.parametrize(
    ("custody_status", "release_mode", "shown"),
    [
        ("released", "", "<dt>Released</dt><dd>Date not recorded.</dd>"),
        ("pardoned", "pardon", "<dt>Released</dt><dd>Pardon. Date not recorded.</dd>"),
        ("deported", "", "<dt>Released</dt><dd>Date not recorded.</dd>"),
        ("served_sentence", "end_of_sentence", "<dt>Released</dt><dd>End of sentence. Date not recorded.</dd>"),
    ],
)
def test_a_person_freed_with_no_date_recorded_says_so(client, custody_status, release_mode, shown):
    person = make_person(name="Ales Freed")
    make_detention(person=person, custody_status=custody_status, release_mode=release_mode)
    assert shown in page(client, person.get_absolute_url())
    registry = page(client, "/prisoners/")
    assert '<td data-label="Released">Date not recorded</td>' in registry


def test_a_person_still_held_has_no_release_line(client):
    person = make_person(name="Ales Held")
    make_detention(person=person, custody_status="held")
    assert "<dt>Released</dt>" not in page(client, person.get_absolute_url())
    assert '<td data-label="Released">—</td>' in page(client, "/prisoners/")
