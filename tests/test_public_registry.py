"""The prisoner registry (/prisoners/) and the person page: content, filters, search, and DOMAIN rule 2."""

import datetime
import re
from urllib.parse import unquote_plus

import pytest

from events.models import Event
from tests.factories import (
    make_charge,
    make_detention,
    make_event,
    make_name_variant,
    make_organization,
    make_person,
    make_release,
    make_released_detention,
    make_source,
)
from tracker.models import Detention, DetentionSource, NameVariant, Person
from tracker.publishing import Status

pytestmark = pytest.mark.django_db

FULL, INITIALS, WITHHELD = Person.IdentityLevel.FULL, Person.IdentityLevel.INITIALS, Person.IdentityLevel.WITHHELD
HELD, RELEASED, DEPORTED = (
    Detention.CustodyStatus.HELD,
    Detention.CustodyStatus.RELEASED,
    Detention.CustodyStatus.DEPORTED,
)
EXCHANGE = Detention.ReleaseMode.EXCHANGE_OR_DEPORTATION

# /prisoners/ with rows, with nothing cached yet: the data version (1), the
# region, facility and article choices in one query and the release choices
# (2), the registry's totals (listed and withheld people, in all and per
# custody status) or, under other filters, nothing (1), the keys of the people
# the list shows, in order (1), the people of the page (1), their matching
# detentions (1), the detentions' charges (1), their releases with the release
# events (1).
REGISTRY_QUERIES = 9
# A person page: the data version (1), the person (1), their name variants (1),
# their detentions with who recognised them (1), the charges (1), the releases
# with their events (1), the detentions' sources with the sources and publishers (1).
PERSON_QUERIES = 7
# Any public page again, the data unchanged: the data version, then the page as it was rendered.
CACHED_PAGE_QUERIES = 1


def make_detention_source(**kwargs):
    if "detention" not in kwargs:
        kwargs["detention"] = make_detention()
    if "source" not in kwargs:
        kwargs["source"] = make_source()
    return DetentionSource.objects.create(**kwargs)


def make_prisoner(name, identity_level=FULL, person=None, **kwargs):
    """A published person with one published detention; keyword arguments go to the detention."""
    if person is None:
        person = make_person(name=name, identity_level=identity_level)
    return make_detention(person=person, **kwargs)


def freed(detention, release, on=datetime.date(2025, 9, 11)):
    """End `detention` by `release` (an Event of kind release): deported on `on`."""
    link = make_released_detention(release=release, detention=detention)
    # After the link, which ends a detention still held on the release's date.
    Detention.objects.filter(pk=detention.pk).update(custody_status=DEPORTED, released_on=on, release_mode=EXCHANGE)
    return link


def listed(client, query=""):
    """The names in the registry's rows, in page order."""
    response = client.get(f"/prisoners/{query}")
    assert response.status_code == 200, response.content.decode()[:2000]
    return re.findall(r'<th scope="rowgroup"[^>]*><a href="[^"]+">([^<]+)</a>', response.content.decode())


def result_count(html):
    return re.search(r'<p class="result-count"[^>]*>(\d+) (?:person|people)', html).group(1)


UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


def without_uids(html):
    """The page with its random uids blanked, so that a year such as 1999 cannot turn up inside one."""
    return UUID.sub("<uid>", html)


def without_form(html):
    """The page minus its filter form and CSV link, which echo what was typed into the form."""
    html = re.sub(r'<p class="download">.*?</p>', "", html, flags=re.DOTALL)
    return re.sub(r'<form method="get".*?</form>', "", html, flags=re.DOTALL)


# Content


def test_registry_lists_people_with_published_detentions_not_actors(client, belarus):
    assert listed(client) == ["Siarhei Tsikhanouski"]
    html = client.get("/prisoners/").content.decode()
    assert "John Coale" not in without_form(html)


def test_registry_row_shows_status_dates_in_their_precision_facility_articles_and_release(client):
    release = make_release(event=make_event(kind=Event.Kind.RELEASE, title="Release of 52 detainees")).event
    detention = make_prisoner(
        "Ales Bialiatski",
        detained_on=datetime.date(2021, 7, 14),
        detained_on_precision="month",
        facility="Penal colony No. 9, Horki",
    )
    make_charge(detention=detention, article="228 part 4")
    make_charge(detention=detention, article="243")
    freed(detention, release)

    html = client.get("/prisoners/").content.decode()

    assert f'<a href="/prisoners/{detention.person.uid}/">Ales Bialiatski</a>' in html
    assert '<td data-label="Custody status">Deported</td>' in html
    assert '<time datetime="2021-07">July 2021</time>' in html
    assert "14 July 2021" not in html and "1 July 2021" not in html
    assert '<time datetime="2025-09-11">11 September 2025</time>' in html
    assert "Penal colony No. 9, Horki" in html
    assert '<td data-label="Articles">228 part 4, 243</td>' in html
    assert f'<a href="/events/{release.uid}/">Release of 52 detainees</a>' in html


