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
