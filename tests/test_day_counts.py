"""The per-day counts kept by the database (migration tracker 0010) give the reference answer, after any writes.

day_counts() (the running totals behind the registry's counts on the home
page and every measure page, DOMAIN rule 5) reads tracker_daycount, kept by
triggers in the transaction of each write. Hypothesis writes sequences on
every path: save(), QuerySet.update() of each field the counts read,
bulk_create(), delete() and QuerySet.delete(), a person's status or level
changed (under the publishing layer and in raw SQL), a person deleted, raw
saves as loaddata and restore write them (detentions before their person
too), raw SQL. After each, the running totals read from the table must equal
count_days() (the query over every published detention and its person that
the table replaces), and the table must equal its own rebuild (no drift).
"""

import datetime
import importlib

import pytest
from django.core import serializers
from django.db import connection
from hypothesis import given
from hypothesis import strategies as st

from events.registry_counts import count_days, day_counts, kept_day_counts
from tests.factories import make_detention, make_person
from tests.kept_contracts import (
    INDEX,
    LEVELS,
    PERSON_WRITE_NAMES,
    PERSON_WRITES,
    STATUSES,
    as_rebuilt,
    contract,
    pick,
    write_person,
)
from tracker.models import Detention, Person
from tracker.publishing import Status

pytestmark = pytest.mark.django_db

kept = importlib.import_module("tracker.migrations.0010_day_counts")


CUSTODY = st.sampled_from(["held", "held", "released", "unknown"])
COUNTRIES = st.sampled_from(["BY", "BY", "RU"])
# Few days, so that writes meet on the same keys: two in one year, one in the next, a 1 January.
DAYS = st.sampled_from(
    [datetime.date(2021, 1, 1), datetime.date(2021, 3, 5), datetime.date(2021, 9, 9), datetime.date(2022, 2, 2)]
)
MAYBE_DAY = st.one_of(st.none(), DAYS)
# (detained_on, released_on, recognised_on, custody_status, country): made valid by dates().
DATES = st.tuples(MAYBE_DAY, MAYBE_DAY, MAYBE_DAY, CUSTODY, COUNTRIES)

WRITES = st.one_of(
    st.tuples(st.just("create"), INDEX, DATES, STATUSES),
    st.tuples(st.just("bulk_create"), INDEX, DATES, STATUSES),
    st.tuples(st.just("save"), INDEX, DATES),
    st.tuples(st.just("update_dates"), INDEX, DATES),
    st.tuples(st.just("update_status"), INDEX, STATUSES),
    st.tuples(st.just("custody"), INDEX, CUSTODY),
    st.tuples(st.just("move"), INDEX, INDEX),
    st.tuples(st.just("delete"), INDEX),
    st.tuples(st.just("queryset_delete"), COUNTRIES),
    *PERSON_WRITES,
    st.tuples(st.just("reload"), INDEX),
    st.tuples(st.just("reload_person"), INDEX, st.booleans()),
    st.tuples(st.just("sql_release"), INDEX, DAYS),
)


def dates(values):
    """Detention fields from a drawn (detained, released, recognised, custody, country), as the constraints allow."""
    detained, released, recognised, custody, country = values
    if custody == "held":
        released = None
    elif released is not None and detained is not None and released < detained:
        detained, released = released, detained
    return {
        "detained_on": detained,
        "released_on": released,
        "recognised_on": recognised,
        "custody_status": custody,
        "country": country,
    }


def rows_kept():
    with connection.cursor() as cursor:
        cursor.execute("SELECT field, country, level, day, n, m FROM tracker_daycount WHERE n <> 0 OR m <> 0")
        return sorted(tuple(str(value) for value in row) for row in cursor.fetchall())


def rows_rebuilt():
    """The table as its rebuild (migration 0010's REBUILD) makes it from the records, in a savepoint rolled back."""
    return as_rebuilt(kept.REBUILD, rows_kept)


def raw_reload(data):
    # As loaddata and restore write: a raw save of serialized rows (serialized before their delete, which
    # clears an instance's key: serialized after, a person came back under a new key, and their detentions
    # pointed at none), in the order given.
    for obj in serializers.deserialize("json", data):
        obj.save()