def test_registry_shows_each_detention_of_a_person_in_one_entry(client):
    person = make_person(name="Mikalai Statkevich")
    make_prisoner(
        "",
        person=person,
        detained_on=datetime.date(2010, 12, 19),
        custody_status=RELEASED,
        released_on=datetime.date(2017, 12, 19),
    )
    make_prisoner("", person=person, detained_on=datetime.date(2020, 5, 31))

    html = client.get("/prisoners/").content.decode()

    assert listed(client) == ["Mikalai Statkevich"]
    assert result_count(html) == "1"
    assert 'rowspan="2"' in html
    assert html.index("31 May 2020") < html.index("19 December 2010")


def test_registry_hides_drafts_and_unpublished_people(client):
    make_prisoner("Published Person")
    draft = make_prisoner("Draft Person")
    Person.objects.filter(pk=draft.person_id).update(status=Status.DRAFT)
    make_prisoner("Draft Detention", status=Status.DRAFT)
    make_prisoner("In Review Detention", status=Status.IN_REVIEW)
    retracted = make_prisoner("Retracted Person")
    Person.objects.filter(pk=retracted.person_id).update(status=Status.RETRACTED)

    html = client.get("/prisoners/").content.decode()

    assert listed(client) == ["Published Person"]
    for name in ["Draft Person", "Draft Detention", "In Review Detention", "Retracted Person"]:
        assert name not in html


def test_registry_hides_draft_releases_and_their_choice(client):
    draft_release = make_release(
        event=make_event(kind=Event.Kind.RELEASE, title="Secret release", status=Status.DRAFT)
    ).event
    freed(make_prisoner("Ihar Losik"), draft_release)

    html = client.get("/prisoners/").content.decode()

    assert "Secret release" not in html
    assert client.get(f"/prisoners/?release={draft_release.uid}").status_code == 400


def test_registry_empty_state(client):
    html = client.get("/prisoners/").content.decode()
    assert "No one is listed in the registry yet." in html
    assert "0 people." in html


def test_registry_empty_state_for_filters_that_match_nobody(client):
    make_prisoner("Ihar Losik")
    html = client.get("/prisoners/?status=died_in_custody").content.decode()
    assert "No one listed here matches these filters." in html
    assert '<a href="/prisoners/">Show everyone</a>' in html


# Filters


@pytest.fixture
def registry(db):
    """Four named prisoners that differ in every filtered detail, and a release that freed one."""
    release = make_release(event=make_event(kind=Event.Kind.RELEASE, title="September release")).event
    other_release = make_release(event=make_event(kind=Event.Kind.RELEASE, title="June release")).event
    losik = make_prisoner("Ihar Losik", detained_on=datetime.date(2020, 6, 25), facility="Navapolatsk colony")
    make_charge(detention=losik, article="342")
    Person.objects.filter(pk=losik.person_id).update(region="Baranavichy")
    bialiatski = make_prisoner("Ales Bialiatski", detained_on=datetime.date(2021, 7, 14), facility="Horki colony")
    make_charge(detention=bialiatski, article="228 part 4")
    Person.objects.filter(pk=bialiatski.person_id).update(region="Minsk")
    freed(bialiatski, release, on=datetime.date(2025, 9, 11))
    kalesnikava = make_prisoner("Марыя Калеснікава", detained_on=datetime.date(2020, 9, 7), facility="Homiel colony")
    make_charge(detention=kalesnikava, article="361 part 3")
    Person.objects.filter(pk=kalesnikava.person_id).update(region="Minsk")
    freed(kalesnikava, other_release, on=datetime.date(2025, 6, 21))
    Detention.objects.filter(pk=kalesnikava.pk).update(custody_status=RELEASED)
    babaryka = make_prisoner("Viktar Babaryka", detained_on=datetime.date(2020, 6, 18), facility="Navapolatsk colony")
    make_charge(detention=babaryka, article="342")
    return {"release": release, "other_release": other_release}


@pytest.mark.parametrize(
    "query, names",
    [
        ("", ["Ales Bialiatski", "Ihar Losik", "Viktar Babaryka", "Марыя Калеснікава"]),
        ("?status=held", ["Ihar Losik", "Viktar Babaryka"]),
        ("?status=deported", ["Ales Bialiatski"]),
        ("?status=released", ["Марыя Калеснікава"]),
        ("?region=Minsk", ["Ales Bialiatski", "Марыя Калеснікава"]),
        ("?region=Baranavichy", ["Ihar Losik"]),
        ("?facility=Navapolatsk+colony", ["Ihar Losik", "Viktar Babaryka"]),
        ("?article=342", ["Ihar Losik", "Viktar Babaryka"]),
        ("?article=228+part+4", ["Ales Bialiatski"]),
        ("?detained_year=2020", ["Ihar Losik", "Viktar Babaryka", "Марыя Калеснікава"]),
        ("?detained_year=2021", ["Ales Bialiatski"]),
        ("?detained_year=2019", []),
        ("?released_year=2025", ["Ales Bialiatski", "Марыя Калеснікава"]),
        ("?status=held&article=342&detained_year=2020&facility=Navapolatsk+colony", ["Ihar Losik", "Viktar Babaryka"]),
        ("?region=Minsk&detained_year=2021", ["Ales Bialiatski"]),
        ("?q=Losik", ["Ihar Losik"]),
        ("?q=", ["Ales Bialiatski", "Ihar Losik", "Viktar Babaryka", "Марыя Калеснікава"]),
        ("?q=—", []),
        ("?q=Nobody+Here", []),
    ],
)
def test_every_filter_narrows_the_registry(client, registry, query, names):
    assert listed(client, query) == names


