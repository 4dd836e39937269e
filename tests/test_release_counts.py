"""The people linked to each release, kept by the database (events/migrations/0006), give the reference count.

The release ledger's "Recorded in this database" and the measure pages of
"released in the event" read events_releasecount (released_counts), kept by
triggers in the transaction of each write. Hypothesis writes sequences on
every path: a released detention created, bulk-created, moved to another
release or detention, deleted one by one or as a queryset, put back raw (as
loaddata and a restore write it); a detention's status changed or moved to
another person, through the ORM and in raw SQL; a person's status or level
changed, or deleted. After each, the kept counts must equal the count of
published released detentions (ReleasedDetentionQuerySet.published(), the
rule they replace), and the table must equal its own rebuild (no drift).
"""

import datetime
import importlib

import pytest
from django.core import serializers
from django.db import connection
from django.db.models import Count
from django.db.models.deletion import ProtectedError
from hypothesis import given
from hypothesis import strategies as st

from events.models import Event, ReleasedDetention
from events.models.events import released_counts
from tests.factories import make_detention, make_event, make_person, make_released_detention
from tests.kept_contracts import (
    INDEX,
    LEVELS,
    PERSON_WRITE_NAMES,
    PERSON_WRITES,
    STATUSES,
    as_rebuilt,
    contract,
    pick,
    rolled_back,
    write_person,
)
from tracker.models import Detention, Person
from tracker.publishing import Status

pytestmark = pytest.mark.django_db

kept = importlib.import_module("events.migrations.0006_release_counts")

WRITES = st.one_of(
    st.tuples(st.just("name"), INDEX, INDEX),
    st.tuples(st.just("bulk_name"), INDEX, INDEX),
    st.tuples(st.just("move_release"), INDEX, INDEX),
    st.tuples(st.just("move_detention"), INDEX, INDEX),
    st.tuples(st.just("unname"), INDEX),
    st.tuples(st.just("unname_all"), INDEX),
    st.tuples(st.just("reload"), INDEX),
    st.tuples(st.just("detention"), INDEX, STATUSES),
    st.tuples(st.just("detention_status"), INDEX, STATUSES),
    st.tuples(st.just("detention_status_sql"), INDEX, STATUSES),
    st.tuples(st.just("detention_person"), INDEX, INDEX),
    *PERSON_WRITES,
)


def unnamed_detentions():
    """Detentions no release names yet (a detention is ended by one release at most)."""
    return Detention.objects.exclude(released_detentions__isnull=False)


def write(operation):  # noqa: C901 - one branch per path
    name, *args = operation
    releases, named = Event.objects.filter(kind=Event.Kind.RELEASE), ReleasedDetention.objects.all()
    if name in ("name", "bulk_name"):
        release, detention = pick(releases, args[0]), pick(unnamed_detentions(), args[1])
        if release is None or detention is None:
            return
        if name == "name":
            make_released_detention(release=release, detention=detention)
        else:
            ReleasedDetention.objects.bulk_create([ReleasedDetention(release=release, detention=detention)])
    elif name == "move_release":
        row, release = pick(named, args[0]), pick(releases, args[1])
        if row is not None and release is not None:
            ReleasedDetention.objects.filter(pk=row.pk).update(release=release)
    elif name == "move_detention":
        row, detention = pick(named, args[0]), pick(unnamed_detentions(), args[1])
        if row is not None and detention is not None:
            ReleasedDetention.objects.filter(pk=row.pk).update(detention=detention)
    elif name == "unname":
        row = pick(named, args[0])
        if row is not None:
            row.delete()
    elif name == "unname_all":
        release = pick(releases, args[0])
        if release is not None:
            ReleasedDetention.objects.filter(release=release).delete()
    elif name == "reload":
        # As loaddata and restore write: the row deleted, then saved back raw.
        row = pick(named, args[0])
        if row is not None:
            data = serializers.serialize("json", [row])
            ReleasedDetention.objects.filter(pk=row.pk).delete()
            for obj in serializers.deserialize("json", data):
                obj.save()
    elif name == "detention":
        person = pick(Person.objects.all(), args[0])
        if person is not None:
            make_detention(person=person, status=args[1])
    elif name in ("detention_status", "detention_status_sql"):
        detention = pick(Detention.objects.all(), args[0])
        if detention is None:
            return
        if name == "detention_status":
            Detention.objects.filter(pk=detention.pk).update(status=args[1])
        else:
            with connection.cursor() as cursor:
                cursor.execute("UPDATE tracker_detention SET status = %s WHERE id = %s", [args[1], detention.pk])
    elif name == "detention_person":
        detention, person = pick(Detention.objects.all(), args[0]), pick(Person.objects.all(), args[1])
        if detention is not None and person is not None:
            Detention.objects.filter(pk=detention.pk).update(person=person)
    elif name in PERSON_WRITE_NAMES:
        try:
            write_person(name, *args)
        except ProtectedError:  # a person whose detention a release names: refused before any row is written
            pass


