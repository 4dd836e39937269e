"""Hole 7, where a source is cited: one rule (tracker.models.listed_source) for every place a source is shown.

A source whose only public tie is documenting people not named in full is
not listed: its link leads to the article naming them and nothing public
explains it. A source a public record cites (a citation of a published
event, a published figure) is listed, whoever else it names: the record
says why it is there, and withholding a person must not take the numbers
and events resting on it down with them (the Belarus case,
tests/test_withheld_cited_source.py). Citations and figures need no test
of their own beyond their source being published. A draft (a citation of a
draft event, a draft figure, a Contributor's draft detention) lists or
unlists nothing (holes 1 and 8).
"""

import pytest
from django.core.cache import cache

from events.models import Citation, Figure
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


def missing(client, paths):
    return [path for path in paths if MARK not in text(client, path)]


SOURCE_LISTS = ["/sources/", "/sources.csv", "/api/v1/sources/", "/data/package/sources.csv"]


def listed(client, source):
    """Whether the source is in every public list of sources (and its API record), or in none: never in some."""
    cache.clear()  # read anew, not served for a version a test did not move
    found = {path: MARK in text(client, path) for path in SOURCE_LISTS}
    found["record"] = client.get(f"/api/v1/sources/{source.uid}/").status_code == 200
    assert len(set(found.values())) == 1, found
    return found["record"]


@pytest.fixture
def hidden_article(db):
    """A published source that documents only a withheld person's published detention, cited by nothing."""
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


def test_an_uncited_source_of_protected_people_only_is_in_no_output(client, hidden_article):
    make_figure(source=make_source(title="Listed report"))  # the lists are not empty
    assert not listed(client, hidden_article)
    assert hidden_article not in Source.objects.published()


def test_drafts_citing_it_list_it_nowhere(client, hidden_article):
    """A citation of a draft (or retracted) event, a draft figure, a published figure of a draft event."""
    draft_event = make_event(title="Court week", status=Status.DRAFT)
    make_citation(event=draft_event, source=hidden_article)
    make_citation(event=make_event(title="Old news", status=Status.RETRACTED), source=hidden_article)
    make_figure(source=hidden_article, status=Status.DRAFT)
    make_figure(source=hidden_article, status=Status.IN_REVIEW)
    make_figure(source=hidden_article, event=draft_event)
    assert not listed(client, hidden_article)
    assert not Citation.objects.published().exists() and not Figure.objects.published().exists()


def test_an_event_citing_it_lists_it_and_shows_the_citation(client, hidden_article):
    event = make_event(title="Court week")
    make_citation(event=event, source=hidden_article, quote="The court sat for a week.")
    assert listed(client, hidden_article)
    assert missing(client, event_outputs(event)) == []
    assert "The court sat for a week." in text(client, event.get_absolute_url())


def test_a_figure_resting_on_it_lists_it_and_is_shown(client, hidden_article):
    figure = make_figure(source=hidden_article, value=3, qualifier=Figure.Qualifier.EXACT)
    assert figure in Figure.objects.published()
    assert listed(client, hidden_article)
    assert missing(client, figure_outputs(figure)) == []


def test_withholding_the_only_person_it_documents_keeps_its_citations_and_figures(client):
    person = make_person(name="Openly Named")
    article = make_source(title="Verdict", url=f"https://court.example/{MARK}")
    DetentionSource.objects.create(detention=make_detention(person=person), source=article)
    event = make_event(title="Court week")
    make_citation(event=event, source=article)
    figure = make_figure(source=article)
    shown = event_outputs(event) + figure_outputs(figure)
    assert missing(client, shown) == [] and listed(client, article)

    person.identity_level = "withheld"
    person.save()

    assert missing(client, shown) == [] and listed(client, article)
    # Listed for what cites it, it counts no detention of the person now withheld.
    assert "<dt>Detentions documented</dt><dd>0</dd>" in text(client, "/sources/")


def test_retracting_the_last_record_citing_it_unlists_it(client, hidden_article):
    event = make_event(title="Court week")
    make_citation(event=event, source=hidden_article)
    assert listed(client, hidden_article)
    event.apply_transition("retract")
    assert not listed(client, hidden_article)


def test_publishing_an_event_or_a_figure_citing_it_is_not_refused(hidden_article):
    """What the refusals guarded is the rule now: published, the event or figure lists the source it rests on."""
    event = make_event(title="Court week", status=Status.DRAFT)
    make_citation(event=event, source=hidden_article)
    figure = make_figure(source=hidden_article, status=Status.DRAFT)
    assert event.publishing_problems() == [] and figure.publishing_problems() == []
    event.apply_transition("publish")
    assert hidden_article in Source.objects.published()


def test_the_detentions_documented_count_only_people_named_in_full(client, hidden_article):
    """Listed for an event citing it, the source counts the named person's detention, never the withheld one's."""
    make_citation(event=make_event(title="Court week"), source=hidden_article)
    DetentionSource.objects.create(
        detention=make_detention(person=make_person(name="Ales Named")), source=hidden_article
    )
    for level in ("initials", "withheld"):
        DetentionSource.objects.create(
            detention=make_detention(person=make_person(name=f"Other {level.title()}", identity_level=level)),
            source=hidden_article,
        )
    assert "<dt>Detentions documented</dt><dd>1</dd>" in text(client, "/sources/")
    record = client.get(f"/api/v1/sources/{hidden_article.uid}/").json()
    assert record["named_detentions"] == 1


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


def test_every_model_pointing_at_a_source_is_weighed_by_the_rule():
    """A new kind of record citing sources must be added to listed_source (or here, saying why not)."""
    weighed = {"tracker.DetentionSource", "events.Citation", "events.Figure"}
    # Detention.sources is the many-to-many through DetentionSource; history tables are no public record.
    pointing = {
        relation.related_model._meta.label
        for relation in Source._meta.related_objects
        if not relation.many_to_many and not relation.related_model._meta.label.split(".")[1].startswith("Historical")
    }
    assert pointing == weighed


def test_an_event_whose_sources_are_all_retracted_shows_no_empty_sources_heading(client):
    article = make_source(title="Listed article", url="https://news.example/listed")
    event = make_event(title="Talks")
    make_citation(event=event, source=article)
    assert 'id="sources-title"' in text(client, event.get_absolute_url())

    article.apply_transition("retract")

    cache.clear()
    page = text(client, event.get_absolute_url())
    assert "news.example/listed" not in page and 'id="sources-title"' not in page
