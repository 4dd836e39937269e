"""A person's history page: the reasons given for identity changes are for Editors only (issue #13, hole 9)."""

import pytest
from django.contrib import admin

from tests.admin_pages import admin_url
from tests.factories import make_person, make_user
from tracker.models import Person
from tracker.publishing import Status
from tracker.roles import CONTRIBUTOR, EDITOR, VIEWER

pytestmark = pytest.mark.django_db

REASON = "family asked to withhold the name"


def withheld_with_a_reason(**kwargs):
    """A person named in full, then withheld, with the reason written into history as the admin writes it."""
    person = make_person(status=Status.DRAFT, identity_level=Person.IdentityLevel.FULL, **kwargs)
    person.identity_level = Person.IdentityLevel.WITHHELD
    person._change_reason = REASON
    person.save()
    person.__dict__.pop("_change_reason", None)  # else simple-history gives the next save the same reason
    return person


def history_page(login, role, person, query=""):
    return login(make_user(role)).get(admin_url(Person, "history", person.pk) + query).content.decode()


@pytest.mark.parametrize("role, shown", [(VIEWER, False), (CONTRIBUTOR, False), (EDITOR, True)])
def test_reason_for_an_identity_change_is_shown_to_editors_only(login, role, shown):
    person = withheld_with_a_reason()

    assert (REASON in history_page(login, role, person)) is shown


def test_reason_given_when_a_person_was_added_is_for_editors_only(login):
    person = make_person(status=Status.DRAFT, identity_level=Person.IdentityLevel.WITHHELD)
    person.history.filter(history_type="+").update(history_change_reason=REASON)

    assert REASON not in history_page(login, CONTRIBUTOR, person)
    assert REASON in history_page(login, EDITOR, person)


def test_reason_for_an_identity_change_is_hidden_even_at_the_foot_of_a_page(login, monkeypatch):
    # The oldest version of a page is compared with nothing there: its reason goes too.
    monkeypatch.setattr(admin.site._registry[Person], "history_list_per_page", 2)
    person = withheld_with_a_reason()
    person.description = "Edited"
    person.save()

    first_page = history_page(login, CONTRIBUTOR, person)

    assert "Edited" in first_page and REASON not in first_page


def test_reason_for_a_change_of_public_fields_is_shown_to_contributors(login):
    person = make_person(status=Status.DRAFT, occupation="Teacher")
    person.occupation = "Journalist"
    person._change_reason = "corrected from the court record"
    person.save()

    assert "corrected from the court record" in history_page(login, CONTRIBUTOR, person)
