"""Issue #15 point 5: when sources date an event differently, the editor keeps which source the date is taken
from (a citation "gives the date"), and the event page, the CSV and the API say it."""

import csv
import datetime
import io

import pytest
from django.core.exceptions import ValidationError
from django.utils.html import escape

from events.models import Citation, Event
from tests.admin_pages import admin_url, form_data
from tests.factories import make_citation, make_event, make_source
from tracker.publishing import Status

pytestmark = pytest.mark.django_db


def dated_twice(status=Status.PUBLISHED):
    """A release one source dates to September 2025, another to 11 September 2025: the day is entered."""
    event = make_event(
        title="Release of 52", status=status, occurred_on=datetime.date(2025, 9, 11), occurred_on_precision="day"
    )
    monthly = make_citation(event=event, source=make_source(title="Monthly review", url="https://a.example/m"))
    daily = make_citation(event=event, source=make_source(title="Report of the day", url="https://b.example/d"))
    return event, monthly, daily


def test_the_event_page_says_which_source_the_date_is_from(client):
    event, monthly, daily = dated_twice()
    assert 'class="date-source"' not in client.get(event.get_absolute_url()).content.decode()
    daily.gives_date = True
    daily.save()
    page = client.get(event.get_absolute_url()).content.decode()
    assert (
        '<p class="date-source">The date as given by '
        '<a href="https://b.example/d" rel="noopener noreferrer">Report of the day</a>'
    ) in page


def test_one_source_gives_the_date_at_most(db):
    event, monthly, daily = dated_twice()
    monthly.gives_date = True
    monthly.save()
    daily.gives_date = True
    with pytest.raises(ValidationError) as refused:
        daily.full_clean()
    assert refused.value.messages == ["The date is one source's: tick “gives the date” on one citation only."]


def test_an_editor_ticks_the_source_of_the_date_and_a_second_tick_is_refused_in_words(admin_client):
    event, monthly, daily = dated_twice(status=Status.DRAFT)
    url = admin_url(Event, "change", event.pk)
    data = form_data(admin_client.get(url))
    data["citations-1-gives_date"] = ["on"]  # an unticked box is not in the form a browser sends
    assert admin_client.post(url, data).status_code == 302
    assert list(Citation.objects.filter(gives_date=True)) == [daily]
    data = form_data(admin_client.get(url))
    assert data["citations-1-gives_date"] == ["on"]
    data["citations-0-gives_date"] = ["on"]
    response = admin_client.post(url, data)
    assert response.status_code == 200
    assert escape("The date is one source's: tick “gives the date” on one citation only.") in response.content.decode()
    assert list(Citation.objects.filter(gives_date=True)) == [daily]


def test_the_csv_and_the_api_name_the_source_of_the_date(client):
    event, monthly, daily = dated_twice()
    daily.gives_date = True
    daily.save()
    response = client.get("/timeline.csv")
    [row] = csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig")))
    assert row["date_source_uid"] == str(daily.source.uid)
    api = client.get(f"/api/v1/events/{event.uid}/").json()
    assert api["date_source"]["uid"] == str(daily.source.uid)
    assert api["date_source"]["title"] == "Report of the day"
    monthly_only = make_event(title="Another", occurred_on=datetime.date(2025, 1, 1))
    make_citation(event=monthly_only)
    assert client.get(f"/api/v1/events/{monthly_only.uid}/").json()["date_source"] is None


def test_a_draft_source_of_the_date_is_never_shown(client):
    event, monthly, daily = dated_twice()
    daily.gives_date = True
    daily.save()
    daily.source.status = Status.DRAFT
    daily.source.save()
    page = client.get(event.get_absolute_url()).content.decode()
    assert "Report of the day" not in page and 'class="date-source"' not in page
    assert client.get(f"/api/v1/events/{event.uid}/").json()["date_source"] is None
