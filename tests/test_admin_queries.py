"""Admin lists run a fixed number of queries: the same for 1 row as for 50.

Every count is pinned, and the comment beside it lists the queries, so that a
change that adds one (an N+1 in a column, a filter that counts) shows up here
as a number to explain.
"""

import datetime

import pytest
from django.contrib.auth.models import Group, User
from django.db import connection
from django.test.utils import CaptureQueriesContext

from events.models import Event, Figure, Measure
from tests.admin_pages import admin_url, post_action
from tests.factories import (
    make_detention,
    make_event,
    make_figure,
    make_measure,
    make_name_variant,
    make_organization,
    make_person,
    make_source,
    make_user,
)
from tracker.models import Detention, Organization, Person, Source
from tracker.roles import EDITOR

pytestmark = pytest.mark.django_db

# Every request of a logged-in Editor starts with these five queries.
EDITOR_REQUEST = 5  # session, user, the second factor's device, the user's permissions, their groups' permissions
# A superuser needs no permission queries.
SUPERUSER_REQUEST = 3  # session, user, the second factor's device


def day(n):
    return datetime.date(2020, 1, 1) + datetime.timedelta(days=n)


COUNTRIES = ["BY", "LT", "PL", "UA", "US"]


# One row each, with its own related rows, dates and countries, so that
# every column, filter and date level has something different to show.
ROWS = {
    Organization: lambda n: make_organization(country=COUNTRIES[n % 5]),
    Source: lambda n: make_source(
        publisher=make_organization(), published_on=day(n), language=["en", "be", "ru"][n % 3]
    ),
    Person: lambda n: make_person(birth_year=1960 + n % 40, region=f"Region {n}"),
    Detention: lambda n: make_detention(detained_on=day(n), country=COUNTRIES[n % 5], facility=f"Colony {n}"),
    Event: lambda n: make_event(occurred_on=day(n), countries=COUNTRIES[: 1 + n % 5]),
    Figure: lambda n: make_figure(event=make_event(), as_of_on=day(n), country=COUNTRIES[n % 5]),
    Measure: lambda n: make_measure(),
}

CHANGELIST_QUERIES = {
    # + distinct countries (country filter), page count, the page
    Organization: EDITOR_REQUEST + 3,
    # + page count, the page with publishers, distinct languages (filter),
    #   first and last date, distinct days (date hierarchy)
    Source: EDITOR_REQUEST + 5,
    # + page count, the page
    Person: EDITOR_REQUEST + 2,
    # + distinct countries, page count, the page with people, first and last date, distinct days
    Detention: EDITOR_REQUEST + 5,
    # + distinct country lists, page count, the page, first and last date, distinct days
    Event: EDITOR_REQUEST + 5,
    # + measures (filter), distinct countries, page count, the page with measures,
    #   sources and events, first and last date, distinct days
    Figure: EDITOR_REQUEST + 6,
    # + page count, the page
    Measure: EDITOR_REQUEST + 2,
}


def add_rows(model, start, stop):
    for n in range(start, stop):
        ROWS[model](n)


@pytest.mark.parametrize("rows", [1, 50])
@pytest.mark.parametrize("model", list(CHANGELIST_QUERIES), ids=lambda model: model.__name__)
def test_changelist_runs_a_fixed_number_of_queries(login, django_assert_num_queries, model, rows):
    add_rows(model, 0, rows)
    browser = login(make_user(EDITOR))

    with django_assert_num_queries(CHANGELIST_QUERIES[model]):
        response = browser.get(admin_url(model, "changelist"))

    assert len(response.context["cl"].result_list) == rows


@pytest.mark.parametrize("rows", [1, 50])
def test_people_changelist_with_variants_and_detentions_stays_fixed(login, django_assert_num_queries, rows):
    for n in range(rows):
        person = make_person(birth_year=1960 + n % 40)
        make_name_variant(person=person)
        make_detention(person=person)
    browser = login(make_user(EDITOR))

    # session, user, permissions (2), page count, the page: the identity
    # filter of Editors lists choices, not rows.
    with django_assert_num_queries(EDITOR_REQUEST + 2):
        response = browser.get(admin_url(Person, "changelist"))

    assert "identity_level" in response.context["cl"].list_display
    assert len(response.context["cl"].result_list) == rows


