"""Imprecise dates are stored as the first day of their period, whatever the editor typed."""

import datetime

import pytest
from django.core.exceptions import ValidationError

from events.models import Event
from tests.admin_pages import post_add_form
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


@pytest.mark.parametrize(
    "typed, stored, precision",
    [
        ("October 2025", datetime.date(2025, 10, 1), "month"),
        ("Oct 2025", datetime.date(2025, 10, 1), "month"),
        ("2025-10", datetime.date(2025, 10, 1), "month"),
        ("2025", datetime.date(2025, 1, 1), "year"),
        ("12 October 2025", datetime.date(2025, 10, 12), "day"),
        ("2025-10-12", datetime.date(2025, 10, 12), "day"),
    ],
)
def test_admin_takes_a_date_as_precise_as_the_editor_knows_it(admin_client, typed, stored, precision):
    response = post_add_form(admin_client, Event, kind="visit", title="Visit", occurred_on=typed)
    assert response.status_code == 302, response.content.decode()[:2000]
    event = Event.objects.get()
    assert (event.occurred_on, event.occurred_on_precision) == (stored, precision)


@pytest.mark.parametrize("typed", ["2025-13", "Smarch 2025", "31 February 2025", "soon"])
def test_admin_refuses_a_date_it_cannot_read(admin_client, typed):
    response = post_add_form(admin_client, Event, kind="visit", title="Visit", occurred_on=typed)
    assert response.status_code == 200
    assert "Enter a valid date." in response.content.decode()
    assert not Event.objects.exists()


def test_admin_shows_a_month_precise_date_as_the_month(admin_client):
    event = Event.objects.create(
        kind="visit", title="Visit", occurred_on=datetime.date(2025, 9, 1), occurred_on_precision="month"
    )
    html = admin_client.get(f"/admin/events/event/{event.pk}/change/").content.decode()
    assert 'name="occurred_on" value="2025-09"' in html


def test_month_names_follow_the_active_language():
    """date_in_words keeps the months' names per language (date_words): a page in one language never gets another's."""

    from django.utils import translation

    from tracker.dates import date_in_words

    day = datetime.date(2025, 12, 13)
    with translation.override("en"):
        assert date_in_words(day, "day") == "13 December 2025"
    with translation.override("ru"):
        assert date_in_words(day, "day") == "13 декабря 2025"
        assert date_in_words(day, "month") == "декабрь 2025"
    with translation.override("en"):
        assert date_in_words(day, "month") == "December 2025"
