"""A Prepared query reads what its queryset reads, for any number of keys, on each connection."""

import pytest
from django.db import connection
from django.db.models import Q
from django.test.utils import CaptureQueriesContext

from events.models import EventLink
from tests.factories import make_event, make_link
from tracker.prepared import SIZES, Prepared
from tracker.publishing import Status

pytestmark = pytest.mark.django_db


def links(keys):
    return (
        EventLink.objects.published()
        .filter(Q(from_event__in=keys) | Q(to_event__in=keys))
        .values_list("kind", "from_event_id", "from_event__uid", "to_event_id", "to_event__occurred_on")
    )


@pytest.fixture
def events():
    made = [make_event(title=f"Event {number}") for number in range(30)]
    draft = make_event(title="Draft", status=Status.DRAFT)
    for first, second in zip(made, made[1:]):
        make_link(from_event=first, to_event=second)
    make_link(from_event=made[0], to_event=draft)
    return [event.pk for event in made] + [draft.pk]


@pytest.mark.parametrize("count", [0, 1, 2, 5, 6, 24, 25, 26, 31])
def test_the_rows_are_the_querysets(events, count):
    prepared = Prepared(links)
    keys = events[:count]
    assert prepared.rows(keys) == list(links(keys))
    assert prepared.rows(list(reversed(keys))) == list(links(keys))  # the order is the query's, not the keys'


def test_keys_repeated_or_unknown_read_what_the_queryset_reads(events):
    prepared = Prepared(links)
    for keys in ([events[3]] * 7, [events[3], -5, 0, events[4]], [10**9]):
        assert prepared.rows(keys) == list(links(keys))


def test_more_keys_than_the_largest_size_run_as_the_queryset(events):
    keys = events + list(range(10**6, 10**6 + SIZES[-1]))
    assert Prepared(links).rows(keys) == list(links(keys))


def test_the_query_is_compiled_once_per_shape_and_connection(events):
    prepared = Prepared(links)
    prepared.rows(events[:3])
    compiled = dict(connection._prepared_queries)
    with CaptureQueriesContext(connection) as queries:
        assert prepared.rows(events[4:7]) == list(links(events[4:7]))
    assert len(queries) == 2  # the prepared query, then the queryset it is held to
    assert connection._prepared_queries == compiled  # nothing compiled anew for the same size


def test_values_are_converted_as_the_queryset_converts_them(events):
    [row] = Prepared(links).rows([events[0]])[:1]
    [expected] = list(links([events[0]]))[:1]
    assert row == expected and type(row[2]) is type(expected[2]) and type(row[4]) is type(expected[4])


def test_a_shape_whose_keys_are_not_parameters_runs_as_the_queryset(events):
    # A slice of the keys' own list is not where Django puts them: nothing to fill in, the queryset runs.
    prepared = Prepared(lambda keys: EventLink.objects.filter(pk__in=[]).values_list("pk"))
    assert prepared.rows(events[:3]) == []


def test_parameters_other_than_the_keys_read_as_the_queryset_reads_them(events):
    # On PostgreSQL they are written into the SQL (tracker/prepared.py): a percent sign in one stays a value.
    EventLink.objects.filter(from_event_id=events[2]).update(kind="part_of")
    make_link(from_event=make_event(title="50% of them"), to_event=make_event(title="Freed"))

    def titled(keys):
        return (
            EventLink.objects.published()
            .filter(Q(from_event__in=keys, kind="part_of") | Q(from_event__title__contains="50%"))
            .order_by("from_event__title")
            .values_list("kind", "from_event__title", "to_event__title")
        )

    keys = events[:5]
    expected = [("in_exchange_for", "50% of them", "Freed"), ("part_of", "Event 2", "Event 3")]
    assert list(titled(keys)) == expected
    assert Prepared(titled).rows(keys) == expected


def test_on_postgresql_a_shape_is_prepared_once_whatever_its_keys(events):
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL's prepared statements.")
    prepared = Prepared(links)
    small, large = events[:3], [10**9 + 7, 2**40, events[0]]
    for keys in (small, large, small, [events[1]] * 2, large):
        assert prepared.rows(keys) == list(links(keys))
    sql = connection._prepared_queries[(prepared, 5)][0]
    assert "'published'" in sql  # the published condition is written in, for the plan to use its indexes
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*), sum(generic_plans + custom_plans) FROM pg_prepared_statements"
            " WHERE statement LIKE %s AND statement LIKE %s",
            ['%"events_eventlink"."kind"%', "%IN ($1, $2, $3, $4, $5)%"],
        )
        assert cursor.fetchone() == (1, 5)  # one statement for smallint and bigint keys alike, run five times


def test_without_prepared_statements_the_rows_are_the_same(events, monkeypatch):
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL's prepared statements.")
    connection.ensure_connection()
    monkeypatch.setattr(connection.connection, "prepare_threshold", None)  # as PG_PREPARED=false leaves it
    keys = events[:7]
    assert Prepared(links).rows(keys) == list(links(keys))
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_prepared_statements WHERE statement LIKE %s", ['%"events_eventlink"%'])
        assert cursor.fetchone() == (0,)
