"""The registry's filtered lists read their keys in shapes that do not grow with the registry's scans.

- Filtered by the person alone (name search, home region) and custody status,
  in any order: the keys come from the rows kept per person and custody status
  (events.registry.kept_people), equal to in_public_order().
- The article filter starts from the article's index (tracker 0011's
  tracker_charge_article_key), never from every detention or person.
- A page's rows are read as values (events.registry.page_rows), the same rows
  as the model instances gave.
"""

import datetime

import pytest
from django.core.cache import cache
from django.db import connection
from django.http import QueryDict
from django.test.utils import CaptureQueriesContext

from events import registry
from events.filters import PrisonerFilter
from events.models import Event
from tests.factories import make_charge, make_detention, make_event, make_person, make_release, make_released_detention
from tracker.models import Detention, Person
from tracker.models.people import FACETS
from tracker.prepared import Prepared

pytestmark = pytest.mark.django_db

FULL, INITIALS, WITHHELD = Person.IdentityLevel.FULL, Person.IdentityLevel.INITIALS, Person.IdentityLevel.WITHHELD
HELD, RELEASED = Detention.CustodyStatus.HELD, Detention.CustodyStatus.RELEASED


@pytest.fixture
def people():
    made = []
    for index in range(10):
        person = make_person(
            name=f"Losik {index}" if index % 2 else f"Other {index}",
            identity_level=[FULL, INITIALS, WITHHELD][index % 3] if index % 4 else FULL,
            region="Minsk" if index % 3 else "Brest",
        )
        on = None if index == 9 else datetime.date(2020 + index % 3, 1 + index, 1 + index)
        detention = make_detention(person=person, detained_on=on, custody_status=HELD if index % 2 else RELEASED)
        make_charge(detention=detention, article="342" if index % 2 else "130")
        if index in (1, 4):
            make_detention(person=person, detained_on=datetime.date(2024, 6, 1), custody_status=RELEASED)
        made.append(person)
    return made


def bound(query):
    filterset = PrisonerFilter(QueryDict(query), queryset=Detention.objects.published())
    assert filterset.is_valid(), filterset.errors
    return filterset


@pytest.mark.parametrize("order", ["", "name", "newest", "oldest"])
@pytest.mark.parametrize(
    "query",
    ["q=Losik", "region=Minsk", "region=Brest", "q=Losik&status=held", "region=Minsk&status=released", "q=Nobody"],
)
def test_lists_filtered_by_the_person_are_read_from_the_kept_rows_in_the_public_order(people, order, query):
    filterset = bound(f"{query}&order={order}")
    assert registry.kept_people(filterset) is not None
    expected = list(registry.in_public_order(filterset.qs, order).values_list("pk", flat=True))
    with CaptureQueriesContext(connection) as queries:
        found = registry.listed_ids(filterset, order)
    assert found == expected
    # A region alone (and custody status) is kept per filter value; with a name, per person.
    kept = "tracker_personfacet" if registry.kept_facet(filterset) else "tracker_personcustody"
    assert any(kept in query["sql"] for query in queries) or not expected
    assert ("tracker_personfacet" in kept) == ("q=" not in query)


@pytest.mark.parametrize(
    "query", ["article=342", "detained_year=2021&region=Minsk", "q=Losik&article=342", "status=held"]
)
def test_other_lists_are_not_read_from_the_person_rows(people, query):
    assert registry.kept_people(bound(query)) is None


@pytest.mark.parametrize(
    "query",
    ["article=342&detained_year=2021", "article=342&status=held&released_year=2024", "article=130&order=newest"],
)
def test_the_article_filter_starts_from_the_articles_index(people, query):
    filterset = bound(query)
    order = filterset.form.cleaned_data["order"]
    expected = list(registry.in_public_order(filterset.qs, order).values_list("pk", flat=True))
    cache.clear()  # the keys read, not those an earlier test left under the same key
    with CaptureQueriesContext(connection) as queries:
        assert registry.listed_ids(filterset, order) == expected
    if registry.kept_facet(filterset) is not None:
        # An article alone (and custody status): its people are kept in order, one index read.
        assert [query["sql"] for query in queries if "tracker_personfacet" in query["sql"]]
        return
    (sql,) = [query["sql"] for query in queries if "tracker_charge" in query["sql"]]
    if connection.vendor != "sqlite":
        return
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN QUERY PLAN {sql}")
        plan = [row[-1] for row in cursor.fetchall()]
    assert any("COVERING INDEX tracker_charge_article_key" in step for step in plan), plan
    # Which side leads depends on the statistics (a few rows here, ANALYZEd or not by earlier tests):
    # at 200,000 people the plan starts from the list (LIST SUBQUERY); here the index must be read.


def test_page_rows_are_the_rows_of_the_model_instances(people):
    release = make_release(event=make_event(kind=Event.Kind.RELEASE, title="Freed in June")).event
    freed = Detention.objects.filter(person=people[3]).first()
    make_released_detention(release=release, detention=freed)
    filterset = bound("order=newest")
    ids = registry.listed_ids(filterset, "newest")
    assert people[3].pk in ids
    light = registry.page_rows(ids, filterset.qs)
    models = registry.registry_rows(registry.people_in_order(ids, filterset.qs))

    def releases(rows):
        return [
            [(d.release.title, d.release.get_absolute_url()) if d.release else None for d in row.detentions]
            for row in rows
        ]

    assert releases(light) == releases(models)
    assert ("Freed in June", release.get_absolute_url()) in sum(releases(light), [])
    for row in (*light, *models):
        for detention in row.detentions:
            detention.release = None
    assert light == models


