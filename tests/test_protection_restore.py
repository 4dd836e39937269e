"""A person's protection is lowered only by an Editor, on purpose, with a reason (issue #13, hole 4).

"Lowered" is any move to a level that shows more of the person (withheld →
initials → full). Withdrawn consent must stay withdrawn: no history restore,
import, bulk update or stray save brings an old level back. The rule lives in
the model (Person.save, Person.clean, PersonQuerySet.update); the one door
through it is Person.show_more(level, by=editor, reason=...), which the
person's admin page opens when an Editor gives a reason.
"""

import pytest
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied, ValidationError

from tests.admin_pages import admin_url, form_data
from tests.factories import make_detention, make_person, make_user
from tracker.imports import PeopleImporter, read_sheet
from tracker.models import Person
from tracker.roles import CONTRIBUTOR, EDITOR

pytestmark = pytest.mark.django_db

FULL, INITIALS, WITHHELD = Person.IdentityLevel.FULL, Person.IdentityLevel.INITIALS, Person.IdentityLevel.WITHHELD
REASON = "The family agreed to the name in writing (letter of 3 March)."


def withdrawn_consent():
    """A published person once named in full, then withheld at the family's request."""
    person = make_person(name="Ales Mirrorfield", identity_level=FULL)
    make_detention(person=person)
    person.identity_level = WITHHELD
    person.save()
    return person


def stored_level(person):
    return Person.objects.values_list("identity_level", flat=True).get(pk=person.pk)


# Restore.


def test_restoring_the_version_before_the_withdrawal_keeps_the_name_withheld(client, login):
    person = withdrawn_consent()
    editor = make_user(EDITOR)
    url = admin_url(Person, "simple_history", person.pk, person.history.earliest().history_id)
    browser = login(editor)

    response = browser.post(url, form_data(browser.get(url)))

    assert response.status_code == 200
    assert "shows more of this person" in response.content.decode()
    assert stored_level(person) == WITHHELD
    assert client.get(person.get_absolute_url()).status_code == 404
    assert "Mirrorfield" not in client.get("/prisoners/").content.decode()


def test_restoring_with_a_reason_is_an_editors_decision_on_purpose(login):
    person = withdrawn_consent()
    url = admin_url(Person, "simple_history", person.pk, person.history.earliest().history_id)
    browser = login(make_user(EDITOR))

    response = browser.post(url, form_data(browser.get(url), identity_change_reason=REASON))

    assert response.status_code == 302
    assert stored_level(person) == FULL
    assert person.history.latest().history_change_reason == REASON[:100]


def test_a_restore_by_an_editor_who_cannot_see_identity_levels_keeps_the_current_level(login):
    person = withdrawn_consent()
    person.description = "Edited after the withdrawal."
    person.save()
    group = Group.objects.create(name="Editor without identity")
    group.permissions.set(Group.objects.get(name=EDITOR).permissions.exclude(codename="manage_identity"))
    editor = make_user()
    editor.groups.set([group])
    url = admin_url(Person, "simple_history", person.pk, person.history.earliest().history_id)
    browser = login(editor)

    response = browser.post(url, form_data(browser.get(url)))

    assert response.status_code == 302
    person.refresh_from_db()
    assert (person.description, person.identity_level) == ("", WITHHELD)


def test_restoring_an_old_version_through_the_model_is_refused():
    person = withdrawn_consent()
    old = person.history.earliest().instance

    with pytest.raises(ValidationError):
        old.save()

    assert stored_level(person) == WITHHELD


def test_a_copy_read_before_the_withdrawal_cannot_name_the_person_again():
    person = make_person(name="Ales Mirrorfield", identity_level=FULL)
    stale = Person.objects.get(pk=person.pk)  # an edit begun before the family asked
    person.identity_level = WITHHELD
    person.save()
    stale.description = "Edited in a window opened before the withdrawal."

    with pytest.raises(ValidationError):
        stale.full_clean()
    with pytest.raises(ValidationError):
        stale.save()

    assert stored_level(person) == WITHHELD


# Import.


def sheet(rows):
    header = ["person_uid", "name", "identity_level"]
    text = "\n".join(",".join(row) for row in [header, *rows]) + "\n"
    return read_sheet("people.csv", text.encode())


