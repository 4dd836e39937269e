"""The registry's orders per filter value (migrations tracker 0012, 0013) equal in_public_order(), after any writes.

A list filtered by one year of detention, article, facility or home region,
or by a home region and one of the others (and custody status), is read by events.registry.listed_ids() from
tracker_personfacet (tracker.models.people.kept_facet_order), whose rows
triggers keep in the transaction of each write. Hypothesis writes sequences
on every path of tests/test_registry_date_orders.py, plus the writes that
move a person in or out of a filter value: a charge added, changed (in the
ORM and in raw SQL), moved to another detention or deleted; a facility
changed; a region changed. After each, every value, custody status and order
must list exactly the people, in exactly the order, in_public_order() gives
from the detentions the filter matches (the reference), and the table must
equal its rebuild.
"""

import datetime

import pytest
from django.db import IntegrityError, connection, transaction
from hypothesis import given, settings
from hypothesis import strategies as st

from events import registry
from events.filters import PrisonerFilter
from tests.factories import make_charge, make_detention, make_person
from tests.kept_contracts import rolled_back
from tests.test_registry_date_orders import DATES, NAMES, ORDER_WRITES, ORDERS, write_order
from tests.test_registry_totals import INDEX, LEVELS, STATUSES, contract, pick
from tracker.kept_tables import KEPT
from tracker.models import Charge, Detention, Person
from tracker.models.people import kept_facet_order

pytestmark = pytest.mark.django_db

ARTICLES = st.sampled_from(["342", "130", "361-1"])
FACILITIES = st.sampled_from(["", "Okrestina", "Penal colony No. 2"])
REGIONS = st.sampled_from(["", "Minsk", "Brest"])

# Each kind of write drawn as often as the others (sampled_from): one_of() drew its first branches far more
# often, and 30 examples with ORDER_WRITES first made 5 region writes and missed a trigger that ignored them.
FACET_WRITES = st.sampled_from(
    [
        st.tuples(st.just("charge_add"), INDEX, ARTICLES),
        st.tuples(st.just("charge_save"), INDEX, ARTICLES),
        st.tuples(st.just("charge_sql"), INDEX, ARTICLES),
        st.tuples(st.just("charge_move"), INDEX, INDEX),
        st.tuples(st.just("charge_delete"), INDEX),
        st.tuples(st.just("facility_save"), INDEX, FACILITIES),
        st.tuples(st.just("facility_update"), INDEX, FACILITIES),
        st.tuples(st.just("region_save"), INDEX, REGIONS),
        st.tuples(st.just("region_update"), INDEX, REGIONS),
        ORDER_WRITES,
    ]
).flatmap(lambda kind: kind)

# Values the writes make and take away (ARTICLES' third and the dates' 2021 often match nobody).
VALUES = {
    "detained_year": [2020, 2021],
    "article": ["342", "130"],
    "facility": ["Okrestina", "Penal colony No. 2"],
    "region": ["Minsk", "Brest"],
}
CUSTODY_STATUSES = ["", "released"]


def write_facet(operation, people):
    name, *args = operation
    if name == "charge_add":
        detention = pick(Detention.objects.all(), args[0])
        if detention is not None:
            make_charge(detention=detention, article=args[1])
    elif name == "charge_save":
        charge = pick(Charge.objects.all(), args[0])
        if charge is not None:
            charge.article = args[1]
            charge.save()
    elif name == "charge_sql":
        charge = pick(Charge.objects.all(), args[0])
        if charge is not None:
            with connection.cursor() as cursor:
                cursor.execute("UPDATE tracker_charge SET article = %s WHERE id = %s", [args[1], charge.pk])
    elif name == "charge_move":
        charge, detention = pick(Charge.objects.all(), args[0]), pick(Detention.objects.all(), args[1])
        if charge is not None and detention is not None:
            Charge.objects.filter(pk=charge.pk).update(detention=detention)
    elif name == "charge_delete":
        charge = pick(Charge.objects.all(), args[0])
        if charge is not None:
            charge.delete()
    elif name.startswith(("facility_", "region_")):
        # A detention's facility or a person's region: saved through the model, or updated in the queryset.
        field, how = name.split("_")
        model = Detention if field == "facility" else Person
        row = pick(model.objects.all(), args[0])
        if row is None:
            return
        if how == "save":
            setattr(row, field, args[1])
            row.save()
        else:
            model.objects.filter(pk=row.pk).update(**{field: args[1]})
    else:
        write_order(operation, people)


def reference(filter_name, value, custody_status, order, region=None):
    """The people in_public_order() lists for the published detentions this filter value (and region) chooses.

    The filter's own method applied to a valid list of the custody status: a value nobody has is no choice
    of the form (the page answers 400), but the kept rows must list nobody for it all the same.
    """
    filterset = PrisonerFilter({"status": custody_status, "order": order}, queryset=Detention.objects.published())
    assert filterset.is_valid(), filterset.form.errors
    detentions = getattr(filterset, f"filter_{filter_name}")(filterset.qs, filter_name, value)
    if region is not None:
        detentions = filterset.filter_region(detentions, "region", region)
    return list(registry.in_public_order(detentions, order).prefetch_related(None).values_list("pk", flat=True))


def rows():
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM tracker_personfacet")
        return sorted(tuple(str(value) for value in row) for row in cursor.fetchall())


