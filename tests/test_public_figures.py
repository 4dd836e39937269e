"""The figures index and the measure pages: every claim, side by side, over time, beside the registry's own count."""

import datetime
import re
from html import unescape
from xml.etree import ElementTree

import pytest

from events.models import Event, Measure
from tests.factories import (
    make_detention,
    make_event,
    make_figure,
    make_measure,
    make_organization,
    make_person,
    make_release,
    make_released_detention,
    make_source,
)
from tracker.models import Detention, Person

pytestmark = pytest.mark.django_db

SVG = "{http://www.w3.org/2000/svg}"
HELD = "/figures/political-prisoners-held/"


def text(html):
    words = re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", html)))
    for before, after in ((" :", ":"), (" ,", ","), ("( ", "("), (" )", ")"), (" .", "."), ("“ ", "“"), (" ”", "”")):
        words = words.replace(before, after)
    return words.strip()


def charts(html):
    """Every inline SVG chart of a page, parsed: it must be well-formed XML."""
    return [ElementTree.fromstring(svg) for svg in re.findall(r'<svg class="chart".*?</svg>', html, re.DOTALL)]


def groups(html):
    """The report table's row groups, one per date (and period, event and country)."""
    table = html[html.index('<table class="reports') : html.index("</table>")]
    return re.findall(r'<tbody role="rowgroup" class="report-group[^"]*">(.*?)</tbody>', table, re.DOTALL)


def held():
    return Measure.objects.get(slug="political-prisoners-held")


# --- The index ---------------------------------------------------------------------


def test_index_lists_each_published_measure_with_its_definition_and_headline_in_words(client, belarus):
    response = client.get("/figures/")
    assert response.status_code == 200
    words = text(response.content.decode())
    assert (
        "about 1,200 political prisoners held in Belarus According to Agentic Tribune, as of 12 December 2025" in words
    )
    assert "over 430 prisoners released since July 2024 in Belarus" in words
    assert "167 new political prisoners identified since September 2025 in Belarus According to Viasna" in words
    assert "52 people released in Belarus, in “Release of 52 detainees, 40 of them political prisoners”" in words
    assert held().definition in words
    assert f'href="{HELD}"' in response.content.decode()


def test_index_headline_is_the_preferred_figure_not_the_newest(client, belarus):
    make_figure(measure=held(), value=1100, qualifier="more_than", as_of_on=datetime.date(2026, 1, 5), rank="normal")
    make_figure(
        measure=held(), value=7, as_of_on=datetime.date(2026, 2, 5), rank="deprecated", deprecation_reason="Typo."
    )
    words = text(client.get("/figures/").content.decode())
    assert "about 1,200 political prisoners held in Belarus" in words
    assert "Every report of this number (2, from 2 sources), over time" in words
    assert " 7 political prisoners held" not in words


def test_index_hides_measures_without_a_published_figure(client, belarus):
    hidden = make_measure(name="DRAFT-ONLY-MEASURE")
    make_figure(measure=hidden, status="draft")
    make_figure(measure=hidden, source=make_source(status="draft"))
    assert "DRAFT-ONLY-MEASURE" not in client.get("/figures/").content.decode()


def test_index_filters_by_country(client, belarus):
    make_figure(measure=make_measure(name="LITHUANIA-MEASURE"), country="LT")
    html = client.get("/figures/?country=LT").content.decode()
    assert "LITHUANIA-MEASURE" in html and "political prisoners held" not in html
    html = client.get("/figures/?country=BY").content.decode()
    assert "LITHUANIA-MEASURE" not in html and "political prisoners held" in html


def test_index_explains_a_bad_country_with_a_400(client, belarus):
    response = client.get("/figures/?country=ZZ")
    assert response.status_code == 400
    assert "Select a valid choice. ZZ is not one of the available choices." in response.content.decode()


@pytest.mark.parametrize("count", [1, 30])
def test_index_query_count_is_fixed(client, db, django_assert_num_queries, count):
    for number in range(count):
        measure = make_measure()
        make_figure(measure=measure, value=100 + number, rank="preferred")
        make_figure(measure=measure, value=90 + number, as_of_on=datetime.date(2025, 1, 1))
    # 1 data version, 1 countries for the filter, 1 reports as short rows (how many,
    # from how many sources, and which is each country's headline), 1 measures,
    # 1 headline figures (with source, publisher, attribution, event).
    with django_assert_num_queries(5):
        response = client.get("/figures/")
    assert len(response.context["rows"]) == count


