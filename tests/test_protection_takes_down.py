"""Every path that protects a person more takes down the public text naming them (tracker/withholding.py).

Person.save() took it down when an identity level was raised; a bulk
update (PersonQuerySet.update(), bulk_update()), the people import (which
writes through the base manager) and a new spelling of a protected person
(a rename, a name variant, by hand or by import) left the text public.
"""

import pytest
from django.db import connection
from django.db.models import Case, Value, When
from django.test.utils import CaptureQueriesContext

from tests.factories import make_citation, make_event, make_name_variant, make_person, make_user
from tracker.imports import PeopleImporter, read_sheet
from tracker.models import NameVariant, Person
from tracker.publishing import Status
from tracker.roles import EDITOR

pytestmark = pytest.mark.django_db

FULL, INITIALS, WITHHELD = Person.IdentityLevel.FULL, Person.IdentityLevel.INITIALS, Person.IdentityLevel.WITHHELD


def published_event(summary):
    event = make_event(title="Exchange in Vilnius", summary=summary)
    make_citation(event=event)
    return event


def status(record):
    record.refresh_from_db()
    return record.status


def sheet(header, rows):
    text = "\n".join(",".join(row) for row in [header, *rows]) + "\n"
    return read_sheet("people.csv", text.encode())


def import_sheet(header, rows):
    importer = PeopleImporter(make_user(EDITOR), "people.csv")
    plan = importer.plan(sheet(header, rows), lock=True)
    assert plan.is_valid, [row.errors for row in plan.rows]
    importer.apply(plan)
    return importer


# Raised protection, in bulk.


@pytest.mark.parametrize("level", [WITHHELD, INITIALS])
def test_a_bulk_update_raising_a_level_takes_the_text_down(level):
    maria = make_person(name="Maria Freed", identity_level=FULL)
    event = published_event("Maria Freed was among those freed.")
    other = published_event("Talks were held.")

    Person.objects.filter(pk=maria.pk).update(identity_level=level)

    assert status(event) == Status.IN_REVIEW
    assert status(other) == Status.PUBLISHED


def test_bulk_update_raising_a_level_takes_the_text_down():
    maria = make_person(name="Maria Freed", identity_level=FULL)
    kept = make_person(name="Kira Kept", identity_level=FULL)
    event = published_event("Maria Freed was among those freed.")
    named = published_event("Kira Kept spoke.")
    maria.identity_level = WITHHELD
    kept.region = "Hrodna"

    Person.objects.bulk_update([maria, kept], ["identity_level", "region"])  # a CASE

    assert status(event) == Status.IN_REVIEW
    assert status(named) == Status.PUBLISHED


def test_an_update_with_an_expression_raising_a_level_takes_the_text_down():
    maria = make_person(name="Maria Freed", identity_level=FULL)
    make_person(name="Anna Mirrorfield", identity_level=FULL)
    event = published_event("Maria Freed was among those freed.")
    named = published_event("Anna Mirrorfield spoke.")

    Person.objects.update(identity_level=Case(When(pk=maria.pk, then=Value(WITHHELD)), default=Value(FULL)))

    assert status(event) == Status.IN_REVIEW
    assert status(named) == Status.PUBLISHED  # full before and after


def test_a_bulk_update_that_protects_no_one_more_takes_nothing_down():
    make_person(name="Maria Freed", identity_level=WITHHELD)
    event = published_event("Freed was a word in the summary.")
    Person.objects.filter(identity_level=WITHHELD).update(identity_level=WITHHELD)
    assert status(event) == Status.PUBLISHED


# Raised protection, by import.


def test_an_import_raising_a_level_takes_the_text_down():
    maria = make_person(name="Maria Freed", identity_level=FULL)
    event = published_event("Maria Freed was among those freed.")

    importer = import_sheet(["person_uid", "name", "identity_level"], [[str(maria.uid), maria.name, "withheld"]])

    assert status(event) == Status.IN_REVIEW
    assert importer.taken_down == [event]


def test_an_import_raising_levels_reads_the_text_once_for_any_number_of_people():
    def queries(count):
        people = [make_person(name=f"Person Number{n}x{count}", identity_level=FULL) for n in range(count)]
        published_event(f"{people[0].name} was among those freed.")
        rows = [[str(person.uid), person.name, "withheld"] for person in people]
        importer = PeopleImporter(make_user(EDITOR), "people.csv")
        plan = importer.plan(sheet(["person_uid", "name", "identity_level"], rows), lock=True)
        with CaptureQueriesContext(connection) as captured:
            importer.apply(plan)
        assert len(importer.taken_down) == 1
        return len(captured)

    assert queries(2) == queries(12)


# A new spelling of a protected person.


@pytest.mark.parametrize("level", [WITHHELD, INITIALS])
def test_renaming_a_protected_person_takes_down_the_text_naming_the_new_name(level):
    anna = make_person(name="Anna Mirrorfield", identity_level=level)
    event = published_event("Anna Lakeshore was among those freed.")

    anna.name = "Anna Lakeshore"  # her married name
    anna.save()

    assert status(event) == Status.IN_REVIEW
    assert anna.taken_down == [event]


def test_renaming_a_person_named_in_full_takes_nothing_down():
    anna = make_person(name="Anna Mirrorfield", identity_level=FULL)
    event = published_event("Anna Lakeshore was among those freed.")
    anna.name = "Anna Lakeshore"
    anna.save()
    assert status(event) == Status.PUBLISHED


def test_a_name_variant_of_a_protected_person_takes_down_the_text_using_it():
    anna = make_person(name="Anna Mirrorfield", identity_level=WITHHELD)
    event = published_event("Ганна Люстэрка на волі.")

    variant = make_name_variant(person=anna, name="Ганна Люстэрка", script="Cyrl")

    assert status(event) == Status.IN_REVIEW
    assert variant.taken_down == [event]


def test_a_name_variant_of_a_person_named_in_full_takes_nothing_down():
    anna = make_person(name="Anna Mirrorfield", identity_level=FULL)
    event = published_event("Ганна Люстэрка на волі.")
    make_name_variant(person=anna, name="Ганна Люстэрка", script="Cyrl")
    assert status(event) == Status.PUBLISHED


def test_an_import_renaming_a_protected_person_takes_the_text_down():
    anna = make_person(name="Anna Mirrorfield", identity_level=INITIALS)
    event = published_event("Anna Lakeshore was among those freed.")

    import_sheet(["person_uid", "name"], [[str(anna.uid), "Anna Lakeshore"]])

    assert status(event) == Status.IN_REVIEW


def test_an_import_adding_a_name_variant_to_a_protected_person_takes_the_text_down():
    anna = make_person(name="Anna Mirrorfield", identity_level=WITHHELD)
    event = published_event("Ганна Люстэрка на волі.")

    import_sheet(["person_uid", "name", "name_variants"], [[str(anna.uid), anna.name, "Ганна Люстэрка"]])

    assert NameVariant.objects.filter(person=anna, name="Ганна Люстэрка").exists()
    assert status(event) == Status.IN_REVIEW


def test_an_import_adding_a_name_variant_to_a_person_named_in_full_takes_nothing_down():
    anna = make_person(name="Anna Mirrorfield", identity_level=FULL)
    event = published_event("Ганна Люстэрка на волі.")
    importer = import_sheet(["person_uid", "name", "name_variants"], [[str(anna.uid), anna.name, "Ганна Люстэрка"]])
    assert status(event) == Status.PUBLISHED
    assert importer.taken_down == []
