"""Hole 8, the rest: imports, and the people the public sees less of, move the public data version only when the public sees it.

- A sheet moved the version whatever it wrote (tracker/imports/importer.py):
  a Contributor's import of drafts told an outsider timing a page that
  someone was at work. Each write now asks tracker/public_changes.py.
- Of a person not named in full the public sees only their level, status
  and initials (events/disclosure.py): editing a withheld person's region,
  birth year or name changes no public output, so it moves nothing either.
"""

import pytest

from events.imports import EventImporter
from events.models import Event
from tests.factories import make_citation, make_detention, make_event, make_person
from tests.test_import_people import csv_bytes, import_sheet
from tracker.imports import read_sheet
from tracker.models import Person
from tracker.publishing import DataVersion, Status

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def uploads_in_a_temporary_directory(settings, tmp_path):
    settings.IMPORT_TMP_DIR = tmp_path / "imports"


def version():
    return DataVersion.objects.get(pk=1).number


@pytest.fixture
def started(db):
    """A published event: the version exists."""
    make_citation(event=make_event(title="Talks"))
    return version()


def save(record, **fields):
    for name, value in fields.items():
        setattr(record, name, value)
    record.save()


# --- Imports --------------------------------------------------------------------------


def test_a_contributors_sheet_of_new_drafts_moves_no_version(contributor, started):
    import_sheet(
        contributor, csv_bytes([["name", "detention_external_id", "country"], ["Draft Newperson", "d-1", "BY"]])
    )
    assert Person.objects.get(name="Draft Newperson").status == Status.DRAFT
    assert version() == started


def test_a_sheet_changing_drafts_only_moves_no_version(editor, started):
    make_person(name="Draft One", external_id="p-1", status=Status.DRAFT, region="Minsk")
    make_person(name="Draft Two", external_id="p-2", status=Status.DRAFT, region="Minsk")
    import_sheet(editor, csv_bytes([["person_external_id", "region"], ["p-1", "Hrodna"], ["p-2", "Brest"]]))
    assert set(Person.objects.values_list("region", flat=True)) == {"Hrodna", "Brest"}
    assert version() == started


def test_a_sheet_changing_a_published_person_moves_the_version(editor, started):
    make_person(name="Ales Named", external_id="p-1", region="Minsk")
    make_person(name="Draft Two", external_id="p-2", status=Status.DRAFT, region="Minsk")
    import_sheet(editor, csv_bytes([["person_external_id", "region"], ["p-1", "Hrodna"], ["p-2", "Brest"]]))
    assert version() > started


def test_a_sheet_changing_a_published_event_moves_the_version_and_its_feed_entry(editor, started):
    event = make_event(external_id="e-1", title="Before")
    make_citation(event=event)
    stamped, before = Event.objects.get(pk=event.pk).public_updated_at, version()
    plan = EventImporter(editor, "sheet.csv").plan(
        read_sheet("sheet.csv", csv_bytes([["external_id", "title"], ["e-1", "After"]]))
    )
    assert plan.is_valid, plan.problems
    EventImporter(editor, "sheet.csv").apply(plan)
    assert Event.objects.get(pk=event.pk).title == "After"
    assert version() > before
    assert Event.objects.get(pk=event.pk).public_updated_at > stamped


# --- People the public sees less of ---------------------------------------------------


def test_editing_what_the_public_never_sees_of_a_withheld_person_moves_nothing(started):
    person = make_person(name="Secretus Hiddenov", identity_level="withheld", region="Minsk")
    make_detention(person=person)
    before = version()

    save(person, region="Hrodna", birth_year=1977, occupation="teacher", name="Secretus Hiddenov-Renamed")
    Person.objects.filter(pk=person.pk).update(region="Brest", gender="male")

    assert version() == before


def test_editing_what_the_public_never_sees_of_an_initials_person_moves_nothing(started):
    person = make_person(name="Ihar Initialson", identity_level="initials", region="Minsk")
    before = version()

    save(person, region="Hrodna", birth_year=1977, description="teacher", name="Ihar Ivanou")  # still I. I.

    assert version() == before


def test_a_change_of_an_initials_persons_initials_moves_the_version(started):
    person = make_person(name="Ihar Initialson", identity_level="initials")
    before = version()
    save(person, name="Pavel Initialson")  # I. I. becomes P. I.
    assert version() > before


def test_the_same_edits_of_a_person_named_in_full_move_the_version(started):
    person = make_person(name="Ales Named", region="Minsk")
    before = version()
    save(person, region="Hrodna")
    assert version() == before + 1
    Person.objects.filter(pk=person.pk).update(birth_year=1960)
    assert version() == before + 2


@pytest.mark.parametrize(
    "change",
    [
        {"identity_level": "withheld"},  # from initials: they leave the registry's list
        {"status": Status.RETRACTED},  # their detentions leave the counts
    ],
)
def test_the_level_and_status_of_a_protected_person_are_public(started, change):
    person = make_person(name="Ihar Initialson", identity_level="initials")
    make_detention(person=person)
    before = version()
    save(person, **change)
    assert version() > before


def test_publishing_a_withheld_person_moves_the_version(started):
    person = make_person(name="Secretus Hiddenov", identity_level="withheld", status=Status.DRAFT)
    make_detention(person=person)
    before = version()
    Person.objects.filter(pk=person.pk).update(status=Status.PUBLISHED)  # their detention is counted now
    assert version() > before


# What public_changes watches of a person not named in full is all their outputs show: a field
# outside Person.shown_when_not_named changes no byte of the person's page, the registry or its CSV.
HIDDEN_UNLESS_NAMED = {
    "name": "Ivan Ivanou",  # the same initials
    "birth_year": 1961,
    "gender": "female",
    "region": "Brest",
    "occupation": "engineer",
    "description": "a retired engineer",
    "search_key": None,  # derived from the name by save()
}


def test_a_field_outside_shown_when_not_named_changes_no_public_output(client):
    from tracker.public_changes import named_only_attnames

    assert named_only_attnames(Person) == set(HIDDEN_UNLESS_NAMED), "teach the new field to this test"
    person = make_person(
        name="Ihar Initialson", identity_level="initials", birth_year=1970, gender="male", region="Minsk"
    )
    make_detention(person=person)
    paths = [person.get_absolute_url(), "/prisoners/", "/prisoners.csv", f"/api/v1/prisoners/{person.uid}/"]

    def outputs():
        from django.core.cache import cache

        cache.clear()
        bodies = []
        for path in paths:
            response = client.get(path)
            assert response.status_code == 200, path
            bodies.append(b"".join(response.streaming_content) if response.streaming else response.content)
        return bodies

    before = outputs()
    save(person, **{name: value for name, value in HIDDEN_UNLESS_NAMED.items() if value is not None})
    assert outputs() == before