# --- One measure ---------------------------------------------------------------------


def test_measure_page_shows_every_report_in_words_with_its_source_and_quote(client, belarus):
    response = client.get("/figures/prisoners-released-since/")
    assert response.status_code == 200
    html = response.content.decode()
    report = groups(html)[0]
    words = text(report)
    assert '<time datetime="2025-12-12">12 December 2025</time>' in report
    assert "over 430" in words and "more than" in words
    assert '<td role="cell" data-label="Period counted">since July 2024</td>' in report
    assert '<a href="https://agentictribune.com/article/20251212-u-s-envoy-meets-belarus-president' in report
    assert "Preferred" in words
    assert '<details class="quote-details"><summary>Quote</summary><blockquote' in report
    assert "Since July 2024, Belarus has released over 430 prisoners" in words
    assert "1 July 2024" not in html


def test_measure_page_shows_who_a_figure_is_attributed_to(client, belarus):
    words = text(client.get("/figures/new-political-prisoners/").content.decode())
    assert "167 exactly" in words
    assert "Viasna" in words


def test_measure_page_puts_conflicting_figures_side_by_side(client, belarus):
    other = make_source(title="Another count", publisher=make_organization(name="Human Rights Watchers"))
    make_figure(measure=held(), source=other, value=1150, qualifier="exact", as_of_on=datetime.date(2025, 12, 12))
    html = client.get(HELD).content.decode()
    [same_day] = groups(html)
    words = text(same_day)
    assert "Sources differ" in words
    assert "about 1,200" in words and "1,150" in words
    assert "U.S. Envoy Meets Belarus President" in words and "Another count, Human Rights Watchers" in words
    # The headline keeps the preferred figure and points to the others.
    headline = text(html[html.index('id="headline-title"') : html.index('id="chart-heading"')])
    assert "about 1,200 political prisoners held" in headline
    assert "1 other report of this number, side by side below" in headline


def test_measure_page_hides_deprecated_figures_unless_asked_and_then_marks_them(client, belarus):
    make_figure(
        measure=held(),
        value=12000,
        qualifier="exact",
        as_of_on=datetime.date(2025, 8, 1),
        rank="deprecated",
        deprecation_reason="An extra zero in the source.",
    )
    html = client.get(HELD).content.decode()
    assert "12,000" not in html and "An extra zero" not in html
    assert 'name="deprecated" value="1"' in html  # the form offers them

    response = client.get(f"{HELD}?deprecated=1")
    html = response.content.decode()
    deprecated = next(group for group in groups(html) if "12,000" in group)
    assert '<tr role="row" class="deprecated">' in deprecated
    assert "<s>12,000</s>" in deprecated
    assert "Deprecated" in deprecated and "An extra zero in the source." in deprecated
    [chart] = charts(html)
    marks = [g for g in chart.iter(f"{SVG}g") if "deprecated" in g.get("class", "").split()]
    assert len(marks) == 1
    assert "12,000 as of 1 August 2025 (deprecated)" in marks[0].find(f"{SVG}title").text


def test_measure_page_draws_a_chart_with_a_title_a_description_and_no_script(client, belarus):
    make_figure(
        measure=held(),
        value=1100,
        qualifier="range",
        upper_value=1300,
        as_of_on=datetime.date(2025, 6, 1),
        as_of_on_precision="month",
    )
    html = client.get(HELD).content.decode()
    [chart] = charts(html)
    assert chart.get("role") == "img"
    assert chart.find(f"{SVG}title").text == "Political prisoners held in Belarus, as reported"
    assert "The same data is in the table on this page." in chart.find(f"{SVG}desc").text
    assert len(list(chart.iter(f"{SVG}rect"))) == 1  # the range's band
    assert "<script" not in html and " on" + "click" not in html
    # A legend says which shape is which source, so colour is not the only key.
    assert "(circle)</span>" in html and "(square)</span>" in html


