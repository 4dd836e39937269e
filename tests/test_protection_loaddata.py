"""A fixture cannot bring back a protected person's name (issue #13, hole 4).

`restore` refuses a database that is not empty, so a backup never lands
over people; `loaddata` does, and saves raw, past Person.save(): a fixture
holding an old version of a person (their level before consent was
withdrawn) named them again. A raw save of a person is now checked against
the stored level (tracker/models/people.py, person_loading), and one that
protects a person more takes down the public text naming them, as a save does.
"""

import json

import pytest
from django.core import serializers
from django.core.management import call_command

from tests.factories import make_citation, make_event, make_person
from tracker.models import Person
from tracker.publishing import Status

pytestmark = pytest.mark.django_db

FULL, WITHHELD = Person.IdentityLevel.FULL, Person.IdentityLevel.WITHHELD


def fixture_of(person, tmp_path, **changes):
    """The person as a fixture file: their stored row, with `changes`."""
    (row,) = json.loads(serializers.serialize("json", [person]))
    row["fields"].update(changes)
    path = tmp_path / "people.json"
    path.write_text(json.dumps([row]), encoding="utf-8")
    return str(path)


def stored_level(person):
    return Person.objects.values_list("identity_level", flat=True).get(pk=person.pk)


def test_loaddata_cannot_name_a_withheld_person_again(tmp_path):
    person = make_person(name="Ales Mirrorfield", identity_level=FULL)
    old_version = fixture_of(person, tmp_path)  # a fixture written before consent was withdrawn
    person.identity_level = WITHHELD
    person.save()

    with pytest.raises(Exception, match="shows more of this person"):
        call_command("loaddata", old_version, verbosity=0)

    assert stored_level(person) == WITHHELD


def test_loaddata_raising_a_level_takes_down_the_text_naming_the_person(tmp_path):
    person = make_person(name="Maria Freed", identity_level=FULL)
    event = make_event(title="Exchange", summary="Maria Freed was among those freed.")
    make_citation(event=event)

    call_command("loaddata", fixture_of(person, tmp_path, identity_level=WITHHELD), verbosity=0)

    assert stored_level(person) == WITHHELD
    event.refresh_from_db()
    assert event.status == Status.IN_REVIEW


def test_loaddata_of_a_new_person_or_the_same_level_goes_through(tmp_path):
    person = make_person(name="Ihar Kept", identity_level=WITHHELD)
    call_command("loaddata", fixture_of(person, tmp_path, region="Hrodna"), verbosity=0)
    assert Person.objects.get(pk=person.pk).region == "Hrodna"
    path, pk = fixture_of(person, tmp_path, identity_level=FULL), person.pk
    Person.objects.filter(pk=pk).delete()
    call_command("loaddata", path, verbosity=0)  # no stored level to lower
    assert Person.objects.get(pk=pk).identity_level == FULL