@pytest.mark.parametrize("rows", [1, 50])
def test_people_changelist_search_stays_fixed(login, django_assert_num_queries, rows):
    for n in range(rows):
        make_name_variant(person=make_person(name=f"Tsikhanouski {n}"), name=f"Ціханоўскі {n}")
    browser = login(make_user(EDITOR))

    # session, user, permissions (2), page count, the page (one LIKE per word)
    with django_assert_num_queries(EDITOR_REQUEST + 2):
        response = browser.get(admin_url(Person, "changelist"), {"q": "Тихановский"})

    assert len(response.context["cl"].result_list) == rows


@pytest.mark.parametrize("rows", [1, 50])
@pytest.mark.parametrize("model", [User, Group], ids=lambda model: model.__name__)
def test_account_changelists_run_a_fixed_number_of_queries(admin_client, django_assert_num_queries, model, rows):
    for n in range(rows - (model is User)):  # the superuser is the first user
        make_user(username=f"user{n}") if model is User else Group.objects.create(name=f"Group {n}")

    # User: session, user, page count, total count, the page (with the
    #   filters by staff, superuser, active and group: the groups).
    # Group: session, user, page count, total count, the page.
    with django_assert_num_queries(SUPERUSER_REQUEST + (4 if model is User else 3)):
        response = admin_client.get(admin_url(model, "changelist"))

    assert response.context["cl"].result_count == rows + (3 if model is Group else 0)


# "Export selected rows as CSV" of the registry's generic export
# (tracker/exports.py); people, events and figures export through the import
# feature's columns, whose counts its own tests pin.
EXPORT_QUERIES = {
    # Each ends with the data version, read before any CSV download starts
    # (a database that is down is then a 503 page, not a cut-off file).
    # + distinct countries and count (the changelist behind the action),
    #   distinct countries again (the action's changelist), the selected rows
    Organization: EDITOR_REQUEST + 4 + 1,
    # + count, the selected rows with their publishers
    Source: EDITOR_REQUEST + 2 + 1,
    # + distinct countries, count, distinct countries again, the selected rows with their people
    Detention: EDITOR_REQUEST + 4 + 1,
    # + count, the selected rows
    Measure: EDITOR_REQUEST + 2 + 1,
}


@pytest.mark.parametrize("rows", [1, 50])
@pytest.mark.parametrize("model", list(EXPORT_QUERIES), ids=lambda model: model.__name__)
def test_export_runs_a_fixed_number_of_queries(login, django_assert_num_queries, model, rows):
    add_rows(model, 0, rows)
    browser = login(make_user(EDITOR))
    selected = list(model.objects.all())

    with django_assert_num_queries(EXPORT_QUERIES[model]):
        response = post_action(browser, model, "export_csv", selected)
        lines = b"".join(response.streaming_content).decode("utf-8-sig").splitlines()

    assert len(lines) == 1 + rows


@pytest.mark.parametrize("rows", [1, 50])
def test_person_autocomplete_runs_a_fixed_number_of_queries(login, django_assert_num_queries, rows):
    for n in range(rows):
        make_person(name=f"Siarhei Tsikhanouski {n}")
    browser = login(make_user(EDITOR))
    query = {"app_label": "events", "model_name": "participant", "field_name": "person", "term": "Ціханоўскі"}

    # session, user, permissions (2), count of matches, the first page of 20
    with django_assert_num_queries(EDITOR_REQUEST + 2):
        response = browser.get("/admin/autocomplete/", query)

    assert len(response.json()["results"]) == min(rows, 20)


def history_of(model, versions):
    row = {Figure: lambda: make_figure(status="draft"), Detention: lambda: make_detention(status="draft")}[model]()
    for _ in range(versions - 1):
        if model is Figure:
            row.measure = make_measure()
        else:
            row.person = make_person()
        row.save()
    return row


@pytest.mark.parametrize("model", [Figure, Detention], ids=lambda model: model.__name__)
def test_history_page_runs_as_many_queries_for_50_versions_as_for_2(login, model):
    browser = login(make_user(EDITOR))
    few, many = history_of(model, 2), history_of(model, 50)
    browser.get(admin_url(model, "history", few.pk))  # fills the content-type cache

    with CaptureQueriesContext(connection) as for_few:
        browser.get(admin_url(model, "history", few.pk))
    with CaptureQueriesContext(connection) as for_many:
        browser.get(admin_url(model, "history", many.pk))

    assert len(for_many) == len(for_few)