def write(operation):  # noqa: C901 - one branch per path
    name, *args = operation
    people, detentions = Person.objects.all(), Detention.objects.all()
    if name in ("create", "bulk_create"):
        person = pick(people, args[0])
        if person is None:
            return
        if name == "create":
            make_detention(person=person, status=args[2], **dates(args[1]))
        else:
            Detention.objects.bulk_create(
                [Detention(person=person, status=args[2], **dates(args[1])) for _ in range(2)]
            )
    elif name == "save":
        detention = pick(detentions, args[0])
        if detention is not None:
            for field, value in dates(args[1]).items():
                setattr(detention, field, value)
            detention.save()
    elif name == "update_dates":
        detention = pick(detentions, args[0])
        if detention is not None:
            Detention.objects.filter(pk=detention.pk).update(**dates(args[1]))
    elif name == "update_status":
        detention = pick(detentions, args[0])
        if detention is not None:
            Detention.objects.filter(pk=detention.pk).update(status=args[1])
    elif name == "custody":
        # The custody status alone: "held" takes a detention with no release date into the count of the held.
        detention = pick(detentions.filter(released_on__isnull=True, release_mode=""), args[0])
        if detention is not None:
            Detention.objects.filter(pk=detention.pk).update(custody_status=args[1])
    elif name == "move":
        detention, person = pick(detentions, args[0]), pick(people, args[1])
        if detention is not None and person is not None:
            Detention.objects.filter(pk=detention.pk).update(person=person)
    elif name == "delete":
        detention = pick(detentions, args[0])
        if detention is not None:
            detention.delete()
    elif name == "queryset_delete":
        Detention.objects.filter(country=args[0], pk__in=Detention.objects.order_by("pk")[:2]).delete()
    elif name in PERSON_WRITE_NAMES:
        write_person(name, *args)
    elif name == "reload":
        detention = pick(detentions, args[0])
        if detention is not None:
            data = serializers.serialize("json", [detention])
            detention.delete()
            raw_reload(data)
    elif name == "reload_person":
        # A person and their detentions deleted and put back raw; detentions first when asked (a restore's order
        # is the backup's, and foreign keys are checked at commit).
        person = pick(people, args[0])
        if person is not None:
            theirs = list(person.detentions.all())
            data = serializers.serialize("json", [*theirs, person] if args[1] else [person, *theirs])
            Detention.objects.filter(person=person).delete()
            person.delete()
            raw_reload(data)
    elif name == "sql_release":
        detention = pick(detentions.exclude(custody_status="held").exclude(detained_on__gt=args[1]), args[0])
        if detention is not None:
            with connection.cursor() as cursor:
                cursor.execute("UPDATE tracker_detention SET released_on = %s WHERE id = %s", [args[1], detention.pk])


@contract
@given(
    people=st.lists(st.tuples(LEVELS, STATUSES), min_size=1, max_size=4),
    first=st.lists(DATES, max_size=4),
    writes=st.lists(WRITES, max_size=14),
)
def test_the_kept_day_counts_give_the_reference_after_writes_on_every_path(people, first, writes):
    Detention.objects.all().delete()
    Person.objects.all().delete()
    made = [make_person(identity_level=level, status=status) for level, status in people]
    for index, values in enumerate(first):
        make_detention(person=made[index % len(made)], **dates(values))
    assert kept_day_counts() == count_days()
    for operation in writes:
        write(operation)
        assert kept_day_counts() == count_days(), operation
        assert rows_kept() == rows_rebuilt(), operation


def test_the_day_counts_read_the_kept_table_not_the_detentions():
    # What the home page and the measure pages count from: tracker_daycount, not every detention with its person.
    make_detention(person=make_person(), detained_on=datetime.date(2024, 3, 1))
    queries = []

    def note(execute, sql, params, many, context):
        queries.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(note):
        assert day_counts()["held"]["BY"] == ([datetime.date(2024, 3, 1)], [1])
    assert any("tracker_daycount" in sql for sql in queries)
    assert not [sql for sql in queries if "tracker_detention" in sql]


def test_a_protected_persons_days_count_on_1_january_and_move_with_their_level():
    person = make_person(identity_level=Person.IdentityLevel.INITIALS)
    make_detention(
        person=person,
        detained_on=datetime.date(2023, 6, 7),
        released_on=datetime.date(2024, 8, 9),
        custody_status="released",
    )
    counts = day_counts()
    assert counts["held"]["BY"] == ([datetime.date(2023, 1, 1), datetime.date(2024, 1, 1)], [1, 0])
    assert counts["released_on"]["BY"] == ([datetime.date(2024, 1, 1)], [1])
    # Named in full by a bulk update: the exact days, at once (the page cache aside, read afresh here).
    Person._base_manager.filter(pk=person.pk).update(identity_level=Person.IdentityLevel.FULL)
    assert kept_day_counts()["held"]["BY"] == ([datetime.date(2023, 6, 7), datetime.date(2024, 8, 9)], [1, 0])
    assert kept_day_counts() == count_days()


def test_a_write_moves_the_cached_day_counts_at_once():
    # day_counts() is cached per version of the tables it reads: tracker_daycount stands for the tables it is kept
    # from (tracker.caching.derived_table), so a new detention or a person's new level shows at once.
    person = make_person()
    make_detention(person=person, detained_on=datetime.date(2024, 3, 1))
    assert day_counts()["held"]["BY"] == ([datetime.date(2024, 3, 1)], [1])
    make_detention(person=person, detained_on=datetime.date(2024, 5, 1))
    assert day_counts()["held"]["BY"] == ([datetime.date(2024, 3, 1), datetime.date(2024, 5, 1)], [1, 2])
    Person.objects.filter(pk=person.pk).update(status=Status.DRAFT)
    assert day_counts()["held"] == {}
