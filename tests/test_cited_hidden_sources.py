"""Hole 7, where a source is cited: one rule (tracker.models.listed_source) for every place a source is shown.

A source that documents only people not named in full is not listed on
/sources/; it must not come back through an event that cites it or a figure
it backs, in any output. And a draft (a Contributor's detention citing a
listed source) changes no list (holes 1 and 8).
"""

import pytest
from django.core.cache import cache
from django.core.exceptions import ValidationError

from events.models import Figure
from tests.admin_pages import admin_url, form_data, with_inline_row
from tests.factories import make_citation, make_detention, make_event, make_figure, make_person, make_source
from tracker.models import Detention, DetentionSource, Person, Source
from tracker.publishing import DataVersion, Status

pytestmark = pytest.mark.django_db

MARK = "hiddenov-verdict"


def text(client, path):
    response = client.get(path)
    assert response.status_code == 200, (path, response.status_code)
    return (b"".join(response.streaming_content) if response.streaming else response.content).decode()


def leaks(client, paths):
    return [path for path in paths if MARK in text(client, path)]


@pytest.fixture
def hidden_article(db):
    """A published source that documents only a withheld person's published detention."""
    hidden = make_person(name="Secretus Hiddenov", identity_level="withheld")
    article = make_source(title="Verdict for Hiddenov", url=f"https://court.example/{MARK}")
    DetentionSource.objects.create(detention=make_detention(person=hidden), source=article)
    return article


def event_outputs(event):
    return [
        event.get_absolute_url(),
        "/timeline/",
        "/timeline.csv",
        "/api/v1/events/",
        f"/api/v1/events/{event.uid}/",
        "/timeline.timelinejs.json",
        "/feeds/timeline.atom",
        "/data/package/timeline.csv",
    ]


def figure_outputs(figure):
    return [
        "/figures/",
        figure.measure.get_absolute_url(),
        "/figures.csv",
        "/api/v1/figures/",
        "/data/package/figures.csv",
    ]


def test_an_event_citing_a_hidden_source_shows_no_citation_of_it(client, hidden_article):
    event = make_event(title="Court week")
    make_citation(event=event, source=hidden_article, quote="")
    make_citation(event=event, source=make_source(title="Listed report"))
    assert leaks(client, event_outputs(event)) == []
    assert "Listed report" in text(client, event.get_absolute_url())


def test_a_figure_whose_source_is_hidden_is_not_shown(client, hidden_article):
    figure = make_figure(source=hidden_article, value=3, qualifier=Figure.Qualifier.EXACT)
    make_figure(measure=figure.measure, source=make_source(title="Listed report"))
    assert leaks(client, figure_outputs(figure)) == []
    assert "Listed report" in text(client, figure.measure.get_absolute_url())
    assert figure not in Figure.objects.published()


def test_withdrawn_consent_hides_the_citation_and_the_figure_at_once(client):
    person = make_person(name="Openly Named")
    article = make_source(title="Verdict", url=f"https://court.example/{MARK}")
    DetentionSource.objects.create(detention=make_detention(person=person), source=article)
    event = make_event(title="Court week")
    make_citation(event=event, source=article)
    figure = make_figure(source=article)
    make_figure(measure=figure.measure)  # the measure keeps a page
    assert MARK in text(client, event.get_absolute_url()) and MARK in text(client, "/figures.csv")

    person.identity_level = "withheld"
    person.save()

    assert leaks(client, event_outputs(event) + figure_outputs(figure)) == []


def test_publishing_an_event_citing_only_a_hidden_source_is_refused(hidden_article):
    event = make_event(title="Court week", status=Status.DRAFT)
    make_citation(event=event, source=hidden_article)
    with pytest.raises(ValidationError, match="names no protected person"):
        event.apply_transition("publish")


def test_publishing_a_figure_with_a_hidden_source_is_refused(hidden_article):
    figure = make_figure(source=hidden_article, status=Status.DRAFT)
    with pytest.raises(ValidationError, match="names no protected person"):
        figure.apply_transition("publish")


# --- Holes 1 and 8: a draft changes no list -------------------------------------------


def test_a_draft_detention_documented_by_a_listed_source_leaves_it_listed(client):
    article = make_source(title="Listed article", url="https://news.example/listed")
    event = make_event(title="Talks")
    make_citation(event=event, source=article)
    person = make_person(name="Draft Someone", identity_level="withheld", status=Status.DRAFT)
    before = DataVersion.objects.get(pk=1).number

    DetentionSource.objects.create(detention=make_detention(person=person, status=Status.DRAFT), source=article)

    assert article in Source.objects.published()
    assert "news.example/listed" in text(client, "/sources/")
    assert "news.example/listed" in text(client, event.get_absolute_url())
    assert DataVersion.objects.get(pk=1).number == before


def test_a_contributors_draft_detention_in_the_admin_changes_no_public_list(client, login, contributor):
    article = make_source(title="Listed article", url="https://news.example/listed")
    assert "news.example/listed" in text(client, "/sources/")
    before = DataVersion.objects.get(pk=1).number
    person = make_person(name="Draft Someone", status=Status.DRAFT, identity_level="withheld")
    browser = login(contributor)
    url = admin_url(Detention, "add")
    page = form_data(browser.get(url), person=person.pk, country="BY", detained_on="2021-05-23", custody_status="held")
    response = browser.post(url, with_inline_row(page, "detention_sources", source=article.pk))
    assert response.status_code == 302, response.content.decode()[:2000]
    assert DetentionSource.objects.filter(source=article, detention__person=person).exists()

    cache.clear()  # the page is read anew, not served for the version it was cached at
    assert "news.example/listed" in text(client, "/sources/")
    assert DataVersion.objects.get(pk=1).number == before


def test_a_published_detention_of_a_draft_person_changes_no_list(client):
    article = make_source(title="Listed article", url="https://news.example/listed")
    person = make_person(name="Draft Someone", status=Status.DRAFT, identity_level="withheld")
    DetentionSource.objects.create(detention=make_detention(person=person), source=article)
    assert "news.example/listed" in text(client, "/sources/")
    Person.objects.filter(pk=person.pk).update(status=Status.PUBLISHED)
    assert "news.example/listed" not in text(client, "/sources/")
