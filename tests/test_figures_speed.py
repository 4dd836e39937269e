"""The measure page's bounded work: its queries do not grow with the reports, and what it counts
for the reports shown only is what counting every report gives (events/views/figures.py:_counted)."""

import datetime

import pytest

from events.models import Event, Figure, Measure
from events.registry_counts import registry_counts
from events.thinning import MOST_MARKS
from events.views.figures import REPORT_GROUPS_PER_PAGE, _drawn, _registry_on, _reports, _rows
from tests.factories import (
    make_event,
    make_figure,
    make_measure,
    make_organization,
    make_release,
    make_released_detention,
    make_source,
)

pytestmark = pytest.mark.django_db


def per_event_measure(count):
    """A count per event with `count` reports, one event each, from three organisations; event n released n % 4."""
    measure = make_measure(
        slug="released", kind=Measure.Kind.PER_EVENT, registry_count=Measure.RegistryCount.RELEASED_IN_EVENT
    )
    publishers = [make_source(publisher=make_organization()) for _ in range(3)]
    for number in range(count):
        day = datetime.date(2020, 1, 1) + datetime.timedelta(days=9 * number)
        event = make_release(event=make_event(kind=Event.Kind.RELEASE, occurred_on=day)).event
        for _ in range(number % 4):
            make_released_detention(release=event)
        make_figure(
            measure=measure,
            event=event,
            value=10 + number,
            as_of_on=day,
            source=publishers[number % 3],
            # Some known only to the month: their point is in the middle of it, not on a drawn day.
            as_of_on_precision="month" if number % 7 == 0 else "day",
        )
    return measure


@pytest.mark.parametrize("count", [MOST_MARKS // 2, MOST_MARKS + 40])
def test_per_event_page_queries_do_not_grow_with_the_reports(client, django_assert_num_queries, count):
    per_event_measure(count)
    # 1 data version, 1 measures, 1 countries, 1 reports (short rows, every one of the measure),
    # 1 keys of the current ones (the page's filter), 1 figures the page lists, 1 named people
    # released in the events whose count the page shows.
    with django_assert_num_queries(7):
        response = client.get("/figures/released/")
    assert response.status_code == 200


def test_counts_of_the_reports_shown_are_those_of_every_report(client):
    measure = per_event_measure(MOST_MARKS + 40)
    figures = Figure.objects.published().filter(measure=measure)
    everything = _reports(_rows(figures))
    full = registry_counts(measure, everything)["BY"]

    response = client.get("/figures/released/?page=2")
    [chart] = response.context["charts"]
    assert chart["drawn"] == MOST_MARKS < chart["reports"]
    # The chart's registry points: those every report's counts give on the days drawn, and the last.
    [(_, shown)] = _drawn(everything).values()
    expected = _registry_on(full, {report.as_of_on for report in shown})
    points = [(mark["on"], mark["count"]) for mark in chart["chart"]["registry"]["marks"]]
    assert points == expected.counts
    assert full.counts[-1] in points
    # Some reports' points are not drawn: they were not counted.
    assert len(points) < len(full.counts)

    # The groups of the table's page: each with the count every report's computation gives.
    by_pk = {report.pk: report.registry_count for report in everything}
    groups = response.context["groups"]
    assert len(groups) == REPORT_GROUPS_PER_PAGE
    assert [group["registry_count"] for group in groups] == [by_pk[group["first"].pk] for group in groups]
    assert any(group["registry_count"] for group in groups)


@pytest.mark.parametrize("query", ["", "country=BY", "country=ru", "deprecated=1", "country=RU&deprecated=1"])
def test_a_filter_keeps_the_rows_of_its_own_figures_in_their_order(db, query):
    # The measure's rows are read once whatever the filters (_filtered_rows); a filter keeps its own
    # figures' rows: the same rows, in the same order, as reading the filtered figures would give.
    from django.http import QueryDict

    from events.filters import FigureFilter
    from events.views.figures import _filtered_rows

    measure = make_measure(slug="held")
    ranks = [Figure.Rank.PREFERRED, Figure.Rank.NORMAL, Figure.Rank.DEPRECATED]
    for number in range(12):
        make_figure(
            measure=measure,
            country=["BY", "RU"][number % 2],
            rank=ranks[number % 3],
            deprecation_reason="Superseded." if ranks[number % 3] == Figure.Rank.DEPRECATED else "",
            value=100 + number,
            as_of_on=datetime.date(2024, 1, 1) + datetime.timedelta(days=10 * (number % 5)),
        )
    filterset = FigureFilter(QueryDict(query), queryset=Figure.objects.published().filter(measure=measure))
    assert filterset.is_valid()
    expected = _rows(filterset.qs)
    assert expected
    assert _filtered_rows(filterset, filterset.qs) == expected
    # Read again, from the cache: the same.
    assert _filtered_rows(filterset, filterset.qs) == expected
