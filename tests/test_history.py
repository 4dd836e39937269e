"""Every write leaves a history row saying who changed what, whichever way it was made."""

from contextlib import contextmanager

import pytest
from django.db.models import ProtectedError
from django.test import RequestFactory
from simple_history.models import HistoricalRecords

from events.models import Event
from tests.admin_pages import (
    admin_url,
    form_data,
    post_action,
    with_inline_row,
    with_unrendered_versions,
)
from tests.factories import make_citation, make_event, make_name_variant, make_organization, make_person, make_source
from tracker.models import NameVariant, Organization, Source
from tracker.publishing import Status

pytestmark = pytest.mark.django_db


@contextmanager
def acting_as(user):
    """What HistoryRequestMiddleware does for a request: name the user behind every write."""
    request = RequestFactory().get("/")
    request.user = user
    HistoricalRecords.context.request = request
    try:
        yield
    finally:
        del HistoricalRecords.context.request


def changed_fields(record):
    previous = record.prev_record
    return sorted(record.diff_against(previous).changed_fields) if previous else []


def latest(row):
    return row.history.latest()


def test_admin_add_form_records_the_new_row(login, editor):
    browser = login(editor)
    url = admin_url(Organization, "add")

    browser.post(url, form_data(browser.get(url), name="Viasna", kind="ngo"))

    record = latest(Organization.objects.get(name="Viasna"))
    assert (record.history_type, record.history_user, record.name) == ("+", editor, "Viasna")


def test_admin_change_form_records_the_changed_fields(login, editor):
    organization = make_organization(status=Status.DRAFT, name="Viasna")
    browser = login(editor)
    url = admin_url(Organization, "change", organization.pk)

    browser.post(url, form_data(browser.get(url), name="Human Rights Centre Viasna", website="https://spring96.org"))

    record = latest(organization)
    assert (record.history_type, record.history_user) == ("~", editor)
    assert changed_fields(record) == ["name", "website"]


def test_inline_row_added_through_the_parents_page_is_recorded(login, editor):
    person = make_person(status=Status.DRAFT, name="Siarhei Tsikhanouski")
    browser = login(editor)
    url = admin_url(type(person), "change", person.pk)

    browser.post(
        url, with_inline_row(form_data(browser.get(url)), "name_variants", name="Сяргей Ціханоўскі", script="Cyrl")
    )

    record = latest(NameVariant.objects.get())
    assert (record.history_type, record.history_user, record.name) == ("+", editor, "Сяргей Ціханоўскі")


def test_inline_row_deleted_through_the_parents_page_is_recorded(login, editor):
    variant = make_name_variant(person=make_person(status=Status.DRAFT), name="Siarhei Tsikhanouski")
    browser = login(editor)
    url = admin_url(type(variant.person), "change", variant.person.pk)
    page = browser.get(url)
    data = with_unrendered_versions(page, form_data(page, **{"name_variants-0-DELETE": "on"}))

    browser.post(url, data)

    assert not NameVariant.objects.exists()
    record = NameVariant.history.latest()
    assert (record.history_type, record.history_user, record.name) == ("-", editor, "Siarhei Tsikhanouski")


def test_transition_action_records_the_status_change(login, editor):
    organization = make_organization(status=Status.DRAFT)

    post_action(login(editor), Organization, "publish", [organization])

    record = latest(organization)
    assert (record.history_type, record.history_user, record.status) == ("~", editor, Status.PUBLISHED)
    assert changed_fields(record) == ["status"]


def test_bulk_update_records_a_row_per_record(editor):
    rows = [make_organization(name=name, country="BY") for name in ("Viasna", "Belavia")]
    untouched = make_organization(country="LT")

    with acting_as(editor):
        count = Organization.objects.filter(country="BY").update(country="LT")

    assert count == 2
    for row in rows:
        record = latest(row)
        assert (record.history_type, record.history_user, record.country) == ("~", editor, "LT")
        assert changed_fields(record) == ["country"]
    assert untouched.history.count() == 1


def test_bulk_update_outside_a_request_is_still_recorded():
    organization = make_organization(name="Viasna")

    Organization.objects.filter(pk=organization.pk).update(name="Вясна")

    record = latest(organization)
    assert (record.history_user, record.name) == (None, "Вясна")


def test_bulk_create_records_each_new_row(editor):
    with acting_as(editor):
        created = Organization.objects.bulk_create([Organization(name="Viasna"), Organization(name="Belavia")])

    records = Organization.history.filter(id__in=[row.pk for row in created])
    assert sorted((r.name, r.history_type, r.history_user) for r in records) == [
        ("Belavia", "+", editor),
        ("Viasna", "+", editor),
    ]


