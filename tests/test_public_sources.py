"""The sources page (/sources/): each published source, what it backs, its filters and its query count."""

import datetime
import re

import pytest

from events.models import Event, Figure
from tests.factories import (
    make_citation,
    make_detention,
    make_event,
    make_figure,
    make_measure,
    make_organization,
    make_person,
    make_source,
)
from tracker.models import DetentionSource, Source
from tracker.publishing import Status

pytestmark = pytest.mark.django_db

SHA = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"

# /sources/: the data version (1), the publisher choices (1), the paginator's
# count (1), the page of sources with their publishers and detention counts (1),
# their published citations with the events (1), their published figures with
# measures and events (1).
SOURCES_QUERIES = 6


def make_detention_source(**kwargs):
    if "detention" not in kwargs:
        kwargs["detention"] = make_detention()
    if "source" not in kwargs:
        kwargs["source"] = make_source()
    return DetentionSource.objects.create(**kwargs)


def titles(client, query=""):
    response = client.get(f"/sources/{query}")
    assert response.status_code == 200, response.content.decode()[:2000]
    return re.findall(r'<h2 id="source-title-[^"]+">(?:<a [^>]+>)?([^<]+)', response.content.decode())


def entry(html, source):
    """The part of the page that shows one source."""
    start = html.index(f'id="source-{source.uid}"')
    end = html.find('<li class="source-entry"', start)
    return html[start : end if end != -1 else len(html)]


def test_sources_page_shows_the_seed_source_with_its_events_and_figures(client, belarus):
    html = client.get("/sources/").content.decode()
    assert "U.S. Envoy Meets Belarus President to Discuss Political Prisoner Release</a></h2>" in html
    assert "<dt>Publisher</dt><dd>Agentic Tribune</dd>" in html
    assert "<dt>Kind</dt><dd>News report</dd>" in html
    assert '<time datetime="2025-12-12">12 December 2025</time>' in html
    assert "US Special Envoy John Coale meets President Alexander Lukashenko</a>" in html
    assert (
        'Release of 52 detainees, 40 of them political prisoners</a> (<time datetime="2025-09">September 2025</time>)'
        in html
    )
    assert (
        '<strong>about 1,200</strong> <a href="/figures/political-prisoners-held/">political prisoners held</a>' in html
    )
    assert "<strong>over 430</strong>" in html and "since July 2024" in html
    assert "<dt>Detentions documented</dt><dd>1</dd>" in html


def test_source_shows_url_archive_sha_and_dates(client):
    source = make_source(
        title="Viasna monthly report",
        url="https://spring96.example/report",
        archive_url="https://archive.example/spring96",
        archive_sha256=SHA,
        published_on=datetime.date(2025, 11, 30),
        retrieved_on=datetime.date(2025, 12, 2),
        kind=Source.Kind.NGO_REPORT,
        publisher=make_organization(name="Viasna"),
    )
    html = entry(client.get("/sources/").content.decode(), source)
    assert '<a href="https://spring96.example/report" rel="noopener noreferrer">Viasna monthly report</a>' in html
    assert (
        '<a href="https://archive.example/spring96" rel="noopener noreferrer">https://archive.example/spring96</a>'
        in html
    )
    assert f'<code class="sha256">{SHA}</code>' in html
    assert "30 November 2025" in html and "2 December 2025" in html
    assert "<dd>NGO report</dd>" in html and "<dd>Viasna</dd>" in html


def test_source_without_optional_fields(client):
    source = make_source(title="Statement", url="", published_on=None, publisher=None)
    html = entry(client.get("/sources/").content.decode(), source)
    assert f'<h2 id="source-title-{source.uid}">Statement</h2>' in html
    for absent in ["Publisher", "Published", "Retrieved", "Address", "Archived copy", "SHA-256"]:
        assert f"<dt>{absent}</dt>" not in html


def test_sources_page_shows_published_things_only(client):
    make_source(title="Draft source", status=Status.DRAFT)
    make_source(title="Retracted source", status=Status.RETRACTED)
    source = make_source(
        title="Public source", publisher=make_organization(name="Hidden publisher", status=Status.DRAFT)
    )
    make_citation(source=source, event=make_event(title="Published event"))
    make_citation(source=source, event=make_event(title="Draft event", status=Status.DRAFT))
    make_figure(source=source, value=777, measure=make_measure(name="draft figures"), status=Status.DRAFT)
    make_figure(source=source, value=888, measure=make_measure(name="public figures"))

    html = client.get("/sources/").content.decode()

    assert titles(client) == ["Public source"]
    assert "Published event" in html
    for hidden in ["Draft source", "Retracted source", "Hidden publisher", "Draft event", "777", "draft figures"]:
        assert hidden not in html
    assert "<strong>about 888</strong>" in html


def test_an_event_citing_a_source_twice_is_listed_once(client):
    source = make_source()
    event = make_event(title="Meeting in Minsk")
    make_citation(source=source, event=event, quote="First sentence.")
    make_citation(source=source, event=event, quote="Second sentence.")
    assert client.get("/sources/").content.decode().count("Meeting in Minsk</a>") == 1


def test_figures_are_in_words_and_deprecated_ones_say_so(client):
    source = make_source()
    measure = make_measure(name="political prisoners held")
    make_figure(source=source, measure=measure, value=40, qualifier=Figure.Qualifier.RANGE, upper_value=52)
    make_figure(
        source=source,
        measure=measure,
        value=1100,
        qualifier=Figure.Qualifier.MORE_THAN,
        rank=Figure.Rank.DEPRECATED,
        deprecation_reason="Counted twice.",
    )
    html = client.get("/sources/").content.decode()
    assert "<strong>between 40 and 52</strong>" in html
    assert "<strong>over 1,100</strong>" in html and "no longer relied on: Counted twice." in html


