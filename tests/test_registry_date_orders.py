"""The registry's orders kept by the database (migration events 0005) equal in_public_order(), after any writes.

With no filter but custody status, events.registry.listed_ids() reads the
people in order from tracker_personcustody (tracker.models.people.kept_order),
whose rows triggers keep in the transaction of each write. Hypothesis writes
sequences on every path of tests/test_registry_totals.py, plus the writes that
move a person in an order: a detention's date (saved, updated, cleared), a
person's name (so their sort name) and uid. After each, every custody status
and every order must list exactly the people, in exactly the order,
in_public_order() gives from the detentions (the reference): the year only for
people not named in full, ties by sort name and uid.
"""

import datetime
import uuid

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from events import registry
from events.filters import PrisonerFilter
from tests.factories import make_detention, make_person
from tests.kept_contracts import rolled_back
from tests.test_registry_totals import INDEX, LEVELS, STATUSES, WRITES, contract, pick, write
from tracker.models import Detention, Person
from tracker.models.people import kept_order

pytestmark = pytest.mark.django_db

# Days in two years, so people shown by the year tie with each other and with named people.
DATES = st.sampled_from(
    [None, datetime.date(2020, 1, 1), datetime.date(2020, 6, 3), datetime.date(2020, 12, 31), datetime.date(2021, 3, 1)]
)
# Few names, so sort names tie and the uid decides.
NAMES = st.sampled_from(["Ales Bialiatski", "Ales Bialiatski", "Maria Kalesnikava", "Andrzej Poczobut"])

ORDER_WRITES = st.one_of(
    WRITES,
    st.tuples(st.just("date_save"), INDEX, DATES),
    st.tuples(st.just("date_update"), INDEX, DATES),
    st.tuples(st.just("rename"), INDEX, NAMES),
    st.tuples(st.just("new_uid"), INDEX),
)

CUSTODY_STATUSES = ["", "held", "released", "pardoned"]
ORDERS = ["name", "newest", "oldest"]


def write_order(operation, people):
    name, *args = operation
    if name == "date_save":
        detention = pick(Detention.objects.all(), args[0])
        if detention is not None:
            detention.detained_on = args[1]
            detention.save()
    elif name == "date_update":
        detention = pick(Detention.objects.all(), args[0])
        if detention is not None:
            Detention.objects.filter(pk=detention.pk).update(detained_on=args[1])
    elif name == "rename":
        person = pick(Person.objects.all(), args[0])
        if person is not None:
            person.name = args[1]
            person.save()  # keeps sort_name
    elif name == "new_uid":
        person = pick(Person.objects.all(), args[0])
        if person is not None:
            Person.objects.filter(pk=person.pk).update(uid=uuid.uuid4())
    else:
        write(operation, people)


def reference(custody_status, order):
    """The people in_public_order() lists for the published detentions of a custody status ("" for any)."""
    filterset = PrisonerFilter({"status": custody_status, "order": order}, queryset=Detention.objects.published())
    assert filterset.is_valid(), filterset.form.errors
    people = registry.in_public_order(filterset.qs, order, registry.own_conditions(filterset))
    return list(people.prefetch_related(None).values_list("pk", flat=True))


def assert_kept_orders_hold(operation=None):
    for custody_status in CUSTODY_STATUSES:
        for order in ORDERS:
            expected = reference(custody_status, order)
            assert kept_order(custody_status, order, 1_000) == expected, (operation, custody_status, order)
            filterset = PrisonerFilter(
                {"status": custody_status, "order": order}, queryset=Detention.objects.published()
            )
            filterset.is_valid()
            assert registry.listed_ids(filterset, order) == expected, (operation, custody_status, order)


@settings(contract, max_examples=80)
@given(
    people=st.lists(st.tuples(LEVELS, STATUSES, NAMES), min_size=2, max_size=5),
    dates=st.lists(DATES, min_size=2, max_size=6),
    writes=st.lists(ORDER_WRITES, min_size=1, max_size=10),
)
def test_kept_orders_equal_in_public_order_after_writes_on_every_path(people, dates, writes):
    # Each example in a savepoint rolled back: on PostgreSQL, the rows every example deleted stayed in the
    # tables until the test's transaction ended, and each example scanned all the earlier ones' (1.6 s each).
    def run():
        made = [make_person(identity_level=level, status=status, name=name) for level, status, name in people]
        for number, date in enumerate(dates):
            make_detention(person=made[number % len(made)], detained_on=date)
        assert_kept_orders_hold()
        for operation in writes:
            write_order(operation, made)
            assert_kept_orders_hold(operation)
        return True

    assert rolled_back(run)


def test_a_person_shown_by_initials_sorts_by_the_year_and_ties_with_the_named():
    # Named, detained on 1 January 2020; by initials, on 30 December 2020: shown as 2020 (1 January).
    named = make_person(name="Bbb Named", identity_level="full")
    make_detention(person=named, detained_on=datetime.date(2020, 1, 1))
    initials = make_person(name="Aaa Initials", identity_level="initials")
    make_detention(person=initials, detained_on=datetime.date(2020, 12, 30))
    later = make_person(name="Ccc Later", identity_level="full")
    make_detention(person=later, detained_on=datetime.date(2020, 6, 1))
    undated = make_person(name="Ddd Undated", identity_level="full")
    make_detention(person=undated, detained_on=None)
    make_detention(person=make_person(identity_level="withheld"), detained_on=datetime.date(2024, 1, 1))
    # A. A. sorts before Bbb Named at the same shown date; the undated come last both ways.
    assert kept_order("", "newest", 10) == [later.pk, initials.pk, named.pk, undated.pk] == reference("", "newest")
    assert kept_order("", "oldest", 10) == [initials.pk, named.pk, later.pk, undated.pk] == reference("", "oldest")


def test_the_registry_page_lists_people_in_the_kept_order(client):
    first = make_person(name="Zz First")
    make_detention(person=first, detained_on=datetime.date(2023, 1, 1))
    second = make_person(name="Aa Second")
    make_detention(person=second, detained_on=datetime.date(2021, 1, 1))
    page = client.get("/prisoners/?status=held&order=newest").content.decode()
    assert page.index("Zz First") < page.index("Aa Second")
    page = client.get("/prisoners/?status=held&order=oldest").content.decode()
    assert page.index("Aa Second") < page.index("Zz First")


def test_a_renamed_person_and_a_changed_date_move_in_the_kept_orders():
    first, second = make_person(name="Bbb"), make_person(name="Ccc")
    detention = make_detention(person=first, detained_on=datetime.date(2020, 1, 1))
    make_detention(person=second, detained_on=datetime.date(2021, 1, 1))
    assert kept_order("held", "name", 10) == [first.pk, second.pk] == reference("held", "name")
    first.name = "Ddd"
    first.save()
    assert kept_order("held", "name", 10) == [second.pk, first.pk] == reference("held", "name")
    assert kept_order("", "newest", 10) == [second.pk, first.pk] == reference("", "newest")
    Detention.objects.filter(pk=detention.pk).update(detained_on=datetime.date(2022, 1, 1))
    assert kept_order("", "newest", 10) == [first.pk, second.pk] == reference("", "newest")
    Person.objects.filter(pk=first.pk).update(identity_level="withheld")
    assert kept_order("", "newest", 10) == [second.pk] == reference("", "newest")