def as_rebuilt():
    def rebuild():
        (statements,) = [statements for tables, statements in KEPT if tables == ("tracker_personfacet",)]
        with connection.cursor() as cursor:
            for statement in statements[connection.vendor]:
                cursor.execute(statement)
        return rows()

    return rolled_back(rebuild)


def assert_kept_facets_hold(operation=None):
    for filter_name, values in VALUES.items():
        for value in values:
            for custody_status in CUSTODY_STATUSES:
                for order in ORDERS:
                    expected = reference(filter_name, value, custody_status, order)
                    found = kept_facet_order(filter_name, value, custody_status, order, 1_000)
                    assert found == expected, (operation, filter_name, value, custody_status, order)
    # A home region with each other filter (tracker/migrations/0013_facet_regions.py).
    for filter_name in ("detained_year", "article", "facility"):
        for value in VALUES[filter_name]:
            for region in VALUES["region"]:
                for custody_status in CUSTODY_STATUSES:
                    for order in ORDERS:
                        expected = reference(filter_name, value, custody_status, order, region)
                        found = kept_facet_order(filter_name, value, custody_status, order, 1_000, region=region)
                        assert found == expected, (operation, filter_name, value, region, custody_status, order)
    assert rows() == as_rebuilt(), operation


@settings(contract, max_examples=30)
@given(
    people=st.lists(st.tuples(LEVELS, STATUSES, NAMES, REGIONS), min_size=2, max_size=4),
    detentions=st.lists(st.tuples(DATES, FACILITIES, ARTICLES), min_size=2, max_size=5),
    writes=st.lists(FACET_WRITES, min_size=1, max_size=8),
)
def test_kept_facets_equal_in_public_order_after_writes_on_every_path(people, detentions, writes):
    def run():
        made = [
            make_person(identity_level=level, status=status, name=name, region=region)
            for level, status, name, region in people
        ]
        for number, (date, facility, article) in enumerate(detentions):
            detention = make_detention(person=made[number % len(made)], detained_on=date, facility=facility)
            make_charge(detention=detention, article=article)
        assert_kept_facets_hold()
        for operation in writes:
            try:
                with transaction.atomic():
                    write_facet(operation, made)
            except IntegrityError:
                pass  # a charge the detention has already (its unique key): refused, nothing written
            assert_kept_facets_hold(operation)
        return True

    assert rolled_back(run)


def test_a_facility_and_a_region_list_only_people_named_in_full():
    named = make_person(name="Named Person", identity_level="full", region="Minsk")
    initials = make_person(name="Initials Person", identity_level="initials", region="Minsk")
    withheld = make_person(name="Withheld Person", identity_level="withheld", region="Minsk")
    for person in (named, initials, withheld):
        detention = make_detention(person=person, facility="Okrestina", detained_on=datetime.date(2021, 5, 1))
        make_charge(detention=detention, article="342")
    assert kept_facet_order("facility", "Okrestina", "", "name", 10) == [named.pk]
    assert kept_facet_order("region", "Minsk", "", "name", 10) == [named.pk]
    # The year and the article are shown for people shown by initials: they are listed there; the withheld never.
    assert set(kept_facet_order("article", "342", "", "name", 10)) == {named.pk, initials.pk}
    assert set(kept_facet_order("detained_year", 2021, "held", "newest", 10)) == {named.pk, initials.pk}


def test_a_person_sorts_by_the_matching_detention_not_their_latest():
    # Two people; the first's latest detention (2024) is under another article than the one filtered.
    first, second = make_person(name="Aaa First"), make_person(name="Bbb Second")
    make_charge(detention=make_detention(person=first, detained_on=datetime.date(2020, 1, 1)), article="342")
    make_charge(detention=make_detention(person=first, detained_on=datetime.date(2024, 1, 1)), article="130")
    make_charge(detention=make_detention(person=second, detained_on=datetime.date(2022, 1, 1)), article="342")
    assert kept_facet_order("article", "342", "", "newest", 10) == [second.pk, first.pk]
    assert reference("article", "342", "", "newest") == [second.pk, first.pk]
    assert kept_facet_order("article", "130", "", "newest", 10) == [first.pk]


def test_the_registry_page_filtered_by_an_article_reads_the_kept_rows(client):
    person = make_person(name="Zz Kept")
    make_charge(detention=make_detention(person=person), article="342")
    page = client.get("/prisoners/?article=342&order=newest").content.decode()
    assert "Zz Kept" in page


@pytest.mark.parametrize(
    "operation",
    [
        ("region_update", 0, "Brest"),
        ("region_save", 0, "Brest"),
        ("facility_update", 0, "Penal colony No. 2"),
        ("facility_save", 0, ""),
        ("charge_sql", 0, "130"),
        ("charge_move", 0, 1),
        ("charge_delete", 0),
        ("date_update", 0, datetime.date(2021, 3, 1)),
        ("person_level_sql", 0, "initials"),
        ("person_status", 0, "draft"),
    ],
)
def test_each_write_moves_the_person_it_changes(operation):
    """Each path once, on a person who matches every value first, so that each write changes what is kept."""
    first = make_person(name="Aaa First", region="Minsk")
    second = make_person(name="Bbb Second", region="Minsk")
    for person, article in ((first, "342"), (second, "130")):
        detention = make_detention(person=person, facility="Okrestina", detained_on=datetime.date(2020, 6, 3))
        make_charge(detention=detention, article=article)
    assert_kept_facets_hold()
    write_facet(operation, [first, second])
    assert_kept_facets_hold(operation)
    assert rows() != [], operation