def test_measure_page_shows_the_registry_count_beside_the_figures(client, belarus):
    # Held on 12 December 2025: two published detentions, one of a withheld person.
    make_detention(detained_on=datetime.date(2023, 1, 1))
    hidden = make_person(name="Hidden Personname", identity_level=Person.IdentityLevel.WITHHELD)
    make_detention(person=hidden, detained_on=datetime.date(2024, 5, 1))
    # Not held then: released before, detained after, or not published.
    make_detention(
        detained_on=datetime.date(2022, 1, 1),
        custody_status=Detention.CustodyStatus.RELEASED,
        released_on=datetime.date(2025, 1, 1),
    )
    make_detention(detained_on=datetime.date(2026, 1, 1))
    make_detention(detained_on=datetime.date(2023, 1, 1), status="draft")
    make_detention(detained_on=datetime.date(2023, 1, 1), country="LT")
    html = client.get(HELD).content.decode()
    assert "This database records 2 people held on that date." in text(groups(html)[0])
    assert "Personname" not in html
    [chart] = charts(html)
    assert chart.find(f"{SVG}g[@class='registry']") is not None


def test_registry_line_is_sampled_between_figures(client, belarus):
    make_figure(measure=held(), value=1300, as_of_on=datetime.date(2025, 1, 10))
    make_detention(detained_on=datetime.date(2025, 6, 15))
    response = client.get(HELD)
    counts = response.context["registries"]["BY"].counts
    assert counts[0] == (datetime.date(2025, 1, 10), 0)
    assert (datetime.date(2025, 7, 1), 1) in counts
    assert counts[-1] == (datetime.date(2025, 12, 12), 1)
    assert len(counts) == 13  # the two figure dates and the first of each month between


def test_flow_registry_counts_releases_in_the_period(client, belarus):
    make_detention(custody_status=Detention.CustodyStatus.RELEASED, released_on=datetime.date(2024, 8, 1))
    make_detention(custody_status=Detention.CustodyStatus.RELEASED, released_on=datetime.date(2024, 6, 30))
    html = client.get("/figures/prisoners-released-since/").content.decode()
    assert "This database records 1 person released in that period." in text(html)


def test_per_event_registry_counts_named_people_released_in_the_event(client, belarus):
    release = Event.objects.get(kind=Event.Kind.RELEASE)
    make_released_detention(release=release)
    make_released_detention(release=release)
    html = client.get("/figures/released-in-release/").content.decode()
    words = text(html)
    assert "This database records 2 people released in this event." in words
    assert "Release of 52 detainees, 40 of them political prisoners" in words


def test_measure_page_filters_by_country(client, belarus):
    make_figure(measure=held(), value=321, country="LT", as_of_on=datetime.date(2025, 3, 3))
    html = client.get(HELD).content.decode()
    assert len(charts(html)) == 2  # counts of two countries never share an axis
    assert "Country</th>" in html
    for query in ("country=BY", "country=by"):
        response = client.get(f"{HELD}?{query}")
        assert response.status_code == 200
        html = response.content.decode()
        assert "321" not in html and "about 1,200" in html
        assert len(charts(html)) == 1
        # The form shows the country the page is filtered by, in whatever case it was asked.
        assert '<option value="BY" selected>' in html


@pytest.mark.parametrize(
    "query, message",
    [
        ("country=ZZ", "Select a valid choice. ZZ is not one of the available choices."),
        ("deprecated=maybe", "Write 1 to include deprecated figures, or leave it out."),
    ],
)
def test_measure_page_explains_bad_filters_with_a_400(client, belarus, query, message):
    response = client.get(f"{HELD}?{query}")
    assert response.status_code == 400
    html = response.content.decode()
    assert message in html
    assert "Nothing is shown until the filters above are corrected." in html
    assert "about 1,200" not in html


def test_unknown_or_unpublished_measure_is_a_404(client, belarus):
    assert client.get("/figures/no-such-measure/").status_code == 404
    draft_only = make_measure(slug="draft-only")
    make_figure(measure=draft_only, status="draft")
    assert client.get("/figures/draft-only/").status_code == 404


def test_measure_page_keeps_imprecise_dates_imprecise(client, belarus):
    html = client.get("/figures/released-in-release/").content.decode()
    assert '<time datetime="2025-09">September 2025</time>' in html
    assert "1 September 2025" not in html


