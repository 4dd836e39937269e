"""Hole 4, defence in depth: a bulk write of identity levels never shows more of anyone.

QuerySet.bulk_update() writes a CASE, which the check of a plain level
cannot read: PersonQuerySet.update() checked nothing and lowered a withheld
person to full. A level it cannot read before writing is now checked after
the write, in the same transaction (tracker/protection.py, update_in_bulk).
"""

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Case, F, Value, When

from tests.factories import make_person
from tracker.models import Person

pytestmark = pytest.mark.django_db


def levels(*people):
    return [Person.objects.get(pk=person.pk).identity_level for person in people]


def test_bulk_update_cannot_lower_protection():
    person = make_person(name="Bulk Lowered", identity_level="withheld")
    person.identity_level = "full"
    # bulk_update() writes in the caller's transaction (atomic without a savepoint): the caller's is undone.
    with pytest.raises(ValidationError, match="cannot show more of anyone"), transaction.atomic():
        Person.objects.bulk_update([person], ["identity_level"])
    assert levels(person) == ["withheld"]


def test_a_refused_bulk_update_writes_none_of_its_rows():
    raised = make_person(name="Raised Person", identity_level="full")
    lowered = make_person(name="Lowered Person", identity_level="initials")
    raised.identity_level, lowered.identity_level = "withheld", "full"
    raised.region = lowered.region = "Hrodna"
    with pytest.raises(ValidationError), transaction.atomic():
        Person.objects.bulk_update([raised, lowered], ["identity_level", "region"])
    assert levels(raised, lowered) == ["full", "initials"]
    assert set(Person.objects.values_list("region", flat=True)) == {""}


def test_bulk_update_raising_or_keeping_protection_goes_through():
    raised = make_person(name="Raised Person", identity_level="full")
    kept = make_person(name="Kept Person", identity_level="initials")
    raised.identity_level = "withheld"
    Person.objects.bulk_update([raised, kept], ["identity_level"])
    assert levels(raised, kept) == ["withheld", "initials"]
    assert Person.objects.get(pk=raised.pk).shown_name == ""  # the listed names follow the level


@pytest.mark.parametrize(
    "expression",
    [
        Case(When(name="Hidden Person", then=Value("full")), default=F("identity_level")),
        Value("full"),
    ],
    ids=["case", "value"],
)
def test_update_with_an_expression_cannot_lower_protection(expression):
    hidden = make_person(name="Hidden Person", identity_level="withheld")
    with pytest.raises(ValidationError):
        Person.objects.filter(pk=hidden.pk).update(identity_level=expression)
    assert levels(hidden) == ["withheld"]
