"""The release ledger: one row per published release, with every source's numbers and the deal around it."""

import datetime
import re
from html import unescape

import pytest

from events.models import Event, EventLink, Measure
from tests.factories import (
    make_detention,
    make_event,
    make_figure,
    make_link,
    make_measure,
    make_person,
    make_release,
    make_released_detention,
    make_source,
)
from tests.read_both_ways import pages_read_both_ways
from tracker.models import Detention, Person

pytestmark = pytest.mark.django_db

SEED_RELEASE = "Release of 52 detainees, 40 of them political prisoners"


def row_html(html, event):
    """The ledger row of one release."""
    start = html.index(f'id="release-{event.uid}"')
    return html[start : html.index("</tr>", start)]


def text(html):
    """The visible text, tags dropped and spaces collapsed, to assert on sentences."""
    words = re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", html)))
    for before, after in ((" :", ":"), (" ,", ","), ("( ", "("), (" )", ")")):
        words = words.replace(before, after)
    return words.strip()


def add_release(title, on=datetime.date(2025, 6, 21), **kwargs):
    kwargs.setdefault("countries", ["BY"])
    return make_release(event=make_event(kind=Event.Kind.RELEASE, title=title, occurred_on=on, **kwargs)).event


def per_event(slug):
    return Measure.objects.get(slug=slug)


def test_ledger_row_shows_the_seed_release_with_its_numbers_sources_and_deal(client, belarus):
    response = client.get("/releases/")
    assert response.status_code == 200
    release = Event.objects.get(title=SEED_RELEASE)
    row = row_html(response.content.decode(), release)
    words = text(row)
    assert '<time datetime="2025-09">September 2025</time>' in row
    assert "1 September 2025" not in row
    source = "U.S. Envoy Meets Belarus President to Discuss Political Prisoner Release"
    assert f"52 {source}, Agentic Tribune" in words
    assert f"40 {source}, Agentic Tribune" in words
    assert "In exchange for: United States lifts sanctions on Belavia (September 2025)" in words
    assert "Part of: US Special Envoy John Coale visits Belarus (September 2025)" in words
    assert "Exchange" in words
    html = response.content.decode()
    assert (
        '<th scope="col" role="columnheader"><a href="/figures/released-in-release/">People released</a></th>' in html
    )
    assert "Political prisoners among those released" in html


def test_ledger_lists_only_releases_newest_first(client, belarus):
    older = add_release("Release of 14 people", datetime.date(2024, 6, 21))
    newer = add_release("Release of 3 people", datetime.date(2025, 11, 2))
    html = client.get("/releases/").content.decode()
    positions = [
        html.index(f'id="release-{event.uid}"') for event in (newer, Event.objects.get(title=SEED_RELEASE), older)
    ]
    assert positions == sorted(positions)
    assert "United States lifts sanctions on Belavia</a></th>" not in html  # not a row of its own
    assert html.count('<tr role="row" id="release-') == 3


def test_ledger_shows_conflicting_figures_side_by_side_each_with_its_source(client, belarus):
    release = Event.objects.get(title=SEED_RELEASE)
    other = make_source(title="Another agency's report")
    make_figure(
        measure=per_event("released-in-release"),
        event=release,
        source=other,
        value=50,
        qualifier="approximately",
        as_of_on=release.occurred_on,
        as_of_on_precision="month",
    )
    row = row_html(client.get("/releases/").content.decode(), release)
    words = text(row)
    assert "52 U.S. Envoy Meets Belarus President" in words
    assert "about 50 Another agency's report" in words
    assert "Sources differ" in words
    # Both in the cell of the same measure, the preferred one first.
    assert words.index("52 U.S. Envoy") < words.index("about 50 Another") < words.index("40 U.S. Envoy")


def test_ledger_hides_deprecated_figures_unless_asked_and_then_marks_them(client, belarus):
    release = Event.objects.get(title=SEED_RELEASE)
    make_figure(
        measure=per_event("released-in-release"),
        event=release,
        value=520,
        qualifier="exact",
        as_of_on=release.occurred_on,
        rank="deprecated",
        deprecation_reason="A typo: one zero too many.",
    )
    row = row_html(client.get("/releases/").content.decode(), release)
    assert "520" not in row and "Sources differ" not in row

    row = row_html(client.get("/releases/?deprecated=1").content.decode(), release)
    assert '<s class="claim-value">520</s>' in row
    assert "Deprecated: A typo: one zero too many." in row
    # A deprecated figure is not a conflict: the sources agree once it is set aside.
    assert "Sources differ" not in row


