"""Two editors saving the same record: the second is told, and nothing is silently overwritten."""

import pytest

from tests.admin_pages import (
    admin_url,
    edit_inline_row,
    form_data,
    rendered_form,
    with_unrendered_versions,
)
from tests.factories import make_name_variant, make_person, make_source, make_user
from tracker.models import Person, Source
from tracker.publishing import Status
from tracker.roles import EDITOR

pytestmark = pytest.mark.django_db

CONFLICT = "Not saved:"


@pytest.fixture
def two_editors(login):
    first, second = make_user(EDITOR, username="alena"), make_user(EDITOR, username="pavel")
    return login(first), login(second)


def test_second_save_of_the_same_version_is_refused(two_editors):
    alena, pavel = two_editors
    source = make_source(status=Status.DRAFT, title="Coale visits Minsk")
    url = admin_url(Source, "change", source.pk)
    alenas_page, pavels_page = alena.get(url), pavel.get(url)

    first = alena.post(url, form_data(alenas_page, title="Coale meets Lukashenko"))
    second = pavel.post(url, form_data(pavels_page, title="US envoy meets Lukashenko in Minsk"))

    assert first.status_code == 302
    assert second.status_code == 200
    html = second.content.decode()
    assert f"{CONFLICT} alena saved this record at " in html
    assert rendered_form(second)["title"] == ["US envoy meets Lukashenko in Minsk"]
    source.refresh_from_db()
    assert source.title == "Coale meets Lukashenko"


def test_refused_editor_reopening_the_record_can_save(two_editors):
    alena, pavel = two_editors
    source = make_source(status=Status.DRAFT, title="Coale visits Minsk")
    url = admin_url(Source, "change", source.pk)
    pavels_page = pavel.get(url)
    alena.post(url, form_data(alena.get(url), title="Coale meets Lukashenko"))
    pavel.post(url, form_data(pavels_page, language="be"))

    response = pavel.post(url, form_data(pavel.get(url), language="be"))

    assert response.status_code == 302
    source.refresh_from_db()
    assert (source.title, source.language) == ("Coale meets Lukashenko", "be")


def test_each_save_increments_the_version():
    source = make_source(status=Status.DRAFT)
    source.title = "Coale meets Lukashenko"
    source.save()
    source.apply_transition("submit")

    source.refresh_from_db()
    assert source.version == 3


def test_a_post_without_the_version_is_refused(login):
    source = make_source(status=Status.DRAFT, title="Coale visits Minsk")
    browser = login(make_user(EDITOR))
    url = admin_url(Source, "change", source.pk)

    response = browser.post(url, form_data(browser.get(url), title="Changed", seen_version=None))

    assert CONFLICT in response.content.decode()
    source.refresh_from_db()
    assert source.title == "Coale visits Minsk"


# Inline rows: each row carries the version it was opened on.


def person_with_a_name_variant():
    person = make_person(status=Status.DRAFT, name="Siarhei Tsikhanouski")
    make_name_variant(person=person, name="Sergei Tikhanovsky")
    return person


def test_every_existing_inline_row_carries_its_version(login):
    person = person_with_a_name_variant()

    data = rendered_form(login(make_user(EDITOR)).get(admin_url(Person, "change", person.pk)))

    assert "seen_version" in data
    assert "name_variants-0-seen_version" in data


def test_page_with_an_inline_row_saves(login):
    person = person_with_a_name_variant()
    browser = login(make_user(EDITOR))
    url = admin_url(Person, "change", person.pk)

    response = browser.post(url, form_data(browser.get(url), occupation="Blogger"))

    assert response.status_code == 302
    person.refresh_from_db()
    assert person.occupation == "Blogger"


def test_a_save_leaves_an_inline_row_it_did_not_change_as_it_was(login):
    # The version a row was opened on is not an edit of the row: only rows that changed are written.
    person = person_with_a_name_variant()
    variant = person.name_variants.get()
    browser = login(make_user(EDITOR))
    url = admin_url(Person, "change", person.pk)

    response = browser.post(url, form_data(browser.get(url), occupation="Blogger"))

    assert response.status_code == 302
    kept = person.name_variants.get()
    assert (kept.version, kept.updated_at) == (variant.version, variant.updated_at)


def test_an_unchanged_inline_row_changed_meanwhile_still_refuses_the_save(two_editors):
    # Of two editors who opened the same versions only the first saves, whichever rows the second edited.
    alena, pavel = two_editors
    person = person_with_a_name_variant()
    url = admin_url(Person, "change", person.pk)
    alenas_page, pavels_page = alena.get(url), pavel.get(url)

    first = alena.post(url, edit_inline_row(form_data(alenas_page), "name_variants", 0, name="Siarhey Tsikhanouski"))
    second = pavel.post(url, form_data(pavels_page, occupation="Blogger"))

    assert first.status_code == 302
    assert second.status_code == 200 and CONFLICT in second.content.decode()
    person.refresh_from_db()
    assert person.occupation != "Blogger"


