"""Pages as light as what they show (issue #14): no filter ships every value, no page grows with the data.

The registry's release filter lists the newest releases only and still
accepts any published one; the home page and the measure pages show a
bounded summary and link to the whole list.
"""

import datetime
import re

import pytest

from events.filters import RECENT_RELEASES
from events.models import Event, Figure
from events.thinning import MOST_MARKS, spread_over_time
from events.views.timeline import OTHER_REPORTS_SHOWN
from tests.factories import make_event, make_many, make_measure, make_organization, make_release
from tracker.models import Organization, Person, Source
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
    # A link leads to the others: the list of releases, where each links to its people.
    assert '<p class="filter-more"><a href="/releases/">' in html
    assert "{#" not in html


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


# --- Home and measure pages: a bounded summary, whatever the number of reports --------------------


def reports_of_held(count, measure=None, first=0, publishers=8):
    """`count` published reports of the number held, from `publishers` organisations, one every 4 days from `first`."""
    measure = measure or make_measure(slug="held", name="political prisoners held", registry_count="held")
    organisations = list(Organization.objects.filter(name__startswith="Monitor ")) or [
        make_organization(name=f"Monitor {number}") for number in range(publishers)
    ]
    publishers = len(organisations)
    start = datetime.date(2020, 1, 1)
    sources = Source.objects.bulk_create(
        Source(
            title=f"Monthly review {number}",
            url=f"https://monitor.example/{number}",
            kind=Source.Kind.NGO_REPORT,
            language="en",
            published_on=start + datetime.timedelta(days=4 * number),
            publisher=organisations[number % publishers],
            status=Status.PUBLISHED,
        )
        for number in range(first, first + count)
    )
    Figure.objects.bulk_create(
        Figure(
            measure=measure,
            source=source,
            value=1000 + number,
            qualifier=Figure.Qualifier.APPROXIMATELY,
            as_of_on=source.published_on,
            country="BY",
            quote=f"About {1000 + number} political prisoners are held.",
            status=Status.PUBLISHED,
        )
        for number, source in enumerate(sources, start=first)
    )
    return measure


@pytest.mark.parametrize("url", ["/", "/figures/held/"])
def test_home_and_measure_page_do_not_grow_with_the_reports(client, url):
    measure = reports_of_held(60)
    few = len(client.get(url).content)
    reports_of_held(600 - 60, measure=measure, first=60)
    many = client.get(url).content
    # Ten times the reports: the chart draws at most thinning.MOST_MARKS, the
    # lists stop at a few (home) or a page (measure page); the measure page's
    # table of the registry's monthly counts is the one part that grows, with time.
    assert len(many) < 2 * few
    assert len(many) < 150_000


def test_home_lists_a_few_other_reports_and_links_to_them_all(client):
    measure = reports_of_held(200)
    html = client.get("/").content.decode()
    other = re.search(r'<details class="other-reports">(.*?)</details>', html, re.DOTALL).group(1)
    assert "199 other reports of this number" in other
    assert other.count("<li>") == OTHER_REPORTS_SHOWN
    assert f'href="{measure.get_absolute_url()}?country=BY#reports">All 199 other reports' in other


def test_chart_says_what_it_draws_of_many_reports(client):
    reports_of_held(600)
    for url in ["/", "/figures/held/"]:
        html = client.get(url).content.decode()
        drawn = int(re.search(r"The chart draws (\d+) of the 600 reports", html).group(1))
        assert drawn <= MOST_MARKS
        chart = re.search(r'<svg class="chart".*?</svg>', html, re.DOTALL).group()
        assert chart.count("<title>") <= MOST_MARKS + 1  # each mark's tooltip, and the chart's title


def test_chart_draws_every_report_when_they_are_few(client):
    reports_of_held(40)
    for url in ["/", "/figures/held/"]:
        html = client.get(url).content.decode()
        assert "The chart draws" not in html


def test_a_thinned_chart_spans_each_organisation_whole_history():
    start = datetime.date(2020, 1, 1)
    reports = [(f"org {number % 7}", start + datetime.timedelta(days=3 * number)) for number in range(700)]
    kept = spread_over_time(reports, series=lambda report: report[0], day=lambda report: report[1], most=50)
    assert len(kept) <= 50
    for organisation in {name for name, _ in reports}:
        own = [day for name, day in reports if name == organisation]
        drawn = [day for name, day in kept if name == organisation]
        assert drawn[0] == own[0] and drawn[-1] == own[-1]
        # No gap between two drawn reports much longer than an even share of the span.
        gaps = [(later - earlier).days for earlier, later in zip(drawn, drawn[1:])]
        assert max(gaps) <= 1.5 * (own[-1] - own[0]).days / (len(drawn) - 1)