def test_release_filter_lists_the_people_that_release_freed(client, registry):
    assert listed(client, f"?release={registry['release'].uid}") == ["Ales Bialiatski"]
    assert listed(client, f"?release={registry['other_release'].uid}") == ["Марыя Калеснікава"]


def test_filters_apply_to_one_and_the_same_detention(client):
    person = make_person(name="Mikalai Statkevich")
    make_prisoner(
        "",
        person=person,
        detained_on=datetime.date(2010, 12, 19),
        facility="Shklou colony",
        custody_status=RELEASED,
        released_on=datetime.date(2017, 12, 19),
    )
    make_prisoner("", person=person, detained_on=datetime.date(2020, 5, 31), facility="Hlybokaye colony")

    assert listed(client, "?facility=Shklou+colony&detained_year=2020") == []
    assert listed(client, "?facility=Hlybokaye+colony&detained_year=2020") == ["Mikalai Statkevich"]
    html = client.get("/prisoners/?facility=Hlybokaye+colony").content.decode()
    assert "Hlybokaye colony</td>" in html and "Shklou colony</td>" not in html


@pytest.mark.parametrize("query", ["Ціханоўскі", "Тихановский", "Сяргей Ціханоўскі", "Tikhanovsky", "Cichanoŭski"])
def test_search_finds_a_person_stored_in_latin_by_any_spelling(client, query):
    make_prisoner("Siarhei Tsikhanouski")
    make_prisoner("Ihar Losik")
    assert listed(client, f"?q={query}") == ["Siarhei Tsikhanouski"]


@pytest.mark.parametrize("query", ["Kalesnikava", "Kolesnikova", "Maria Kalesnikava", "Калесникова", "kalesnikava"])
def test_search_finds_a_person_stored_in_cyrillic_by_any_spelling(client, query):
    make_prisoner("Марыя Калеснікава")
    make_prisoner("Ihar Losik")
    assert listed(client, f"?q={query}") == ["Марыя Калеснікава"]


def test_search_finds_name_variants(client):
    detention = make_prisoner("Siarhei Tsikhanouski")
    make_name_variant(person=detention.person, name="Сергей Тихановский", script=NameVariant.Script.CYRILLIC)
    assert listed(client, "?q=Сергей") == ["Siarhei Tsikhanouski"]


def test_search_in_the_seed_finds_tsikhanouski_in_cyrillic(client, belarus):
    assert listed(client, "?q=Тихановский") == ["Siarhei Tsikhanouski"]
    assert listed(client, "?q=Lukashenko") == []  # an actor, not a prisoner


def test_filtered_pages_are_permalinks_with_a_get_form(client, registry):
    for index in range(30):
        make_prisoner(f"Prisoner {index:02d}", detained_on=datetime.date(2020, 1, 1))
    html = client.get("/prisoners/?detained_year=2020&order=oldest").content.decode()

    assert '<form method="get"' in html
    assert 'href="?detained_year=2020&amp;order=oldest&amp;page=2" rel="next"' in html
    assert "33 people match these filters; page 1 of 2." in html
    assert client.get("/prisoners/?detained_year=2020&order=oldest&page=2").status_code == 200


def test_every_form_field_has_a_label(client, registry):
    html = client.get("/prisoners/").content.decode()
    for name in ["q", "status", "region", "facility", "article", "detained_year", "released_year", "release", "order"]:
        assert f'<label for="id_{name}">' in html
        assert f'id="id_{name}"' in html


# Ordering


def test_default_order_is_by_the_name_the_public_sees(client):
    make_prisoner("Zoe Adams", identity_level=INITIALS)  # shown as "Z. A."
    make_prisoner("Anna Zed", identity_level=INITIALS)  # shown as "A. Z."
    make_prisoner("Boris Middle")
    assert listed(client) == ["A. Z.", "Boris Middle", "Z. A."]
    assert listed(client, "?order=name") == ["A. Z.", "Boris Middle", "Z. A."]


def test_orders_by_detention_date(client):
    make_prisoner("Early", detained_on=datetime.date(2019, 3, 1))
    make_prisoner("Late", detained_on=datetime.date(2023, 3, 1))
    make_prisoner("Middle", detained_on=datetime.date(2021, 3, 1))
    make_prisoner("Undated", detained_on=None)
    assert listed(client, "?order=newest") == ["Late", "Middle", "Early", "Undated"]
    assert listed(client, "?order=oldest") == ["Early", "Middle", "Late", "Undated"]