def test_ledger_reads_links_from_both_ends(client, belarus):
    release = add_release("Release of 14 people")
    concession = make_event(
        kind=Event.Kind.SANCTIONS_CHANGE, title="EU lifts a visa ban", occurred_on=datetime.date(2025, 6, 1)
    )
    talks = make_event(kind=Event.Kind.MEETING, title="Talks in Vilnius", occurred_on=datetime.date(2025, 6, 25))
    statement = make_event(
        kind=Event.Kind.STATEMENT, title="Minsk welcomes the talks", occurred_on=datetime.date(2025, 5, 1)
    )
    make_link(from_event=concession, kind=EventLink.Kind.IN_EXCHANGE_FOR, to_event=release)
    make_link(from_event=talks, kind=EventLink.Kind.FOLLOWS, to_event=release)
    make_link(from_event=release, kind=EventLink.Kind.RESPONSE_TO, to_event=statement)
    words = text(row_html(client.get("/releases/").content.decode(), release))
    assert "In exchange for: EU lifts a visa ban (1 June 2025)" in words
    assert "Followed by: Talks in Vilnius (25 June 2025)" in words
    assert "In response to: Minsk welcomes the talks (1 May 2025)" in words


def test_ledger_shows_mode_and_destination(client, db):
    event = make_event(kind=Event.Kind.RELEASE, title="Release to Lithuania")
    make_release(event=event, mode="deportation", destination="Vilnius, Lithuania", destination_country="LT")
    words = text(row_html(client.get("/releases/").content.decode(), event))
    assert "Forced deportation to Vilnius, Lithuania" in words
    assert "Not reported" in words or "None recorded" in words


def test_ledger_counts_named_people_released_without_naming_the_withheld(client, belarus):
    release = Event.objects.get(title=SEED_RELEASE)
    hidden = make_person(name="Hidden Personname", identity_level=Person.IdentityLevel.WITHHELD)
    make_released_detention(
        release=release,
        detention=make_detention(
            person=hidden, custody_status=Detention.CustodyStatus.RELEASED, released_on=datetime.date(2025, 9, 11)
        ),
    )
    make_released_detention(release=release)
    draft = make_detention(
        status="draft", custody_status=Detention.CustodyStatus.RELEASED, released_on=datetime.date(2025, 9, 11)
    )
    make_released_detention(release=release, detention=draft)
    html = client.get("/releases/").content.decode()
    row = row_html(html, release)
    assert re.search(r'data-label="Recorded in this database" class="number"><a [^>]*>2</a>', row)
    assert "Personname" not in html


def test_ledger_never_shows_drafts(client, belarus):
    add_release("DRAFT-RELEASE-MARKER", status="draft")
    release = Event.objects.get(title=SEED_RELEASE)
    make_figure(
        measure=per_event("released-in-release"),
        event=release,
        value=9876,
        status="draft",
        as_of_on=release.occurred_on,
    )
    unpublished_source = make_source(title="UNPUBLISHED-SOURCE-MARKER", status="draft")
    make_figure(
        measure=per_event("released-in-release"),
        event=release,
        value=5432,
        source=unpublished_source,
        as_of_on=release.occurred_on,
    )
    secret_deal = make_event(kind=Event.Kind.SANCTIONS_CHANGE, title="DRAFT-DEAL-MARKER", status="draft")
    make_link(from_event=release, kind=EventLink.Kind.IN_EXCHANGE_FOR, to_event=secret_deal)
    html = client.get("/releases/").content.decode()
    for marker in ("DRAFT-RELEASE-MARKER", "9,876", "5,432", "UNPUBLISHED-SOURCE-MARKER", "DRAFT-DEAL-MARKER"):
        assert marker not in html


@pytest.mark.parametrize(
    "query, expected",
    [
        ("country=BY", [SEED_RELEASE]),
        ("country=by", [SEED_RELEASE]),
        ("country=LT", ["Release in Lithuania"]),
        ("year=2024", ["Release in Lithuania"]),
        ("year=2025&country=BY", [SEED_RELEASE]),
        ("year=2024&country=BY", []),
    ],
)
def test_ledger_filters_by_country_and_year(client, belarus, query, expected):
    add_release("Release in Lithuania", datetime.date(2024, 3, 1), countries=["LT"])
    response = client.get(f"/releases/?{query}")
    assert response.status_code == 200
    assert [row["event"].title for row in response.context["rows"]] == expected


