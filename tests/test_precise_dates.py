"""Imprecise dates are stored as the first day of their period, whatever the editor typed."""
import datetime

import pytest
from django.core.exceptions import ValidationError

from events.models import Event
from tracker.models import Detention, Person

pytestmark = pytest.mark.django_db


def test_saving_a_month_precise_event_keeps_only_the_month():
    event = Event.objects.create(
        kind="visit", title="Visit", occurred_on=datetime.date(2025, 9, 17), occurred_on_precision="month"
    )
    event.refresh_from_db()
    assert event.occurred_on == datetime.date(2025, 9, 1)
    assert str(event.occurred) == "September 2025"
    assert event.occurred.iso == "2025-09"


def test_saving_a_year_precise_detention_keeps_only_the_year():
    person = Person.objects.create(name="Someone")
    detention = Detention.objects.create(
        person=person, country="BY", detained_on=datetime.date(2021, 5, 9), detained_on_precision="year"
    )
    detention.refresh_from_db()
    assert detention.detained_on == datetime.date(2021, 1, 1)
    assert str(detention.detained) == "2021"


def test_validation_compares_the_stored_dates_not_the_typed_ones():
    # "September 2025" to 10 September 2025 is a valid span once the start is
    # stored as 1 September, although the editor typed the 15th.
    event = Event(
        kind="visit",
        title="Visit",
        occurred_on=datetime.date(2025, 9, 15),
        occurred_on_precision="month",
        ended_on=datetime.date(2025, 9, 10),
        ended_on_precision="day",
    )
    event.full_clean()
    assert event.occurred_on == datetime.date(2025, 9, 1)


def test_validation_still_rejects_an_end_before_the_start():
    event = Event(
        kind="visit",
        title="Visit",
        occurred_on=datetime.date(2025, 9, 15),
        occurred_on_precision="day",
        ended_on=datetime.date(2025, 9, 10),
        ended_on_precision="day",
    )
    with pytest.raises(ValidationError, match="The end date cannot be earlier than the date of the event."):
        event.full_clean()