@pytest.mark.parametrize("order", ["", "name", "newest", "oldest"])
@pytest.mark.parametrize(
    "query", ["", "status=held", "facility=Zhodino+prison", "article=342", "detained_year=2021", "region=Minsk"]
)
def test_the_keys_the_pages_read_are_in_the_public_order(order, query):
    """listed_ids() reads the keys its own way per order; they are the people in_public_order() lists, in its order."""
    from django.http import QueryDict

    from events.filters import PrisonerFilter
    from events.registry import in_public_order, listed_ids

    people = [
        make_person(name=f"Person {index}", identity_level=[FULL, INITIALS][index % 2], region="Minsk")
        for index in range(8)
    ]
    for index, person in enumerate(people):
        # Two people detained on the same day, initials in the same year, one person detained twice, one undated.
        on = None if index == 7 else datetime.date(2020 + index % 3, 1 + index, 1 + index)
        detention = make_detention(
            person=person, detained_on=on, facility="Zhodino prison", custody_status=HELD if index % 2 else RELEASED
        )
        make_charge(detention=detention, article="342")
        if index == 2:
            make_detention(person=person, detained_on=datetime.date(2021, 6, 1), facility="Kresty")
    hidden = make_person(name="Hidden", identity_level=WITHHELD, region="Minsk")
    make_prisoner("Hidden", person=hidden, facility="Zhodino prison", detained_on=datetime.date(2021, 2, 2))
    make_prisoner("Draft", status=Status.DRAFT, facility="Zhodino prison")
    make_detention(
        person=people[0], status=Status.DRAFT, detained_on=datetime.date(2026, 1, 1), facility="Zhodino prison"
    )
    filterset = PrisonerFilter(
        QueryDict(f"{query}&order={order}" if order else query) or None, queryset=Detention.objects.published()
    )
    assert not filterset.is_bound or filterset.is_valid(), filterset.errors

    expected = list(in_public_order(filterset.qs, order).values_list("pk", flat=True))

    assert expected
    assert listed_ids(filterset, order) == expected


# Pagination and bad parameters


def test_registry_paginates_and_a_bad_page_is_404(client):
    for index in range(30):
        make_prisoner(f"Prisoner {index:02d}")
    assert len(listed(client)) == 25
    assert listed(client, "?page=2") == [f"Prisoner {index:02d}" for index in range(25, 30)]
    for page in ["3", "0", "-1", "abc", "1.5"]:
        assert client.get(f"/prisoners/?page={page}").status_code == 404


def test_pages_go_through_the_first_max_listed_people_and_the_count_says_so(client, monkeypatch):
    from events import registry

    monkeypatch.setattr(registry, "MAX_LISTED", 30)
    for index in range(32):
        make_prisoner(f"Prisoner {index:02d}", facility="Zhodino prison")
    make_prisoner("Elsewhere", facility="Kresty")

    # Without filters the registry's totals give the exact count.
    html = client.get("/prisoners/").content.decode()
    assert "33 people; page 1 of 2." in html
    assert "These pages list the first 30: narrow the filters, or use the downloads above, which hold all 33." in html
    # "Elsewhere", then Prisoner 00 to 28: the 30 people the pages hold.
    assert listed(client, "?page=2") == [f"Prisoner {index:02d}" for index in range(24, 29)]
    assert client.get("/prisoners/?page=3").status_code == 404

    # Under another filter the people are counted only as far as the pages go.
    html = client.get("/prisoners/?facility=Zhodino+prison").content.decode()
    assert "More than 30 people match these filters; page 1 of 2." in html
    assert "which hold them all." in html
    assert client.get("/prisoners/?facility=Zhodino+prison&page=3").status_code == 404
    # A list within the limit has its exact count and no note.
    html = client.get("/prisoners/?facility=Kresty").content.decode()
    assert "1 person matches these filters." in html
    assert "These pages list the first" not in html


def test_the_registry_totals_count_each_person_once_per_custody_status(client):
    from events.registry import registry_totals

    twice = make_prisoner(
        "Twice", custody_status=RELEASED, detained_on=datetime.date(2019, 1, 1), released_on=datetime.date(2020, 1, 1)
    )
    make_prisoner("", person=twice.person, detained_on=datetime.date(2021, 5, 1))  # held again
    make_prisoner("Once")
    make_prisoner("Hidden", identity_level=WITHHELD)
    make_prisoner("Initials Only", identity_level=INITIALS, custody_status=DEPORTED)
    make_prisoner("Draft", status=Status.DRAFT)

    totals = registry_totals(Detention.objects.published())

    assert totals[""] == (3, 1)
    assert totals[HELD] == (2, 1)
    assert totals[RELEASED] == (1, 0)
    assert totals[DEPORTED] == (1, 0)
    assert "3 people." in client.get("/prisoners/").content.decode()
    assert "2 people match these filters." in client.get("/prisoners/?status=held").content.decode()


def test_filter_choices_read_by_index_skips_are_the_distinct_public_values(client):
    from events.registry import distinct_values

    for facility in ["Zhodino prison", "Kresty", "Zhodino prison", "", "Akrestsina"]:
        make_prisoner(f"At {facility or 'no facility'}", facility=facility)
    make_prisoner("Hidden", identity_level=WITHHELD, facility="Secret site")
    make_prisoner("Draft", status=Status.DRAFT, facility="Draft site")
    facilities = Detention.objects.published().filter(person__identity_level=FULL)

    values = distinct_values(facility=(facilities, "facility"), none=(facilities.none(), "facility"))

    assert values == {"facility": ["Akrestsina", "Kresty", "Zhodino prison"], "none": []}
    expected = sorted(set(facilities.exclude(facility="").values_list("facility", flat=True)))
    assert values["facility"] == expected


