"""The release ledger costs the same on every page: its queries do not grow with the page number.

An OFFSET page makes the database read every row before it; a correlated
count of the people released, in the list's query, was computed for each of
those rows too (PostgreSQL: 370 ms on page 73 of 1,838 releases). The count
is made for the page's releases only, once the page is chosen.
"""

import datetime
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from events.models import Event, Measure
from tests.factories import make_event, make_figure, make_measure, make_release, make_released_detention

pytestmark = pytest.mark.django_db


def shape(sql):
    """A query with its numbers, quoted values and lists of them written as ?: the same query for other rows."""
    return re.sub(r"IN \([?, ]*\)", "IN (?)", re.sub(r"'[^']*'|\b\d+\b", "?", sql))


def queries_of(client, url):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return response, [query["sql"] for query in captured.captured_queries]


@pytest.fixture
def releases(db):
    measure = make_measure(kind=Measure.Kind.PER_EVENT)
    made = []
    for day in range(60):
        on = datetime.date(2024, 1, 1) + datetime.timedelta(days=day)
        event = make_release(event=make_event(kind=Event.Kind.RELEASE, title=f"Release {day}", occurred_on=on)).event
        make_figure(measure=measure, event=event, value=10 + day, as_of_on=on)
        for _ in range(day % 3):
            make_released_detention(release=event)
        made.append(event)
    return made


def test_ledger_queries_are_the_same_on_every_page(client, releases):
    client.get("/releases/")  # the filter's choices and the paginator's count, kept for the other pages
    shapes = [[shape(sql) for sql in queries_of(client, f"/releases/?page={page}")[1]] for page in (1, 2, 3)]
    # The first page has no OFFSET; the others differ by its number only.
    assert shapes[1] == shapes[2]
    assert len(shapes[0]) == len(shapes[1]) == 6  # version, releases, release details, figures, links, counts


def test_the_list_query_counts_nobody_and_the_count_is_for_the_page_only(client, releases):
    response, queries = queries_of(client, "/releases/?page=2")
    [listed] = [sql for sql in queries if "OFFSET" in sql or "LIMIT" in sql]
    assert "releaseddetention" not in listed.lower() and "releasecount" not in listed.lower()
    [counted] = [sql for sql in queries if "releasecount" in sql.lower()]
    ids = {row["event"].pk for row in response.context["rows"]}
    assert len(ids) == 25
    named = set(map(int, re.search(r"IN \(([^)]*)\)", counted).group(1).split(", ")))
    assert named == ids


def test_every_page_counts_the_people_released(client, releases):
    for page in (1, 2, 3):
        for row in client.get(f"/releases/?page={page}").context["rows"]:
            day = int(row["event"].title.split()[1])
            assert row["linked_released"] == day % 3
