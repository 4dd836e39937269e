"""The name search's fast path finds exactly whom the plain test finds.

On SQLite, PersonQuerySet.matching() first narrows the people by an FTS5
phrase query on the trigram index of their search keys (answered from the
index alone) instead of a LIKE on that index (which read every candidate's
row from tracker_person to test it). These tests hold the people it finds
equal to the old LIKE subquery and to the definition of a match, for random
names, spellings, prefixes and initials, at every identity level and status.
"""

import pytest
from django.db import connection
from django.db.models.expressions import RawSQL
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.factories import make_name_variant, make_person
from tracker.models import MAX_SEARCH_WORDS, Person
from tracker.models.people import _INDEXED_KEY
from tracker.publishing import Status
from tracker.search import word_keys

pytestmark = pytest.mark.django_db

# One name in several spellings (the search folds them together), and names that share trigrams.
FIRST = ["Сяргей", "Siarhei", "Sergei", "Ксения", "Ksenia", "Алесь", "Ales", "Ihar", "Игорь", "Дзмітрый", "Dmitry"]
LAST = [
    "Іваноў",
    "Иванов",
    "Ivanova",
    "Павловская",
    "Paulouskaya",
    "Дмитриев",
    "Dzmitryeu",
    "Ціханоўскі",
    "Tikhanovsky",
    "Лосік",
    "Losik",
    "Никитина",
    "Лявонава",
    "Navanov",
    "Vanko",
]
WORDS = FIRST + LAST + ["S", "я", "Iv", "Ivan", "Pav", "Tsikh", "va", "nov", "Ї", "x", "'", "-", "%", "_", "\\"]

search = settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


def old_matching(people, query):
    """matching() as it was: the FTS5 index asked by LIKE '% key%' per indexed word, then the plain test."""
    keys = list(dict.fromkeys(word_keys(query)))[:MAX_SEARCH_WORDS]
    if not keys:
        return people.none()
    indexed = [key for key in keys if _INDEXED_KEY.fullmatch(key)]
    if connection.vendor == "sqlite" and indexed:
        tests = " AND ".join(["search_key LIKE %s"] * len(indexed))
        found = RawSQL(f"SELECT rowid FROM tracker_person_search WHERE {tests}", [f"% {key}%" for key in indexed])
        people = people.filter(pk__in=found)
    for key in keys:
        people = people.filter(search_key__contains=f" {key}")
    return people


def defined(people, query):
    """The definition: every word of the query (its first distinct ones) starts some word of one of the names."""
    keys = list(dict.fromkeys(word_keys(query)))[:MAX_SEARCH_WORDS]
    return {person.pk for person in people if keys and all(f" {key}" in person.search_key for key in keys)}


@pytest.fixture
def registry(db):
    """Some 60 people: names in one spelling or another, variants in others, at every level and status."""
    people = []
    levels = list(Person.IdentityLevel.values)
    statuses = [Status.PUBLISHED, Status.PUBLISHED, Status.DRAFT]
    for number in range(60):
        name = f"{FIRST[number % len(FIRST)]} {LAST[(number * 7) % len(LAST)]}"
        person = make_person(name=name, identity_level=levels[number % 3], status=statuses[(number // 3) % 3])
        if number % 4 == 0:
            make_name_variant(
                person=person, name=f"{FIRST[(number + 1) % len(FIRST)]} {LAST[(number + 2) % len(LAST)]}"
            )
        people.append(person)
    return people


@search
@given(words=st.lists(st.sampled_from(WORDS), min_size=1, max_size=4), cut=st.integers(min_value=0, max_value=5))
def test_the_fast_path_finds_whom_the_old_one_and_the_definition_find(registry, words, cut):
    query = " ".join(words)
    if cut:
        query = query[:-cut] or query  # a word being typed: a prefix
    everyone = list(Person.objects.all())
    expected = defined(everyone, query)

    assert {person.pk for person in Person.objects.matching(query)} == expected
    assert {person.pk for person in old_matching(Person.objects.all(), query)} == expected
    # The registry asks it of the people named in full only: nobody else, in the same order as before.
    named = Person.objects.named().matching(query).order_by("sort_name", "uid")
    old = old_matching(Person.objects.named(), query).order_by("sort_name", "uid")
    assert list(named.values_list("pk", flat=True)) == list(old.values_list("pk", flat=True))
    assert all(p.identity_level == "full" and p.status == Status.PUBLISHED for p in named)


@pytest.mark.skipif(connection.vendor != "sqlite", reason="the FTS5 index is SQLite's")
def test_sqlite_asks_its_trigram_index_by_phrase_not_by_like(registry):
    """A LIKE on the FTS5 table reads every candidate's row from tracker_person to test it; a phrase does not."""
    sql, params = Person.objects.matching("Ксения Иванова").query.sql_with_params()

    subquery = sql[sql.index("tracker_person_search") : sql.index(")", sql.index("tracker_person_search"))]
    assert "MATCH" in subquery and "LIKE" not in subquery
    assert '" ksn" " avnv"' in params
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN QUERY PLAN {sql}", params)
        plan = " ".join(str(row) for row in cursor.fetchall())
    assert "VIRTUAL TABLE INDEX" in plan


@pytest.mark.skipif(connection.vendor != "sqlite", reason="the FTS5 index is SQLite's")
@search
@given(key=st.text(alphabet="abdhklmnprstvz", min_size=2, max_size=7))
def test_a_phrase_of_the_trigram_index_is_the_like_it_replaces(registry, key):
    """Every key the index is asked for (a-z, two letters or more): the same rows as LIKE '% key%'."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT rowid FROM tracker_person_search WHERE search_key LIKE %s ORDER BY 1", [f"% {key}%"])
        like = cursor.fetchall()
        cursor.execute(
            "SELECT rowid FROM tracker_person_search WHERE tracker_person_search MATCH %s ORDER BY 1", [f'" {key}"']
        )
        assert cursor.fetchall() == like