@pytest.mark.parametrize(
    "query, field",
    [
        ("?status=bogus", "status"),
        ("?status=HELD", "status"),
        ("?detained_year=abc", "detained_year"),
        ("?detained_year=99999", "detained_year"),
        ("?detained_year=2021.5", "detained_year"),
        ("?released_year=-1", "released_year"),
        ("?release=00000000-0000-4000-8000-000000000000", "release"),
        ("?release=not-a-uuid", "release"),
        ("?region=Atlantis", "region"),
        ("?facility=Nowhere", "facility"),
        ("?article=9999", "article"),
        ("?order=random", "order"),
        ("?q=" + "x" * 201, "q"),
        ("?status=bogus&page=abc", "status"),
    ],
)
def test_bad_parameters_are_a_400_page_with_a_message(client, registry, query, field):
    response = client.get(f"/prisoners/{query}")
    html = response.content.decode()
    assert response.status_code == 400
    assert "These filters cannot be applied" in html
    assert re.search(rf'<label for="id_{field}">[^<]+</label>.*?<p class="field-error" role="alert">', html, re.DOTALL)
    assert 'class="registry-table"' not in html


def test_release_choice_of_an_event_that_is_not_a_release_is_refused(client, registry):
    meeting = make_event(kind=Event.Kind.MEETING)
    assert client.get(f"/prisoners/?release={meeting.uid}").status_code == 400


# Query counts


def populate(count):
    release = make_release(event=make_event(kind=Event.Kind.RELEASE, title="Release")).event
    for index in range(count):
        detention = make_prisoner(
            f"Prisoner {index:02d}",
            identity_level=INITIALS if index % 3 == 1 else FULL,
            facility="Horki colony",
            detained_on=datetime.date(2020, 1, 1) + datetime.timedelta(days=index),
        )
        make_charge(detention=detention, article="342")
        make_charge(detention=detention, article="130")
        if index % 2 == 0:
            freed(detention, release)
        make_prisoner(f"Hidden {index:02d}", identity_level=WITHHELD)
    return release


@pytest.mark.parametrize("rows", [1, 30])
@pytest.mark.parametrize("query", ["", "?status=deported", "?order=newest&page=1", "?q=Prisoner"])
def test_registry_runs_a_fixed_number_of_queries(client, django_assert_num_queries, rows, query):
    populate(rows)
    # A search drops the withheld count: it is shown only unfiltered or filtered by custody status.
    expected = REGISTRY_QUERIES - 1 if "q=" in query else REGISTRY_QUERIES
    with django_assert_num_queries(expected):
        response = client.get(f"/prisoners/{query}")
    assert response.status_code == 200
    with django_assert_num_queries(CACHED_PAGE_QUERIES):
        again = client.get(f"/prisoners/{query}")
    assert again.content == response.content
    assert listed(client, query)


@pytest.mark.parametrize("rows", [1, 30])
def test_registry_filtered_by_release_runs_a_fixed_number_of_queries(client, django_assert_num_queries, rows):
    release = populate(rows)
    # No withheld count under a filter; one more to look up the release's key.
    with django_assert_num_queries(REGISTRY_QUERIES - 1 + 1):
        client.get(f"/prisoners/?release={release.uid}&article=342&facility=Horki+colony")
    assert listed(client, f"?release={release.uid}&article=342&facility=Horki+colony")


@pytest.mark.parametrize("detentions", [1, 30])
def test_person_page_runs_a_fixed_number_of_queries(client, django_assert_num_queries, detentions):
    person = make_person(name="Mikalai Statkevich")
    make_name_variant(person=person, name="Мікалай Статкевіч")
    release = make_release().event
    recogniser = make_organization(name="Viasna")
    for index in range(detentions):
        detention = make_prisoner(
            "",
            person=person,
            detained_on=datetime.date(1990, 1, 1) + datetime.timedelta(days=index * 100),
            recognised_by=recogniser,
        )
        make_charge(detention=detention, article="342")
        make_detention_source(detention=detention)
    freed(detention, release)
    with django_assert_num_queries(PERSON_QUERIES):
        response = client.get(person.get_absolute_url())
    assert response.content.decode().count('<section class="detention"') == detentions


# The person page


def test_person_page_shows_detentions_charges_sentence_release_recognition_and_sources(client):
    viasna = make_organization(name="Viasna")
    release = make_release(
        event=make_event(
            kind=Event.Kind.RELEASE, title="Release of 52 detainees", occurred_on=datetime.date(2025, 9, 11)
        )
    ).event
    person = make_person(name="Ales Bialiatski", birth_year=1962, region="Minsk", occupation="Human rights defender")
    make_name_variant(person=person, name="Алесь Бяляцкі", script=NameVariant.Script.CYRILLIC)
    detention = make_prisoner(
        "",
        person=person,
        detained_on=datetime.date(2021, 7, 14),
        facility="Penal colony No. 9, Horki",
        sentence="10 years, strict-regime colony",
        recognised_by=viasna,
        recognised_on=datetime.date(2021, 7, 16),
    )
    make_charge(detention=detention, article="228 part 4", description="Smuggling")
    freed(detention, release)
    source = make_source(
        title="Viasna chair sentenced", url="https://news.example/bialiatski", archive_url="https://archive.example/x"
    )
    make_detention_source(detention=detention, source=source)
    make_detention_source(detention=detention, source=make_source(title="Draft report", status=Status.DRAFT))

    html = client.get(f"/prisoners/{person.uid}/").content.decode()

    assert "<h1>Ales Bialiatski</h1>" in html
    assert "Алесь Бяляцкі" in html
    assert "<dd>1962</dd>" in html and "<dd>Minsk</dd>" in html and "Human rights defender" in html
    assert '<time datetime="2021-07-14">14 July 2021</time>' in html
    assert "Penal colony No. 9, Horki" in html
    assert "10 years, strict-regime colony" in html
    assert "Criminal Code article 228 part 4: Smuggling" in html
    assert "<dd>Deported</dd>" in html
    assert "by Viasna, on <time" in html and "16 July 2021" in html
    assert f'<a href="/events/{release.uid}/">Release of 52 detainees</a>' in html
    assert "11 September 2025" in html
    assert '<a href="https://news.example/bialiatski" rel="noopener noreferrer">Viasna chair sentenced</a>' in html
    assert "archived copy" in html
    assert "Draft report" not in html