def kept_rows():
    with connection.cursor() as cursor:
        cursor.execute("SELECT release_id, n FROM events_releasecount WHERE n <> 0")
        return sorted(cursor.fetchall())


def rebuilt_rows():
    """The table as its rebuild (the migration's REBUILD) makes it from the records, in a savepoint rolled back."""
    return as_rebuilt(kept.REBUILD, kept_rows)


def reference():
    """{release id: published released detentions}, by the ORM's rule, for the published releases."""
    published = ReleasedDetention.objects.published().order_by().values_list("release")
    return dict(published.annotate(n=Count("pk")))


@contract
@given(
    people=st.lists(st.tuples(LEVELS, STATUSES), min_size=1, max_size=4),
    releases=st.lists(st.sampled_from([Status.PUBLISHED, Status.PUBLISHED, Status.DRAFT]), min_size=1, max_size=3),
    detentions=st.integers(min_value=0, max_value=6),
    writes=st.lists(WRITES, max_size=14),
)
def test_the_kept_counts_give_the_reference_after_writes_on_every_path(people, releases, detentions, writes):
    def run():
        made = [make_person(identity_level=level, status=status) for level, status in people]
        for number in range(detentions):
            make_detention(person=made[number % len(made)])
        for status in releases:
            make_event(kind=Event.Kind.RELEASE, status=status)
        for operation in writes:
            write(operation)
            assert kept_rows() == rebuilt_rows(), operation
            published = Event.objects.filter(kind=Event.Kind.RELEASE, status=Status.PUBLISHED)
            assert released_counts(published.values_list("pk", flat=True)) == reference(), operation
        return True

    assert rolled_back(run)


def test_the_ledger_and_measure_pages_read_the_kept_table(client, django_assert_num_queries):
    release = make_event(kind=Event.Kind.RELEASE, occurred_on=datetime.date(2025, 9, 11))
    for _ in range(3):
        make_released_detention(release=release)
    with connection.cursor() as cursor:
        cursor.execute("UPDATE events_releasecount SET n = 41 WHERE release_id = %s", [release.pk])
    # The kept number is what is shown: no page counts the released detentions again.
    assert released_counts([release.pk]) == {release.pk: 41}
    row = next(row for row in client.get("/releases/").context["rows"] if row["event"].pk == release.pk)
    assert row["linked_released"] == 41


def test_a_withheld_person_is_counted_and_a_draft_one_is_not():
    release = make_event(kind=Event.Kind.RELEASE)
    withheld = make_person(identity_level=Person.IdentityLevel.WITHHELD)
    make_released_detention(release=release, detention=make_detention(person=withheld))
    draft = make_person(status=Status.DRAFT)
    make_released_detention(release=release, detention=make_detention(person=draft))
    assert released_counts([release.pk]) == {release.pk: 1}
    Person.objects.filter(pk=draft.pk).update(status=Status.PUBLISHED)
    assert released_counts([release.pk]) == {release.pk: 2}


@pytest.mark.django_db(transaction=True)
def test_a_release_naming_a_person_and_their_unpublishing_at_once_leave_the_count_right():
    """PostgreSQL: a released detention's trigger locks its detention and person, so the two writes wait in turn.

    Without the lock, unpublishing the person in a second transaction would
    not see the first's uncommitted released detention and take nothing out,
    and the first's share (counted while the person was published) would stay.
    """
    if connection.vendor != "postgresql":
        pytest.skip("SQLite has one writer at a time")
    import threading

    from django.db import connections, transaction

    release = make_event(kind=Event.Kind.RELEASE)
    person = make_person()
    detention = make_detention(person=person)
    named, go, done = threading.Event(), threading.Event(), threading.Event()
    errors = []

    def name_in_release():
        try:
            with transaction.atomic():
                ReleasedDetention.objects.bulk_create([ReleasedDetention(release=release, detention=detention)])
                named.set()
                go.wait(10)
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(error)
        finally:
            connections.close_all()

    def unpublish():
        try:
            with transaction.atomic():
                Person.objects.filter(pk=person.pk).update(status=Status.DRAFT)
            done.set()
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(error)
        finally:
            connections.close_all()

    first = threading.Thread(target=name_in_release)
    first.start()
    assert named.wait(10)
    second = threading.Thread(target=unpublish)
    second.start()
    # The second waits for the first's lock on the person: it has not committed while the first is open.
    assert not done.wait(1)
    go.set()
    first.join(10)
    second.join(10)
    assert not errors
    assert done.is_set()
    assert kept_rows() == rebuilt_rows() == []
    assert released_counts([release.pk]) == {}
