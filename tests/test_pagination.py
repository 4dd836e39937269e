"""Numbered pages of a queryset: a deep page is read by the keys past its OFFSET, and holds what a slice holds."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from events.models import Event
from events.pagination import CountOncePaginator
from tests.factories import make_event
from tracker.publishing import Status

pytestmark = pytest.mark.django_db


@pytest.fixture
def events():
    first = datetime.date(2025, 1, 1)
    made = []
    for number in range(61):
        # Days shared by several events: the key breaks the ties, as the pages must.
        made.append(make_event(title=f"Event {number}", occurred_on=first + datetime.timedelta(days=number // 4)))
    make_event(title="Draft", status=Status.DRAFT)
    return made


@pytest.mark.parametrize("orphans", [0, 5, 11])
def test_every_page_holds_the_slice_a_plain_query_holds(events, orphans):
    listed = Event.objects.published().newest_first()
    expected = list(listed)
    paginator = CountOncePaginator(listed, 25, orphans=orphans)
    pages = [list(paginator.page(number).object_list) for number in paginator.page_range]
    assert [event for page in pages for event in page] == expected
    for number, page in enumerate(pages, 1):
        bottom = (number - 1) * 25
        assert page == expected[bottom : bottom + len(page)]


def test_a_deep_page_reads_its_keys_past_the_offset_in_one_query(events):
    listed = Event.objects.published().filter(kind=Event.Kind.MEETING).newest_first()
    paginator = CountOncePaginator(listed, 25)
    paginator.count  # noqa: B018 (counted before, as the page's count is kept)
    with CaptureQueriesContext(connection) as queries:
        rows = list(paginator.page(2).object_list)
    [sql] = [query["sql"] for query in queries]
    assert "IN (SELECT" in sql and "OFFSET 25" in sql
    assert rows == list(listed.all())[25:50]
    with CaptureQueriesContext(connection) as queries:
        list(paginator.page(1).object_list)  # the first page has no OFFSET to skip: a plain query
    assert "IN (SELECT" not in queries[0]["sql"]


def test_a_deep_page_of_annotated_and_prefetched_rows_holds_them_as_a_slice_does():
    # The sources list: an annotation, two prefetches, an order with NULLs last and ties on the date.
    from events.sources import with_cited_facts
    from tests.factories import make_citation, make_source
    from tracker.models import Source

    for number in range(30):
        source = make_source(
            title=f"Report {number:02}",
            published_on=None if number % 7 == 0 else datetime.date(2025, 1, 1 + number // 3),
        )
        if number % 4 == 0:
            make_citation(source=source)
    listed = with_cited_facts(Source.objects.published())
    expected = list(listed.all())
    paginator = CountOncePaginator(listed, 25)
    second = list(paginator.page(2).object_list)
    assert [source.pk for source in second] == [source.pk for source in expected[25:]]
    for shown, plain in zip(second, expected[25:]):
        assert shown.named_detentions == plain.named_detentions
        assert [c.pk for c in shown.published_citations] == [c.pk for c in plain.published_citations]