def test_person_page_hides_draft_detentions_releases_and_unpublished_recognisers(client):
    person = make_person(name="Ihar Losik")
    make_prisoner(
        "", person=person, detained_on=datetime.date(2020, 6, 25), facility="Draft facility", status=Status.DRAFT
    )
    draft_release = make_release(
        event=make_event(kind=Event.Kind.RELEASE, title="Draft release", status=Status.DRAFT)
    ).event
    shown = make_prisoner(
        "",
        person=person,
        detained_on=datetime.date(2021, 1, 1),
        recognised_by=make_organization(name="Unpublished NGO", status=Status.DRAFT),
    )
    freed(shown, draft_release)

    html = client.get(person.get_absolute_url()).content.decode()

    assert "Draft facility" not in html and "25 June 2020" not in html
    assert "Draft release" not in html
    assert "Unpublished NGO" not in html
    assert html.count('<section class="detention"') == 1


def test_seed_person_page(client, belarus):
    person = Person.objects.get(name="Siarhei Tsikhanouski")
    html = client.get(person.get_absolute_url()).content.decode()
    assert "<h1>Siarhei Tsikhanouski</h1>" in html
    assert "Сяргей Ціханоўскі" in html
    assert "<dd>Released</dd>" in html
    assert "U.S. Envoy Meets Belarus President to Discuss Political Prisoner Release</a>" in html


@pytest.mark.parametrize("status", [Status.DRAFT, Status.IN_REVIEW, Status.RETRACTED])
def test_unpublished_person_has_no_page(client, status):
    person = make_prisoner("Draft Person").person
    Person.objects.filter(pk=person.pk).update(status=status)
    assert client.get(person.get_absolute_url()).status_code == 404


def test_withheld_person_page_answers_exactly_as_a_missing_page(client):
    withheld = make_prisoner("Secret Person", identity_level=WITHHELD).person
    hidden = client.get(f"/prisoners/{withheld.uid}/")
    missing = client.get("/prisoners/00000000-0000-4000-8000-000000000000/")
    assert hidden.status_code == missing.status_code == 404
    assert hidden.content == missing.content
    assert "Secret Person" not in hidden.content.decode()


def test_bad_person_uid_is_404(client):
    assert client.get("/prisoners/not-a-uuid/").status_code == 404


# Initials


@pytest.fixture
def initials_person(db):
    """A person shown by initials, with every detail the page must not show."""
    release = make_release(event=make_event(kind=Event.Kind.RELEASE, title="September release")).event
    person = make_person(
        name="Kseniya Veraskova",
        identity_level=INITIALS,
        birth_year=1987,
        region="Lida",
        occupation="Nurse",
        description="Nurse from Lida",
    )
    make_name_variant(person=person, name="Ксенія Вераскова")
    detention = make_prisoner(
        "",
        person=person,
        detained_on=datetime.date(2022, 3, 17),
        facility="Homiel colony No. 4",
        sentence="4 years in Homiel colony No. 4",
        recognised_by=make_organization(name="Viasna"),
        recognised_on=datetime.date(2022, 4, 2),
    )
    make_charge(detention=detention, article="361-1 part 2", description="Donations to the Kalinouski regiment")
    make_detention_source(detention=detention, source=make_source(title="Nurse from Lida sentenced"))
    freed(detention, release, on=datetime.date(2025, 9, 11))
    return {"person": person, "detention": detention, "release": release}


INITIALS_SECRETS = [
    "Kseniya",
    "Veraskova",
    "Ксенія",
    "Вераскова",
    "1987",
    "Lida",
    "Nurse",
    "Homiel colony",
    "17 March 2022",
    "March 2022",
    "2022-03",
    "4 years",
    "Kalinouski",
    "Nurse from Lida sentenced",
    "2 April 2022",
    "2022-04",
    "11 September 2025",
    "2025-09-11",
]


def test_initials_person_shows_initials_years_articles_and_release_only(client, initials_person):
    html = client.get("/prisoners/").content.decode()
    page = client.get(initials_person["person"].get_absolute_url()).content.decode()

    assert listed(client) == ["K. V."]
    assert "<h1>K. V.</h1>" in page
    for shown in (html, page):
        assert '<time datetime="2022">2022</time>' in shown
        assert '<time datetime="2025">2025</time>' in shown
        assert "361-1 part 2" in shown
        assert "September release" in shown
    assert "by Viasna, in <time" in page
    for secret in INITIALS_SECRETS:
        assert secret not in without_uids(html), secret
        assert secret not in without_uids(page), secret


