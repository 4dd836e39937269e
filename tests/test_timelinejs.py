"""The timeline as TimelineJS JSON: the page's filters, imprecise dates kept imprecise, text escaped."""

import datetime
import json

import pytest

from events.models import Event, Participant
from tests.factories import make_citation, make_event, make_person

pytestmark = pytest.mark.django_db

URL = "/timeline.timelinejs.json"


def slides(client, query=""):
    response = client.get(f"{URL}?{query}")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    return json.loads(response.content)["events"]


def test_timelinejs_keeps_the_precision_of_dates(client, belarus):
    by_title = {s["text"]["headline"]: s for s in slides(client)}
    release = by_title["Release of 52 detainees, 40 of them political prisoners"]
    assert release["start_date"] == {"year": "2025", "month": "9", "display_date": "September 2025"}
    meeting = by_title["US Special Envoy John Coale meets President Alexander Lukashenko"]
    assert meeting["start_date"] == {"year": "2025", "month": "12", "day": "12", "display_date": "12 December 2025"}


def test_timelinejs_year_precision_has_no_month(client, db):
    event = make_event(
        title="Known only to the year", occurred_on=datetime.date(2024, 1, 1), occurred_on_precision="year"
    )
    make_citation(event=event)
    assert slides(client)[0]["start_date"] == {"year": "2024", "display_date": "2024"}


def test_timelinejs_takes_the_timeline_filters(client, belarus):
    assert [s["text"]["headline"] for s in slides(client, "kind=sanctions_change")] == [
        "United States lifts sanctions on Belavia"
    ]
    assert client.get(f"{URL}?kind=party").status_code == 400


def test_timelinejs_hides_drafts_and_withheld_names_and_escapes_html(client, belarus):
    meeting = Event.objects.get(kind=Event.Kind.MEETING)
    make_event(title="DRAFT-MARKER", occurred_on=datetime.date(2025, 10, 1), status="draft")
    Participant.objects.create(
        event=meeting, person=make_person(name="Hidden Witness", identity_level="withheld"), role="witness"
    )
    hostile = make_event(title="<script>alert(1)</script>", occurred_on=datetime.date(2025, 11, 1))
    make_citation(event=hostile)
    body = client.get(URL).content.decode()
    assert "DRAFT-MARKER" not in body and "Hidden Witness" not in body
    assert "Name withheld (witness)" in body
    assert "<script>" not in body and "&lt;script&gt;alert(1)&lt;/script&gt;" in body