@pytest.mark.parametrize("count", [1, 30])
def test_measure_page_query_count_is_fixed(client, db, django_assert_num_queries, count):
    measure = make_measure(slug="held", registry_count=Measure.RegistryCount.HELD)
    for number in range(count):
        source = make_source(publisher=make_organization())
        make_figure(
            measure=measure,
            source=source,
            value=1000 + number,
            as_of_on=datetime.date(2023, 1, 1) + datetime.timedelta(days=30 * number),
            attributed_to=make_organization(),
        )
        make_detention(detained_on=datetime.date(2023, 1, 1) + datetime.timedelta(days=25 * number))
    # 1 data version, 1 measures, 1 countries for the filter, 1 reports (every
    # one as a short row; no filter narrows them), 1 figures the page lists (with source, publisher,
    # attribution and event), 1 registry: every sample date's count of people
    # held in a single aggregate.
    with django_assert_num_queries(6):
        response = client.get("/figures/held/?deprecated=1")
    assert sum(len(group["figures"]) for group in response.context["groups"]) == count


def test_per_event_measure_page_query_count_is_fixed(client, db, django_assert_num_queries):
    measure = make_measure(
        slug="released", kind=Measure.Kind.PER_EVENT, registry_count=Measure.RegistryCount.RELEASED_IN_EVENT
    )
    for number in range(10):
        event = make_release(
            event=make_event(
                kind=Event.Kind.RELEASE, occurred_on=datetime.date(2024, 1, 1) + datetime.timedelta(days=40 * number)
            )
        ).event
        make_figure(measure=measure, event=event, value=10 + number, as_of_on=event.occurred_on)
        make_released_detention(release=event)
    # 1 data version, 1 measures, 1 countries, 1 reports (every one of the measure, as short
    # rows), 1 keys of the current ones (the page's filter), 1 figures the page lists (with
    # their events), 1 named people released in the events shown.
    with django_assert_num_queries(7):
        response = client.get("/figures/released/")
    assert [group["registry_count"] for group in response.context["groups"]] == [1] * 10


def test_per_event_headline_counts_only_other_reports_of_the_same_event(client, belarus):
    measure = Measure.objects.get(slug="released-in-release")
    seed_release = Event.objects.get(kind=Event.Kind.RELEASE)
    make_figure(
        measure=measure, event=seed_release, value=50, as_of_on=seed_release.occurred_on, as_of_on_precision="month"
    )
    other = make_release(event=make_event(kind=Event.Kind.RELEASE, occurred_on=datetime.date(2025, 6, 21))).event
    make_figure(measure=measure, event=other, value=14, qualifier="exact", as_of_on=other.occurred_on)
    html = client.get("/figures/released-in-release/").content.decode()
    assert "1 other report of this number, side by side below" in html


def test_measure_page_lists_reports_a_page_of_dates_at_a_time_and_charts_them_all(client, monkeypatch):
    from events.views import figures

    monkeypatch.setattr(figures, "REPORT_GROUPS_PER_PAGE", 2)
    measure = make_measure(slug="held-paged")
    monitor = make_organization(name="Viasna")
    for day in (1, 2, 3):
        make_figure(
            measure=measure,
            source=make_source(publisher=monitor),
            value=1000 + day,
            as_of_on=datetime.date(2025, 1, day),
        )

    first = client.get("/figures/held-paged/").content.decode()
    second = client.get("/figures/held-paged/?page=2").content.decode()

    assert [text(group).split(" ")[0:3] for group in groups(first)] == [
        ["3", "January", "2025"],
        ["2", "January", "2025"],
    ]
    assert [text(group).split(" ")[0:3] for group in groups(second)] == [["1", "January", "2025"]]
    assert "3 dates, newest first; page 1 of 2." in text(first)
    assert 'href="?page=2" rel="next"' in first
    # The chart draws all three reports, in one series for the organisation that made them.
    chart = first[first.index('<svg class="chart"') : first.index("</svg>")]
    assert chart.count('<g class="mark') == 3
    assert "Viasna (" in chart and chart.count('<g class="series"') == 1
    assert client.get("/figures/held-paged/?page=3").status_code == 404
