"""Issue #15 point 3: a release may combine modes and destinations ("pardoned and deported, most to Lithuania,
some to Poland"), each with "most" or "some" where the source says so, in the admin, on every page, in the CSV
and the API, and in the custody of the people it frees."""

import csv
import datetime
import io

import pytest

from events.models import Event, Release, main_mode
from tests.admin_pages import admin_url, form_data, with_inline_row
from tests.factories import make_citation, make_detention, make_event, make_release, make_released_detention
from tracker.models import Detention
from tracker.publishing import Status

pytestmark = pytest.mark.django_db

PARDONED_AND_DEPORTED = [
    {"mode": Release.Mode.PARDON},
    {"mode": Release.Mode.DEPORTATION, "destination": "Vilnius", "destination_country": "LT", "share": "most"},
    {"mode": Release.Mode.DEPORTATION, "destination_country": "PL", "share": "some"},
]
IN_WORDS = [
    "Pardon",
    "Forced deportation to Vilnius, Lithuania (most of them)",
    "Forced deportation to Poland (some of them)",
]


def pardoned_and_deported(status=Status.PUBLISHED):
    event = make_event(
        kind=Event.Kind.RELEASE, title="Pardoned and deported", status=status, occurred_on=datetime.date(2025, 9, 11)
    )
    make_citation(event=event)
    for detail in PARDONED_AND_DEPORTED:
        make_release(event=event, **detail)
    return event


def test_the_event_page_and_the_ledger_say_every_detail_with_its_share(client):
    event = pardoned_and_deported()
    page = client.get(event.get_absolute_url()).content.decode()
    assert '<ul class="release-details">\n      ' + "".join(f"<li>{words}</li>" for words in IN_WORDS) in page
    ledger = client.get("/releases/").content.decode()
    assert '<ul class="how-freed">' + "".join(f"<li>{words}</li>" for words in IN_WORDS) + "</ul>" in ledger


def test_the_csv_lists_each_mode_destination_and_country_once_and_every_detail_in_words(client):
    pardoned_and_deported()
    response = client.get("/releases.csv")
    [row] = csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig")))
    assert row["mode"] == "Pardon | Forced deportation"
    assert row["destination"] == "Vilnius"
    assert row["destination_country"] == "LT | PL"
    assert row["how_freed"] == " | ".join(IN_WORDS)


def test_the_api_gives_every_detail_and_keeps_its_first_fields_for_their_readers(client):
    event = pardoned_and_deported()
    release = client.get(f"/api/v1/events/{event.uid}/").json()["release"]
    assert [(d["mode"], d["share"], d["destination_country"], d["in_words"]) for d in release["details"]] == [
        ("pardon", "", "", IN_WORDS[0]),
        ("deportation", "most", "LT", IN_WORDS[1]),
        ("deportation", "some", "PL", IN_WORDS[2]),
    ]
    # The main mode (deportation before pardon) and the first destination, as the one-value fields said before.
    assert (release["mode"], release["mode_label"], release["destination"], release["destination_country"]) == (
        "deportation",
        "Forced deportation",
        "Vilnius",
        "LT",
    )
    listed = client.get("/api/v1/releases/").json()["results"][0]["release"]
    assert [detail["in_words"] for detail in listed["details"]] == IN_WORDS


@pytest.mark.parametrize(
    ("details", "mode"),
    [
        (PARDONED_AND_DEPORTED, Release.Mode.DEPORTATION),
        # Deported, but only some of them: the others were pardoned, and that is what a named person is taken to be.
        ([{"mode": "pardon"}, {"mode": "deportation", "share": "some"}], Release.Mode.PARDON),
        ([{"mode": "deportation", "share": "some"}], ""),
        ([{"destination_country": "LT"}], ""),
        ([{"mode": "exchange"}, {"mode": "end_of_sentence", "share": "most"}], Release.Mode.END_OF_SENTENCE),
    ],
)
def test_the_main_mode_is_the_one_said_of_all_or_most_that_says_most_of_where_they_are(details, mode):
    assert main_mode([Release(**detail) for detail in details]) == mode


def test_a_pardoned_and_deported_person_ends_up_deported(db):
    event = pardoned_and_deported(status=Status.DRAFT)
    detention = make_detention(detained_on=datetime.date(2021, 5, 23))
    make_released_detention(release=event, detention=detention)
    event.apply_transition("publish")
    detention.refresh_from_db()
    assert (detention.custody_status, detention.release_mode) == (
        Detention.CustodyStatus.DEPORTED,
        Detention.ReleaseMode.EXCHANGE_OR_DEPORTATION,
    )


def test_an_editor_enters_several_details_on_the_event_page(admin_client):
    event = make_event(kind=Event.Kind.RELEASE, status=Status.DRAFT)
    url = admin_url(Event, "change", event.pk)
    page = admin_client.get(url).content.decode()
    assert 'name="release_details-0-share"' in page
    data = form_data(admin_client.get(url))
    data = with_inline_row(data, "release_details", mode="pardon")
    data = with_inline_row(data, "release_details", 1, mode="deportation", destination_country="LT", share="most")
    response = admin_client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:3000]
    assert [detail.in_words for detail in event.release_details.all()] == [
        "Pardon",
        "Forced deportation to Lithuania (most of them)",
    ]


def test_a_detail_naming_a_protected_person_keeps_the_release_from_being_published(db):
    from tests.factories import make_person
    from tracker.names import IdentityLevel

    make_person(name="Hanna Hiddenova", identity_level=IdentityLevel.WITHHELD)
    event = pardoned_and_deported(status=Status.DRAFT)
    make_release(event=event, mode="other", destination="the flat of Hanna Hiddenova", share="some")
    assert any("Hiddenova" in problem for problem in event.publishing_problems())