@pytest.mark.parametrize(
    "query", ["q=Losik", "q=Losik&status=held", "q=Other", "q=Other&status=released", "q=Other&region=Minsk"]
)
def test_a_list_chosen_by_the_person_shows_the_detentions_its_filters_match(people, query):
    # The page reads its people's detentions by key alone (shown_detentions), not through the name
    # search again: the same rows, for a person filter matches every detention of the custody status.
    filterset = bound(query)
    assert registry.person_filtered(filterset) is not None
    ids = registry.listed_ids(filterset, "")
    assert ids
    assert registry.page_rows(ids, registry.shown_detentions(filterset)) == registry.page_rows(ids, filterset.qs)
    assert "search_key" not in str(registry.shown_detentions(filterset).build(ids).query)


@pytest.mark.parametrize("query", [None, "status=held", "status=released&order=newest", "order=oldest&page=1"])
def test_a_list_by_custody_status_alone_shows_the_detentions_its_filters_match(people, query):
    # Read through a query of a fixed shape per custody status (tracker/prepared.py): the same rows as the filters'.
    filterset = bound(query) if query else PrisonerFilter(None, queryset=Detention.objects.published())
    assert registry.kept_status(filterset) is not None
    ids = registry.listed_ids(filterset, "")
    assert ids
    shown = registry.shown_detentions(filterset)
    assert isinstance(shown, Prepared)
    assert registry.page_rows(ids, shown) == registry.page_rows(ids, filterset.qs)


def test_a_list_with_a_detention_filter_reads_the_filtered_detentions(people):
    filterset = bound("q=Losik&detained_year=2023")
    assert registry.person_filtered(filterset) is None and registry.kept_status(filterset) is None
    assert not isinstance(registry.shown_detentions(filterset), Prepared)


@pytest.mark.parametrize("order", ["", "newest", "oldest"])
def test_a_name_search_with_a_custody_status_keeps_only_that_status(people, order):
    # Named people whose detentions differ in custody status, and one whose only detention is a draft:
    # each list holds those with a published detention in the status asked, each with those detentions.
    from tracker.publishing import Status

    both = make_person(name="Losik Both")
    make_detention(person=both, custody_status=HELD, detained_on=datetime.date(2023, 3, 1))
    make_detention(person=both, custody_status=RELEASED, detained_on=datetime.date(2020, 3, 1))
    released = make_person(name="Losik Released")
    make_detention(person=released, custody_status=RELEASED)
    drafted = make_person(name="Losik Drafted")
    make_detention(person=drafted, custody_status=HELD, status=Status.DRAFT)
    for query, wanted, unwanted in [
        ("q=Losik", {both, released}, {drafted}),
        ("q=Losik&status=held", {both}, {released, drafted}),
        ("q=Losik&status=released", {both, released}, {drafted}),
    ]:
        filterset = bound(f"{query}&order={order}")
        ids = registry.listed_ids(filterset, order)
        assert ids == list(registry.in_public_order(filterset.qs, order).values_list("pk", flat=True))
        assert {person.pk for person in wanted} <= set(ids)
        assert not {person.pk for person in unwanted} & set(ids)
        rows = registry.page_rows(ids, registry.shown_detentions(filterset))
        assert rows == registry.page_rows(ids, filterset.qs)
        status = filterset.form.cleaned_data["status"]
        for row in rows:
            assert row.detentions
            if status:
                assert {detention.custody_status_code for detention in row.detentions} == {status}


def test_everyone_the_name_search_finds_is_listed():
    # The name search's list asks the kept rows for a custody status, not for "listed"
    # (registry.person_filtered_ids): it may, for every level named in full is a listed one.
    from tracker.names import LISTED_LEVELS, NAMED_LEVELS

    assert set(NAMED_LEVELS) <= set(LISTED_LEVELS)


def test_other_lists_show_the_detentions_their_filters_match(people):
    filterset = bound("q=Losik&detained_year=2024")
    assert registry.person_filtered(filterset) is None
    assert registry.shown_detentions(filterset) is not None
    assert str(registry.shown_detentions(filterset).query) == str(filterset.qs.query)


@pytest.mark.parametrize("order", ["", "name", "newest", "oldest"])
@pytest.mark.parametrize(
    "query",
    [
        "article=342",
        "article=130&status=released",
        "facility=Okrestina",
        "region=Minsk&article=342",
        "detained_year=2021",
        "detained_year=2021&status=held",
        "released_year=2020",
    ],
)
def test_kept_and_matched_lists_are_the_people_the_detentions_give(people, order, query):
    """listed_ids() (kept per filter value, or read from the matching detentions) equals in_public_order()."""
    for person in people[:6]:
        make_detention(person=person, facility="Okrestina", detained_on=datetime.date(2021, 3, 3))
    filterset = bound(f"{query}&order={order}")
    expected = list(registry.in_public_order(filterset.qs, order).values_list("pk", flat=True))
    assert registry.matched_ids(bound(f"{query}&order={order}"), order) == expected
    kept = registry.kept_facet(bound(f"{query}&order={order}"))
    # Kept: one filter of FACETS, or a home region and one other (tracker/migrations/0013_facet_regions.py).
    chosen = {pair.split("=")[0] for pair in query.split("&")} - {"status"}
    assert (kept is not None) == (chosen <= FACETS.keys() and len(chosen - {"region"}) <= 1)
    cache.clear()
    assert registry.listed_ids(bound(f"{query}&order={order}"), order) == expected