def test_detention_count_covers_people_named_in_full_only(client):
    """A count that included people shown by initials or withheld would tie them to the names in the source."""
    source = make_source()
    for level in ["full", "full", "initials", "withheld"]:
        make_detention_source(source=source, detention=make_detention(person=make_person(identity_level=level)))
    make_detention_source(source=source, detention=make_detention(status=Status.DRAFT))
    make_detention_source(source=source, detention=make_detention(person=make_person(status=Status.DRAFT)))
    html = client.get("/sources/").content.decode()
    assert "<dt>Detentions documented</dt><dd>2</dd>" in html


def test_sources_page_never_names_anyone_it_documents(client):
    source = make_source()
    for level, name in [
        ("full", "Ihar Losik"),
        ("initials", "Kseniya Veraskova"),
        ("withheld", "Zyxquor Vempelbrandt"),
    ]:
        make_detention_source(
            source=source,
            detention=make_detention(person=make_person(name=name, identity_level=level), facility=f"{name} colony"),
        )
    html = client.get("/sources/").content.decode()
    for name in ["Losik", "Veraskova", "K. V.", "Zyxquor", "colony"]:
        assert name not in html


@pytest.fixture
def sources(db):
    viasna = make_organization(name="Viasna")
    tribune = make_organization(name="Agentic Tribune", kind="media")
    return {
        "viasna": viasna,
        "tribune": tribune,
        "report": make_source(
            title="Viasna report", kind=Source.Kind.NGO_REPORT, publisher=viasna, published_on=datetime.date(2025, 1, 1)
        ),
        "news": make_source(
            title="Tribune news",
            kind=Source.Kind.NEWS_REPORT,
            publisher=tribune,
            published_on=datetime.date(2025, 3, 1),
        ),
        "post": make_source(
            title="Viasna post", kind=Source.Kind.SOCIAL_MEDIA, publisher=viasna, published_on=datetime.date(2025, 2, 1)
        ),
    }


def test_sources_are_newest_first(client, sources):
    assert titles(client) == ["Tribune news", "Viasna post", "Viasna report"]


def test_filter_by_kind(client, sources):
    assert titles(client, "?kind=ngo_report") == ["Viasna report"]
    assert titles(client, "?kind=social_media_post") == ["Viasna post"]
    assert titles(client, "?kind=court_record") == []


def test_filter_by_publisher(client, sources):
    assert titles(client, f"?publisher={sources['viasna'].uid}") == ["Viasna post", "Viasna report"]
    assert titles(client, f"?publisher={sources['tribune'].uid}&kind=news_report") == ["Tribune news"]
    assert titles(client, f"?publisher={sources['tribune'].uid}&kind=ngo_report") == []


def test_filters_have_labels_and_empty_state(client, sources):
    html = client.get("/sources/?kind=court_record").content.decode()
    assert '<label for="id_kind">Kind</label>' in html and '<label for="id_publisher">Publisher</label>' in html
    assert "No published source matches these filters." in html


def test_empty_sources_page(client):
    assert "No source has been published yet." in client.get("/sources/").content.decode()


@pytest.mark.parametrize(
    "query",
    [
        "?kind=tweet",
        "?publisher=not-a-uuid",
        "?publisher=00000000-0000-4000-8000-000000000000",
    ],
)
def test_bad_filters_are_a_400_page_with_a_message(client, sources, query):
    response = client.get(f"/sources/{query}")
    assert response.status_code == 400
    html = response.content.decode()
    assert "These filters cannot be applied" in html
    assert '<p class="field-error" role="alert">' in html


def test_unpublished_publisher_is_not_a_choice(client, sources):
    hidden = make_organization(name="Hidden publisher", status=Status.DRAFT)
    make_source(publisher=hidden)
    assert client.get(f"/sources/?publisher={hidden.uid}").status_code == 400


def test_sources_paginate_and_bad_page_is_404(client):
    for index in range(30):
        make_source(
            title=f"Report {index:02d}", published_on=datetime.date(2025, 1, 1) + datetime.timedelta(days=index)
        )
    assert len(titles(client)) == 25
    assert len(titles(client, "?page=2")) == 5
    html = client.get("/sources/?kind=news_report").content.decode()
    assert 'href="?kind=news_report&amp;page=2" rel="next"' in html
    for page in ["3", "0", "abc"]:
        assert client.get(f"/sources/?page={page}").status_code == 404


@pytest.mark.parametrize("rows", [1, 30])
@pytest.mark.parametrize("query", ["", "?kind=news_report"])
def test_sources_page_runs_a_fixed_number_of_queries(client, django_assert_num_queries, rows, query):
    measure = make_measure()
    for _ in range(rows):
        source = make_source(publisher=make_organization(), archive_sha256=SHA)
        event = make_event(kind=Event.Kind.RELEASE)
        make_citation(source=source, event=event)
        make_citation(source=source, event=make_event())
        make_figure(source=source, measure=measure, event=event)
        make_figure(source=source, measure=measure)
        make_detention_source(source=source)
    with django_assert_num_queries(SOURCES_QUERIES):
        response = client.get(f"/sources/{query}")
    assert len(titles(client, query)) == min(rows, 25)
    assert response.content.decode().count("<dt>Detentions documented</dt><dd>1</dd>") == min(rows, 25)
