"""Showing a person in full makes their own text public: it may not name another protected person.

A person's description, their published detentions' sentence and facility
and their charges' descriptions are public only for people named in full
(their models' rows_with_public_text()). Showing more of a person
(Person.show_more, initials or withheld → full) made that text public at
once, unchecked: "sentenced with Anna Mirrorfield" went out when Ihar was
shown in full, although Anna is withheld. The change is now refused, under
the identity level, naming the record and field (tracker/protection.py).
"""

import pytest
from django.core.exceptions import ValidationError

from tests.admin_pages import admin_url, form_data
from tests.factories import make_charge, make_detention, make_person, make_user
from tracker.models import Person
from tracker.roles import EDITOR

pytestmark = pytest.mark.django_db

FULL, INITIALS, WITHHELD = Person.IdentityLevel.FULL, Person.IdentityLevel.INITIALS, Person.IdentityLevel.WITHHELD
REASON = "The family agreed to the name in writing."


def stored_level(person):
    return Person.objects.values_list("identity_level", flat=True).get(pk=person.pk)


@pytest.fixture
def ihar():
    """Ihar, shown by initials, whose sentence names Anna, withheld."""
    make_person(name="Anna Mirrorfield", identity_level=WITHHELD)
    ihar = make_person(name="Ihar Shown", identity_level=INITIALS)
    make_detention(person=ihar, sentence="3 years, in the same trial as Mirrorfield")
    return ihar


def test_showing_a_person_in_full_is_refused_while_their_sentence_names_a_protected_person(ihar):
    editor = make_user(EDITOR)
    ihar.show_more(FULL, by=editor, reason=REASON)
    with pytest.raises(ValidationError) as refused:
        ihar.save()
    assert "Sentence" in str(refused.value) and "Mirrorfield" in str(refused.value)
    assert stored_level(ihar) == INITIALS


def test_a_charge_description_naming_a_protected_person_is_refused_too():
    make_person(name="Anna Mirrorfield", identity_level=WITHHELD)
    ihar = make_person(name="Ihar Shown", identity_level=WITHHELD)
    make_charge(detention=make_detention(person=ihar), description="organised a protest with Mirrorfield")
    ihar.show_more(FULL, by=make_user(EDITOR), reason=REASON)
    with pytest.raises(ValidationError, match="Description"):
        ihar.full_clean()
    assert stored_level(ihar) == WITHHELD


def test_the_person_form_shows_the_error_under_the_identity_level(login, ihar):
    browser = login(make_user(EDITOR))
    url = admin_url(Person, "change", ihar.pk)

    response = browser.post(url, form_data(browser.get(url), identity_level=FULL, identity_change_reason=REASON))

    assert response.status_code == 200
    errors = response.context["adminform"].form.errors["identity_level"]
    assert any("Sentence" in error and "Mirrorfield" in error for error in errors), errors
    assert stored_level(ihar) == INITIALS


def test_once_the_text_no_longer_names_anyone_protected_the_person_is_shown_in_full(ihar):
    detention = ihar.detentions.get()
    detention.sentence = "3 years"
    detention.save()
    ihar.show_more(FULL, by=make_user(EDITOR), reason=REASON)
    ihar.save()
    assert stored_level(ihar) == FULL


def test_their_own_description_may_name_them_once_they_are_shown_in_full():
    ihar = make_person(name="Ihar Shown", identity_level=INITIALS, description="Ihar Shown, a teacher from Hrodna")
    ihar.show_more(FULL, by=make_user(EDITOR), reason=REASON)
    ihar.full_clean()
    ihar.save()
    assert stored_level(ihar) == FULL


def test_initials_make_none_of_their_text_public(ihar):
    withheld = make_person(name="Olga Hidden", identity_level=WITHHELD)
    make_detention(person=withheld, sentence="3 years, in the same trial as Mirrorfield")
    withheld.show_more(INITIALS, by=make_user(EDITOR), reason=REASON)
    withheld.full_clean()
    withheld.save()
    assert stored_level(withheld) == INITIALS