def test_admin_delete_records_the_deleted_row(login, editor):
    organization = make_organization(status=Status.DRAFT, name="Viasna")

    response = login(editor).post(admin_url(Organization, "delete", organization.pk), {"post": "yes"})

    assert response.status_code == 302
    assert not Organization.objects.exists()
    record = Organization.history.latest()
    assert (record.id, record.history_type, record.history_user, record.name) == (
        organization.pk,
        "-",
        editor,
        "Viasna",
    )


def test_delete_selected_action_records_each_deleted_row(login, editor):
    rows = [make_organization(status=Status.DRAFT) for _ in range(2)]

    post_action(login(editor), Organization, "delete_selected", rows, post="yes")

    assert not Organization.objects.exists()
    assert Organization.history.filter(history_type="-", history_user=editor).count() == 2


def renamed_event():
    event = make_event(status=Status.DRAFT, title="Coale visits Minsk")
    event.title = "Coale meets Lukashenko"
    event.save()
    return event


def test_restore_brings_back_the_old_title_and_is_recorded(login, editor):
    event = renamed_event()
    url = admin_url(Event, "simple_history", event.pk, event.history.earliest().history_id)
    browser = login(editor)

    response = browser.post(url, form_data(browser.get(url)))

    assert response.status_code == 302
    event.refresh_from_db()
    assert event.title == "Coale visits Minsk"
    record = latest(event)
    assert (record.history_type, record.history_user, record.title) == ("~", editor, "Coale visits Minsk")
    assert changed_fields(record) == ["title"]


def test_restore_keeps_the_current_status(login, editor):
    event = make_event(title="Coale visits Minsk")
    make_citation(event=event)
    published = event.history.latest()
    event.title = "Coale meets Lukashenko"
    event.save()
    event.apply_transition("retract")
    url = admin_url(Event, "simple_history", event.pk, published.history_id)
    browser = login(editor)

    browser.post(url, form_data(browser.get(url)))

    event.refresh_from_db()
    assert (event.title, event.status) == ("Coale visits Minsk", Status.RETRACTED)


def test_history_page_shows_old_and_new_values(login, editor):
    event = renamed_event()

    response = login(editor).get(admin_url(Event, "history", event.pk))

    html = " ".join(response.content.decode().split())
    assert "<strong>Title:</strong> Coale visits Minsk &nbsp;&rarr;&nbsp;&nbsp;Coale meets Lukashenko" in html


def test_history_page_shows_choices_in_words_and_no_none_for_a_missing_reason(login, editor):
    organization = make_organization(status=Status.DRAFT)
    post_action(login(editor), Organization, "publish", [organization])

    response = login(editor).get(admin_url(Organization, "history", organization.pk))

    html = " ".join(response.content.decode().split())
    assert "<strong>Status:</strong> Draft &nbsp;&rarr;&nbsp;&nbsp;Published" in html
    assert "draft &nbsp;&rarr;" not in html
    assert None not in [record.history_change_reason for record in response.context["page_obj"]]


def test_history_page_names_who_made_each_change(login, editor):
    organization = make_organization(status=Status.DRAFT)
    post_action(login(editor), Organization, "publish", [organization])

    response = login(editor).get(admin_url(Organization, "history", organization.pk))

    assert editor.username in response.content.decode()
    assert [record.history_user for record in response.context["page_obj"]] == [editor, None]


# Evidence cannot be deleted from under a published fact.


def cited_source():
    source = make_source(title="U.S. Envoy Meets Belarus President")
    make_citation(event=make_event(title="Coale meets Lukashenko"), source=source)
    return source


def test_orm_refuses_to_delete_a_cited_source():
    source = cited_source()

    with pytest.raises(ProtectedError):
        source.delete()

    assert Source.objects.filter(pk=source.pk).exists()


def test_admin_explains_why_a_cited_source_cannot_be_deleted(login, editor):
    source = cited_source()
    browser = login(editor)
    url = admin_url(Source, "delete", source.pk)

    page = browser.get(url)
    response = browser.post(url, {"post": "yes"})

    assert page.status_code == 200
    assert "would require deleting the following protected related objects" in page.content.decode()
    assert "Coale meets Lukashenko" in page.content.decode()
    assert response.status_code == 200
    assert Source.objects.filter(pk=source.pk).exists()
    assert not Source.history.filter(history_type="-").exists()