@pytest.mark.parametrize(
    "query, message",
    [
        ("country=ZZ", "Select a valid choice. ZZ is not one of the available choices."),
        ("country=US&year=1999", "Select a valid choice. 1999 is not one of the available choices."),
        ("deprecated=maybe", "Write 1 to include deprecated figures, or leave it out."),
    ],
)
def test_ledger_explains_bad_filters_with_a_400(client, belarus, query, message):
    response = client.get(f"/releases/?{query}")
    assert response.status_code == 400
    html = response.content.decode()
    assert message in html
    assert "Nothing is shown until the filters above are corrected." in html
    assert SEED_RELEASE not in html


@pytest.mark.parametrize("page", ["0", "abc", "99"])
def test_ledger_bad_page_is_a_404(client, belarus, page):
    assert client.get(f"/releases/?page={page}").status_code == 404


def test_ledger_paginates_and_keeps_filters_in_page_links(client, db):
    for day in range(30):
        add_release(f"Release {day}", datetime.date(2025, 1, 1) + datetime.timedelta(days=day))
    response = client.get("/releases/?country=BY&deprecated=1")
    assert len(response.context["rows"]) == 25
    assert 'href="?country=BY&amp;deprecated=1&amp;page=2"' in response.content.decode()
    assert len(client.get("/releases/?country=BY&deprecated=1&page=2").context["rows"]) == 5


def test_ledger_empty_state(client, db):
    html = client.get("/releases/").content.decode()
    assert "No published release matches these filters." in html
    assert "<table" not in html


@pytest.mark.parametrize("count", [1, 30])
def test_ledger_query_count_is_fixed(client, db, django_assert_num_queries, count):
    released, political = make_measure(kind=Measure.Kind.PER_EVENT), make_measure(kind=Measure.Kind.PER_EVENT)
    for day in range(count):
        on = datetime.date(2025, 1, 1) + datetime.timedelta(days=day)
        # Every other release has no details recorded: no query to find that out.
        event = (
            add_release(f"Release {day}", on) if day % 2 == 0 else make_event(kind=Event.Kind.RELEASE, occurred_on=on)
        )
        make_figure(measure=released, event=event, value=50 + day, as_of_on=event.occurred_on)
        make_figure(measure=political, event=event, value=40, as_of_on=event.occurred_on)
        make_released_detention(release=event)
        make_link(from_event=event, to_event=make_event(kind=Event.Kind.SANCTIONS_CHANGE))
        make_link(from_event=make_event(kind=Event.Kind.VISIT), kind=EventLink.Kind.PART_OF, to_event=event)
    # 1 data version, 1 countries and years for the filter choices, 1 count
    # for the paginator, 1 releases, 1 their release details (one or several
    # each), then one prefetch of figures (with measure, source, publisher,
    # attribution), 1 of the links both ways (attach_links); and 1 count of
    # named people released, grouped by release, for the page's releases.
    with django_assert_num_queries(8):
        response = client.get("/releases/")
    with django_assert_num_queries(1):  # the data version; the page as it was rendered
        assert client.get("/releases/").content == response.content
    assert len(response.context["rows"]) == min(count, 25)


def ledger_as_instances(events, show_deprecated):
    """What attach_ledger_figures sets, read as EventQuerySet.for_ledger() prefetches it: model instances."""
    from django.db.models import Prefetch, prefetch_related_objects

    from events.models import Figure

    figures = Figure.objects.in_ledger(show_deprecated).select_related("measure", "source__publisher", "attributed_to")
    prefetch_related_objects(events, Prefetch("figures", figures, to_attr="ledger_figures"))
    return events


def test_the_ledger_read_as_rows_is_the_ledger_read_as_instances(client, belarus, monkeypatch):
    import events.views.releases as views
    from tests.factories import make_organization

    release = Event.objects.get(title=SEED_RELEASE)
    measure = per_event("released-in-release")
    draft_org = make_organization(name="Draft Counter", status="draft")
    make_figure(measure=measure, event=release, value=50, qualifier="approximately", attributed_to=draft_org)
    make_figure(measure=measure, event=release, value=520, rank="deprecated", deprecation_reason="<b>Typo</b>")
    make_figure(measure=measure, event=release, value=530, status="draft")
    make_figure(measure=measure, event=release, value=540, source=make_source(status="draft"))
    other = add_release("Another <release>", on=datetime.date(2024, 3, 1))
    make_figure(measure=measure, event=other, value=7, attributed_to=make_organization(name="Counter & Co"))
    addresses = ["/releases/", "/releases/?deprecated=1", "/releases/?country=BY"]
    pages = pages_read_both_ways(client, monkeypatch, addresses, views, "attach_ledger_figures", ledger_as_instances)
    assert "about 50" in pages and "&lt;b&gt;Typo&lt;/b&gt;" in pages and "Counter &amp; Co" in pages
    for hidden in ("Draft Counter", ">530<", ">540<"):
        assert hidden not in pages, hidden
