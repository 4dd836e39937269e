"""The registry's totals kept by the database (migration tracker 0008) equal the query they replace, after any writes.

The triggers keep tracker_registrytotal in the transaction of each write, so
every path is covered: save() and delete(), QuerySet.update() and delete(),
bulk_create(), a raw save (loaddata, restore), a person's level changed
under the publishing layer, raw SQL. Hypothesis writes the sequences; after
each, counted_people() must give what events.registry.registry_totals() counts
from every published detention (the reference), and the registry page must
show the same numbers.
"""

import datetime

import pytest
from django.core import serializers
from hypothesis import given
from hypothesis import strategies as st

from events import registry
from events.filters import PrisonerFilter
from tests.factories import make_detention, make_person
from tests.kept_contracts import (
    INDEX,
    LEVELS,
    PERSON_WRITE_NAMES,
    PERSON_WRITES,
    STATUSES,
    contract,
    pick,
    write_person,
)
from tracker.models import Detention, Person
from tracker.models.people import counted_people
from tracker.publishing import Status

pytestmark = pytest.mark.django_db


CUSTODY = st.sampled_from(["held", "released", "pardoned"])

WRITES = st.one_of(
    st.tuples(st.just("create"), INDEX, CUSTODY, STATUSES),
    st.tuples(st.just("bulk_create"), INDEX, CUSTODY, STATUSES),
    st.tuples(st.just("save_custody"), INDEX, CUSTODY),
    st.tuples(st.just("update_status"), INDEX, STATUSES),
    st.tuples(st.just("move"), INDEX, INDEX),
    st.tuples(st.just("delete"), INDEX),
    st.tuples(st.just("queryset_delete"), CUSTODY),
    *PERSON_WRITES,
    st.tuples(st.just("reload"), INDEX),
)


def reference():
    """What the registry counted before the kept totals: every published detention read (a status counting nobody left out)."""
    counted = registry.registry_totals(Detention.objects.published())
    return {status: tuple(totals) for status, totals in counted.items() if any(totals)}


def write(operation, people):
    name, *args = operation
    if name in ("create", "bulk_create"):
        person, custody, status = pick(Person.objects.all(), args[0]), args[1], args[2]
        if person is None:
            return
        if name == "create":
            make_detention(person=person, custody_status=custody, status=status)
        else:
            Detention.objects.bulk_create(
                [Detention(person=person, country="BY", custody_status=custody, status=status) for _ in range(2)]
            )
    elif name == "save_custody":
        detention = pick(Detention.objects.all(), args[0])
        if detention is not None:
            detention.custody_status = args[1]
            detention.save()
    elif name == "update_status":
        detention = pick(Detention.objects.all(), args[0])
        if detention is not None:
            Detention.objects.filter(pk=detention.pk).update(status=args[1])
    elif name == "move":
        detention, person = pick(Detention.objects.all(), args[0]), pick(Person.objects.all(), args[1])
        if detention is not None and person is not None:
            Detention.objects.filter(pk=detention.pk).update(person=person)
    elif name == "delete":
        detention = pick(Detention.objects.all(), args[0])
        if detention is not None:
            detention.delete()
    elif name == "queryset_delete":
        Detention.objects.filter(custody_status=args[0], pk__in=Detention.objects.order_by("pk")[:1]).delete()
    elif name in PERSON_WRITE_NAMES:
        write_person(name, *args)
    elif name == "reload":
        # As loaddata and restore write: a raw save of serialized rows, here of a deleted detention put back.
        detention = pick(Detention.objects.all(), args[0])
        if detention is not None:
            data = serializers.serialize("json", [detention])
            detention.delete()
            for obj in serializers.deserialize("json", data):
                obj.save()


@contract
@given(
    levels=st.lists(st.tuples(LEVELS, STATUSES), min_size=1, max_size=4),
    writes=st.lists(WRITES, max_size=12),
)
def test_kept_totals_equal_the_counted_ones_after_writes_on_every_path(levels, writes):
    Detention.objects.all().delete()
    Person.objects.all().delete()
    people = [make_person(identity_level=level, status=status) for level, status in levels]
    assert counted_people() == reference()
    for operation in writes:
        write(operation, people)
        assert counted_people() == reference(), operation


def test_a_person_with_detentions_in_two_statuses_counts_once_in_each_and_once_in_all():
    person = make_person()
    make_detention(person=person, custody_status="held")
    make_detention(person=person, custody_status="released", released_on=datetime.date(2022, 1, 1))
    make_detention(person=person, custody_status="held", detained_on=datetime.date(2020, 1, 1))
    withheld = make_person(identity_level=Person.IdentityLevel.WITHHELD)
    make_detention(person=withheld, custody_status="held")
    make_detention(person=make_person(status=Status.DRAFT), custody_status="held")
    assert counted_people() == {"": (1, 1), "held": (1, 1), "released": (1, 0)} == reference()


def test_the_registry_page_shows_the_kept_totals(client):
    for level in ("full", "initials", "withheld", "withheld"):
        make_detention(person=make_person(identity_level=level), custody_status="held")
    make_detention(person=make_person(), custody_status="pardoned")
    unfiltered = PrisonerFilter(None, queryset=Detention.objects.published())
    held = PrisonerFilter({"status": "held"}, queryset=Detention.objects.published())
    assert (registry.listed_count(unfiltered), registry.withheld_count(unfiltered)) == (3, 2)
    assert (registry.listed_count(held), registry.withheld_count(held)) == (2, 2)
    page = client.get("/prisoners/?status=held").content.decode()
    assert "2 further people whose names are withheld" in page