@pytest.mark.parametrize(
    "query",
    [
        "?q=Veraskova",
        "?q=Вераскова",
        "?q=Kseniya",
        "?q=Ksenia+Veraskova",
        "?region=Lida",
        "?facility=Homiel+colony+No.+4",
    ],
)
def test_initials_person_is_not_found_by_hidden_details(client, initials_person, query):
    make_prisoner("Ihar Losik", facility="Homiel colony No. 4")
    Person.objects.filter(name="Ihar Losik").update(region="Lida")
    response = client.get(f"/prisoners/{query}")
    assert "K. V." not in response.content.decode()


@pytest.mark.parametrize(
    "query", ["?status=deported", "?detained_year=2022", "?released_year=2025", "?article=361-1+part+2"]
)
def test_initials_person_is_found_by_the_details_shown(client, initials_person, query):
    assert listed(client, query) == ["K. V."]


def test_initials_person_found_by_their_release(client, initials_person):
    assert listed(client, f"?release={initials_person['release'].uid}") == ["K. V."]


def test_hidden_details_of_an_initials_person_change_nothing_in_public(client, initials_person):
    """Another name with the same initials, another date in the same year, another facility: the same pages."""
    make_prisoner("Kastus Vasilevich", detained_on=datetime.date(2022, 6, 1), facility="Homiel colony No. 4")
    make_prisoner("Kira Vorona", identity_level=INITIALS, detained_on=datetime.date(2022, 8, 1))
    make_prisoner("Karyna Vaitsekh", detained_on=datetime.date(2022, 1, 1))
    queries = [
        "",
        "?order=newest",
        "?order=oldest",
        "?detained_year=2022",
        "?q=Kastus",
        "?facility=Homiel+colony+No.+4",
        "?status=deported",
    ]
    before = [client.get(f"/prisoners/{query}").content for query in queries]

    person, detention = initials_person["person"], initials_person["detention"]
    # An update of the name refreshes the search key too (PersonQuerySet.update).
    Person.objects.filter(pk=person.pk).update(name="Kastus Veraskou", birth_year=2001, region="Minsk", occupation="")
    Detention.objects.filter(pk=detention.pk).update(detained_on=datetime.date(2022, 12, 30), facility="", sentence="")

    after = [client.get(f"/prisoners/{query}").content for query in queries]
    assert after == before


# Withheld: DOMAIN rule 2


def test_unfiltered_list_counts_withheld_people_in_one_line(client):
    make_prisoner("Ihar Losik")
    make_prisoner("Hidden One", identity_level=WITHHELD)
    two = make_prisoner("Hidden Two", identity_level=WITHHELD)
    make_prisoner("", person=two.person, detained_on=datetime.date(2015, 1, 1))  # counted once

    html = client.get("/prisoners/").content.decode()

    assert listed(client) == ["Ihar Losik"]
    assert "1 person." in html
    assert "2 further people whose names are withheld at their or their family’s request." in html
    assert "Name withheld" not in html


def test_withheld_line_follows_the_custody_status_filter_only(client):
    make_prisoner("Ihar Losik")
    make_prisoner("Hidden Held", identity_level=WITHHELD)
    make_prisoner(
        "Hidden Released", identity_level=WITHHELD, custody_status=RELEASED, released_on=datetime.date(2024, 1, 1)
    )

    held = client.get("/prisoners/?status=held").content.decode()
    assert "1 further person whose name is withheld at their or their family’s request." in held
    assert "withheld at their" not in client.get("/prisoners/?status=pardoned").content.decode()
    for query in ["?detained_year=2021", "?q=Losik", "?facility=x", "?status=held&detained_year=2021"]:
        assert "withheld at their" not in client.get(f"/prisoners/{query}").content.decode(), query


def test_withheld_people_with_only_draft_detentions_are_not_counted(client):
    make_prisoner("Hidden Draft", identity_level=WITHHELD, status=Status.DRAFT)
    assert "withheld at their" not in client.get("/prisoners/").content.decode()


MARKERS = {
    "name": "Zyxquor Vempelbrandt",
    "variant": "Зыксквор Вэмпэльбрандт",
    "variant_latin": "Zyksquor Wempelbrand",
    "birth_year": "1911",
    "region": "Qwolmshire",
    "occupation": "Glimmerwright",
    "description": "Keeper of the Vempel lighthouse",
    "facility": "Ostrogwald Penal Colony",
    "sentence": "17 years in Ostrogwald",
    "article": "977-7",
    "charge": "Quorbling the Vempel",
    "detained": "13 July 1999",
    "detained_iso": "1999-07-13",
    "detained_month": "July 1999",
    "detained_year": "1999",
    "released": "2 February 2003",
    "released_iso": "2003-02-02",
    "released_year": "2003",
}