def test_an_import_cannot_name_a_withheld_person(login):
    person = withdrawn_consent()

    plan = PeopleImporter(make_user(EDITOR), "people.csv").plan(sheet([[str(person.uid), person.name, "full"]]))

    assert not plan.is_valid
    (row,) = plan.rows
    assert any(error.startswith("identity_level: ") for error in row.errors), row.errors
    assert stored_level(person) == WITHHELD


def test_an_import_previewed_before_the_withdrawal_is_refused_at_confirm():
    person = make_person(name="Ales Mirrorfield", identity_level=FULL)
    rows = [[str(person.uid), person.name, "full"]]
    editor = make_user(EDITOR)
    assert PeopleImporter(editor, "people.csv").plan(sheet(rows)).is_valid  # the preview
    person.identity_level = WITHHELD
    person.save()

    importer = PeopleImporter(editor, "people.csv")
    plan = importer.plan(sheet(rows), lock=True)  # the confirm plans again, rows locked

    assert not plan.is_valid
    with pytest.raises(ValueError):
        importer.apply(plan)
    assert stored_level(person) == WITHHELD


def test_an_imported_copy_saved_later_is_checked_against_the_database():
    person = make_person(name="Ales Mirrorfield", identity_level=FULL)
    importer = PeopleImporter(make_user(EDITOR), "people.csv")
    plan = importer.plan(sheet([[str(person.uid), "Ales Mirrorfield-Stale", "full"]]))
    (copy,) = plan.rows[0].writes  # the importer's copy, its stored level read with the sheet
    person.identity_level = WITHHELD
    person.save()

    with pytest.raises(ValidationError):
        copy.save()

    assert stored_level(person) == WITHHELD


def test_an_import_may_still_withhold_a_name():
    person = make_person(identity_level=FULL)

    importer = PeopleImporter(make_user(EDITOR), "people.csv")
    plan = importer.plan(sheet([[str(person.uid), person.name, "withheld"]]))
    importer.apply(plan)

    assert stored_level(person) == WITHHELD


# Bulk updates.


def test_a_bulk_update_cannot_lower_anyones_protection():
    person = withdrawn_consent()

    with pytest.raises(ValidationError):
        Person.objects.filter(pk=person.pk).update(identity_level=INITIALS)

    assert stored_level(person) == WITHHELD


def test_a_bulk_update_may_raise_protection():
    person = make_person(identity_level=FULL)

    Person.objects.filter(pk=person.pk).update(identity_level=INITIALS)

    assert stored_level(person) == INITIALS


# The one door.


def test_show_more_needs_an_editor_who_manages_identities():
    person = withdrawn_consent()

    with pytest.raises(PermissionDenied):
        person.show_more(FULL, by=make_user(CONTRIBUTOR), reason=REASON)

    assert stored_level(person) == WITHHELD


def test_show_more_needs_a_reason():
    person = withdrawn_consent()

    with pytest.raises(ValidationError):
        person.show_more(FULL, by=make_user(EDITOR), reason="  ")


def test_show_more_records_who_and_why():
    person = withdrawn_consent()
    editor = make_user(EDITOR)

    person.show_more(INITIALS, by=editor, reason=REASON)
    person.save()

    record = person.history.latest()
    assert (record.identity_level, record.history_user, record.history_change_reason) == (
        INITIALS,
        editor,
        REASON[:100],
    )
    # Once: the next save that shows more needs its own reason.
    person.identity_level = FULL
    with pytest.raises(ValidationError):
        person.save()


def test_editor_names_a_person_on_their_page_only_with_a_reason(login):
    person = withdrawn_consent()
    browser = login(make_user(EDITOR))
    url = admin_url(Person, "change", person.pk)

    refused = browser.post(url, form_data(browser.get(url), identity_level="full"))
    assert refused.status_code == 200 and stored_level(person) == WITHHELD

    saved = browser.post(url, form_data(browser.get(url), identity_level="full", identity_change_reason=REASON))
    assert saved.status_code == 302 and stored_level(person) == FULL


def test_withholding_needs_no_reason(login):
    person = make_person(identity_level=FULL)
    browser = login(make_user(EDITOR))
    url = admin_url(Person, "change", person.pk)

    response = browser.post(url, form_data(browser.get(url), identity_level="withheld"))

    assert response.status_code == 302 and stored_level(person) == WITHHELD