def test_second_save_of_an_inline_row_is_refused(two_editors):
    alena, pavel = two_editors
    person = person_with_a_name_variant()
    url = admin_url(Person, "change", person.pk)
    alenas_page, pavels_page = alena.get(url), pavel.get(url)

    first = alena.post(url, edit_inline_row(form_data(alenas_page), "name_variants", 0, name="Siarhey Tsikhanouski"))
    second = pavel.post(url, edit_inline_row(form_data(pavels_page), "name_variants", 0, name="Sergey Tikhanovskiy"))

    assert first.status_code == 302
    assert second.status_code == 200 and CONFLICT in second.content.decode()
    assert person.name_variants.get().name == "Siarhey Tsikhanouski"


def test_inline_row_lock_refuses_a_row_opened_on_an_older_version(two_editors):
    # As the page would post with the rows' versions rendered.
    alena, pavel = two_editors
    person = person_with_a_name_variant()
    url = admin_url(Person, "change", person.pk)
    alenas_page, pavels_page = alena.get(url), pavel.get(url)
    alenas = with_unrendered_versions(alenas_page, form_data(alenas_page))
    pavels = with_unrendered_versions(pavels_page, form_data(pavels_page))

    first = alena.post(url, edit_inline_row(alenas, "name_variants", 0, name="Siarhey Tsikhanouski"))
    second = pavel.post(url, edit_inline_row(pavels, "name_variants", 0, name="Sergey Tikhanovskiy"))

    assert first.status_code == 302
    assert second.status_code == 200
    (variants,) = [i.formset for i in second.context["inline_admin_formsets"] if i.formset.prefix == "name_variants"]
    assert any(
        error.startswith(f"{CONFLICT} alena saved this record") for error in variants.forms[0].non_field_errors()
    )
    assert rendered_form(second)["name_variants-0-name"] == ["Sergey Tikhanovskiy"]
    assert person.name_variants.get().name == "Siarhey Tsikhanouski"


# Restoring an old version is a save like any other.


def test_restore_opened_before_another_save_is_refused(two_editors):
    alena, pavel = two_editors
    source = make_source(status=Status.DRAFT, title="Coale visits Minsk")
    source.title = "Coale meets Lukashenko"
    source.save()
    restore_url = admin_url(Source, "simple_history", source.pk, source.history.earliest().history_id)
    change_url = admin_url(Source, "change", source.pk)
    restore_page = alena.get(restore_url)

    pavel.post(change_url, form_data(pavel.get(change_url), title="US envoy meets Lukashenko"))
    response = alena.post(restore_url, form_data(restore_page))

    assert response.status_code == 200
    assert f"{CONFLICT} pavel saved this record at " in response.content.decode()
    source.refresh_from_db()
    assert source.title == "US envoy meets Lukashenko"


def test_form_opened_before_a_restore_is_refused(two_editors):
    alena, pavel = two_editors
    source = make_source(status=Status.DRAFT, title="Coale visits Minsk")
    source.title = "Coale meets Lukashenko"
    source.save()
    restore_url = admin_url(Source, "simple_history", source.pk, source.history.earliest().history_id)
    change_url = admin_url(Source, "change", source.pk)
    pavels_page = pavel.get(change_url)

    alena.post(restore_url, form_data(alena.get(restore_url)))
    response = pavel.post(change_url, form_data(pavels_page, language="be"))

    assert CONFLICT in response.content.decode()
    source.refresh_from_db()
    assert (source.title, source.language) == ("Coale visits Minsk", "en")


def test_form_opened_before_a_bulk_update_is_refused(login):
    source = make_source(status=Status.DRAFT, title="Coale visits Minsk")
    browser = login(make_user(EDITOR))
    url = admin_url(Source, "change", source.pk)
    page = browser.get(url)

    Source.objects.filter(pk=source.pk).update(title="Coale meets Lukashenko")
    response = browser.post(url, form_data(page, language="be"))

    assert CONFLICT in response.content.decode()
    source.refresh_from_db()
    assert source.title == "Coale meets Lukashenko"


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_restore_works_without_a_surrounding_transaction(login):
    # The other tests run inside a transaction the test opens, which hides this.
    source = make_source(status=Status.DRAFT, title="Coale visits Minsk")
    source.title = "Coale meets Lukashenko"
    source.save()
    url = admin_url(Source, "simple_history", source.pk, source.history.earliest().history_id)
    browser = login(make_user(EDITOR))

    response = browser.post(url, form_data(browser.get(url)))

    assert response.status_code == 302
    source.refresh_from_db()
    assert source.title == "Coale visits Minsk"


def test_a_record_deleted_after_the_form_was_opened_is_not_written_back():
    # Between the admin reading the record and the form's clean(): saving would insert it again.
    from django.forms import modelform_factory

    from tracker.forms import VersionedForm

    source = make_source(title="Before", status=Status.PUBLISHED)
    Form = modelform_factory(Source, form=VersionedForm, fields=["title"])
    form = Form({"title": "After", "seen_version": source.version}, instance=source)
    Source.objects.filter(pk=source.pk).delete()

    assert not form.is_valid()
    assert "deleted after you opened it" in " ".join(form.non_field_errors())
    assert not Source.objects.filter(pk=source.pk).exists()