@pytest.fixture
def planted(registry):
    """A withheld person carrying a unique marker in every detail, freed by a release, beside the registry."""
    person = make_person(
        name=MARKERS["name"],
        identity_level=WITHHELD,
        birth_year=int(MARKERS["birth_year"]),
        region=MARKERS["region"],
        occupation=MARKERS["occupation"],
        description=MARKERS["description"],
    )
    make_name_variant(person=person, name=MARKERS["variant"], script=NameVariant.Script.CYRILLIC)
    make_name_variant(person=person, name=MARKERS["variant_latin"])
    detention = make_prisoner(
        "",
        person=person,
        detained_on=datetime.date(1999, 7, 13),
        facility=MARKERS["facility"],
        sentence=MARKERS["sentence"],
        recognised_on=datetime.date(1999, 8, 1),
    )
    make_charge(detention=detention, article=MARKERS["article"], description=MARKERS["charge"])
    make_detention_source(detention=detention, source=make_source(title="Zyxquor report"))
    freed(detention, registry["release"], on=datetime.date(2003, 2, 2))
    return person


def every_registry_query(registry):
    """Every filter, order and search the registry supports, with values that exist, values only the
    withheld person has, and the withheld person's names."""
    release = registry["release"].uid
    return [
        "",
        "?page=1",
        "?order=name",
        "?order=newest",
        "?order=oldest",
        "?status=held",
        "?status=deported",
        "?status=released",
        "?status=deported&order=newest",
        "?region=Minsk",
        f"?region={MARKERS['region']}",
        "?facility=Navapolatsk+colony",
        f"?facility={MARKERS['facility']}",
        "?article=342",
        f"?article={MARKERS['article']}",
        "?detained_year=2020",
        f"?detained_year={MARKERS['detained_year']}",
        "?released_year=2025",
        f"?released_year={MARKERS['released_year']}",
        f"?release={release}",
        f"?release={release}&order=oldest",
        f"?q={MARKERS['name']}",
        "?q=Zyxquor",
        "?q=Vempelbrandt",
        f"?q={MARKERS['variant']}",
        f"?q={MARKERS['variant_latin']}",
        "?q=Зыксквор",
        "?q=Zyksquor",
        f"?q={MARKERS['region']}",
        f"?q={MARKERS['facility']}",
        "?q=Losik",
        "?q=Losik&order=newest",
        f"?status=deported&detained_year={MARKERS['detained_year']}&q=Zyxquor",
    ]


def test_withheld_person_appears_in_no_response_of_the_registry(client, planted, registry):
    secrets = list(MARKERS.values()) + ["Zyxquor", "Vempel", "Зыксквор"]
    for query in every_registry_query(registry):
        response = client.get(f"/prisoners/{query}")
        assert response.status_code in (200, 400), query
        html = response.content.decode()
        asked = unquote_plus(query)
        # What the reader typed is echoed in the form; nothing else may carry a marker.
        assert str(planted.uid) not in html, query
        checked = without_uids(without_form(html) if any(secret in asked for secret in secrets) else html)
        for secret in secrets:
            assert secret not in checked, (query, secret)
        assert "Name withheld" not in html


def test_withheld_person_is_never_a_result(client, planted, registry):
    for query in every_registry_query(registry):
        response = client.get(f"/prisoners/{query}")
        if response.status_code == 200:
            assert f"/prisoners/{planted.uid}/" not in response.content.decode(), query
            assert len(listed(client, query)) == int(result_count(response.content.decode()))


def test_withheld_person_details_never_change_a_response(client, registry):
    """The withheld person shares every detail a filter can ask for; blanking those details changes no page."""
    person = make_person(name="Ihar Losikau Bialiatski", identity_level=WITHHELD, region="Minsk")
    make_name_variant(person=person, name="Ігар Лосік")
    detention = make_prisoner("", person=person, detained_on=datetime.date(2020, 6, 20), facility="Navapolatsk colony")
    make_charge(detention=detention, article="342")
    make_charge(detention=detention, article="228 part 4")
    freed(detention, registry["release"], on=datetime.date(2025, 9, 11))
    queries = every_registry_query(registry) + ["?q=Bialiatski", "?q=Ігар+Лосік", "?q=Losikau"]
    with_details = {query: client.get(f"/prisoners/{query}").content for query in queries}

    NameVariant.objects.filter(person=person).delete()
    Person.objects.filter(pk=person.pk).update(name="Anonymous", region="")
    detention.charges.all().delete()
    detention.released_detentions.all().delete()
    Detention.objects.filter(pk=detention.pk).update(detained_on=None, released_on=None, facility="")

    for query in queries:
        assert client.get(f"/prisoners/{query}").content == with_details[query], query


def test_a_value_only_a_withheld_person_has_is_refused_like_a_value_nobody_has(client, planted):
    for field, marker in [
        ("region", MARKERS["region"]),
        ("facility", MARKERS["facility"]),
        ("article", MARKERS["article"]),
    ]:
        hidden = client.get(f"/prisoners/?{field}={marker}")
        missing = client.get(f"/prisoners/?{field}=Zzzz")
        assert hidden.status_code == missing.status_code == 400
        assert hidden.content.decode().replace(marker, "VALUE") == missing.content.decode().replace("Zzzz", "VALUE")


def test_withheld_person_details_are_not_filter_choices(client, planted):
    html = client.get("/prisoners/").content.decode()
    assert MARKERS["facility"] not in html and MARKERS["region"] not in html and MARKERS["article"] not in html
