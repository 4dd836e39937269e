"""The admin turns a broken rule into a sentence on the form, and every page opens."""

import datetime

import pytest
from django.contrib import admin
from django.contrib.auth.models import Group
from django.utils.html import escape

from events.models import Event, EventLink, Figure, Measure, Participant, Release, ReleasedDetention
from tests.admin_pages import admin_url, form_data, post_add_form, with_inline_row
from tests.factories import (
    make_citation,
    make_detention,
    make_event,
    make_figure,
    make_link,
    make_measure,
    make_name_variant,
    make_organization,
    make_participant,
    make_person,
    make_released_detention,
    make_source,
)
from tracker.models import Charge, Detention, Source

pytestmark = pytest.mark.django_db


def figure_fields(**fields):
    if "measure" not in fields:
        fields["measure"] = make_measure().pk
    if "source" not in fields:
        fields["source"] = make_source().pk
    fields.setdefault("country", "BY")
    fields.setdefault("value", 40)
    fields.setdefault("as_of_on", "2025-09-11")
    return fields


def detention_fields(**fields):
    if "person" not in fields:
        fields["person"] = make_person().pk
    fields.setdefault("country", "BY")
    return fields


CASES = {
    "a range without upper value": (
        Figure,
        lambda: figure_fields(qualifier="range"),
        "A range needs an upper value.",
    ),
    "a range with its bounds reversed": (
        Figure,
        lambda: figure_fields(qualifier="range", value=52, upper_value=40),
        "The upper value of a range cannot be below its lower value.",
    ),
    "a deprecated figure without a reason": (
        Figure,
        lambda: figure_fields(rank="deprecated", deprecation_reason=""),
        "Say why the figure is deprecated.",
    ),
    "a period starting after the as-of date": (
        Figure,
        lambda: figure_fields(period_start_on="2025-10-01"),
        "A period cannot start after the date the figure describes.",
    ),
    "a period ending after the as-of date": (
        Figure,
        lambda: figure_fields(period_start_on="2025", period_end_on="2025-12"),
        "The period cannot end after the date the figure describes (11 September 2025)",
    ),
    "a period ending before it starts": (
        Figure,
        lambda: figure_fields(as_of_on="2026-01", period_start_on="2025-06", period_end_on="2025-03"),
        "A period cannot end before it starts.",
    ),
    "a release before the detention": (
        Detention,
        lambda: detention_fields(
            custody_status="pardoned", detained_on="2021-05-23", released_on="2020-01-01", release_mode="pardon"
        ),
        "The release date cannot be earlier than the detention date.",
    ),
    "a held person with a release date": (
        Detention,
        lambda: detention_fields(custody_status="held", detained_on="2021-05-23", released_on="2025-09-11"),
        "A person still held has no release date or release mode: change the custody status first.",
    ),
    "an event ending before it starts": (
        Event,
        lambda: {"kind": "visit", "title": "Coale visits Minsk", "occurred_on": "2025-09-11", "ended_on": "2025-09-10"},
        "The end date cannot be earlier than the date of the event.",
    ),
    "a second source with the same URL": (
        Source,
        lambda: {"title": "Copy", "url": make_source().url},
        "Another source already has this URL.",
    ),
}


# Rows of the Event page's inlines (participants, links, release details,
# named people released) that break a rule: (event kind, inline prefix,
# the row, model, message).
INLINE_CASES = {
    "a participant who is nobody": (
        "meeting",
        "participants",
        lambda event: {"role": "Observer"},
        Participant,
        "A participant is either a person or an organisation: choose exactly one.",
    ),
    "an event linked to itself": (
        "release",
        "outgoing_links",
        lambda event: {"kind": "follows", "to_event": event.pk},
        EventLink,
        "An event cannot be linked to itself.",
    ),
    "an event linked to itself from the other end": (
        "release",
        "incoming_links",
        lambda event: {"kind": "follows", "from_event": event.pk},
        EventLink,
        "An event cannot be linked to itself.",
    ),
    "release details for a meeting": (
        "meeting",
        "release_details",
        lambda event: {"mode": "pardon"},
        Release,
        "Release details belong to an event of kind “Release”.",
    ),
    "a release detail that says nothing": (
        "release",
        "release_details",
        lambda event: {"share": "most"},
        Release,
        "Say how people were freed, where they were sent, or both.",
    ),
    "a named person released by a meeting": (
        "meeting",
        "released_detentions",
        lambda event: {"detention": make_detention().pk},
        ReleasedDetention,
        "Only an event of kind “Release” can end a detention.",
    ),
    "a detention already ended by another release": (
        "release",
        "released_detentions",
        lambda event: {"detention": make_released_detention().detention.pk},
        ReleasedDetention,
        "This detention is already ended by another release.",
    ),
}


@pytest.mark.parametrize("what", list(INLINE_CASES))
def test_event_page_redisplays_an_inline_row_with_the_constraint_message(admin_client, what):
    kind, prefix, row, model, message = INLINE_CASES[what]
    event = make_event(kind=kind, status="draft")
    url = admin_url(Event, "change", event.pk)
    data = with_inline_row(form_data(admin_client.get(url)), prefix, **row(event))
    rows_before = model.objects.count()

    response = admin_client.post(url, data)

    assert response.status_code == 200
    assert escape(message) in response.content.decode()
    assert model.objects.count() == rows_before


@pytest.mark.parametrize("what", list(CASES))
def test_admin_redisplays_the_form_with_the_constraint_message(admin_client, what):
    model, fields, message = CASES[what]
    data = fields()
    rows_before = model.objects.count()

    response = post_add_form(admin_client, model, **data)

    assert response.status_code == 200
    assert escape(message) in response.content.decode()
    assert model.objects.count() == rows_before


def test_admin_saves_a_valid_figure(admin_client):
    response = post_add_form(admin_client, Figure, **figure_fields(qualifier="range", value=40, upper_value=52))

    assert response.status_code == 302
    assert Figure.objects.get().in_words == "between 40 and 52"


def test_admin_saves_a_figure_over_a_closed_period_typed_as_an_editor_types_it(admin_client):
    # "Pardoned in 2025", reported in January 2026: the dates typed to their precision, in words or ISO.
    fields = figure_fields(as_of_on="January 2026", period_start_on="2025", period_end_on="2025")
    response = post_add_form(admin_client, Figure, **fields)

    assert response.status_code == 302
    figure = Figure.objects.get()
    assert (figure.period_end_on, figure.period_end_on_precision) == (datetime.date(2025, 1, 1), "year")
    assert str(figure.period) == "in 2025"


def test_admin_saves_a_valid_detention_with_its_charge(admin_client):
    url = admin_url(Detention, "add")
    data = form_data(admin_client.get(url), **detention_fields(detained_on="2021-05-23"))
    data = with_inline_row(data, "charges", article="342")

    response = admin_client.post(url, data)

    assert response.status_code == 302
    assert Charge.objects.get().detention == Detention.objects.get()


def make_one_of_everything():
    """A row for each registered model, so changelists render rows and change pages exist."""
    figure = make_figure(event=make_released_detention().release, measure=make_measure(kind="per_event"))
    make_participant(event=figure.event)
    make_participant(event=figure.event, person=None, organization=make_organization(name="Viasna"))
    make_citation(event=figure.event, source=figure.source)
    make_link(from_event=figure.event)
    make_name_variant()
    Charge.objects.create(detention=make_detention(), article="342")
    Group.objects.create(name=f"Editors {Group.objects.count()}")


@pytest.fixture
def one_of_everything(db):
    make_one_of_everything()


def registered_models(editable=True):
    """Every model in the admin; with editable, not django-axes' sign-in logs, which only axes writes (its add page is refused)."""
    models = sorted(admin.site._registry, key=lambda model: model._meta.label)
    return [model for model in models if not (editable and model._meta.app_label == "axes")]


@pytest.mark.parametrize("model", registered_models(editable=False), ids=lambda model: model._meta.label)
def test_admin_changelist_opens(admin_client, one_of_everything, model):
    assert admin_client.get(admin_url(model, "changelist")).status_code == 200


@pytest.mark.parametrize("model", registered_models(), ids=lambda model: model._meta.label)
def test_admin_add_page_opens(admin_client, model):
    assert admin_client.get(admin_url(model, "add")).status_code == 200


def test_sign_in_logs_cannot_be_added_by_hand(admin_client):
    from axes.models import AccessAttempt

    assert admin_client.get(admin_url(AccessAttempt, "add")).status_code == 403


@pytest.mark.parametrize("model", registered_models(), ids=lambda model: model._meta.label)
def test_admin_change_page_opens(admin_client, one_of_everything, model):
    row = model._default_manager.first()
    assert row is not None, f"one_of_everything made no {model._meta.label}"
    assert admin_client.get(admin_url(model, "change", row.pk)).status_code == 200


# The Event page's inlines: figures and release details are checked with the
# event being added or changed, not only with the saved one.


def event_with_one_figure(admin_client, measure, kind="release"):
    url = admin_url(Event, "add")
    data = form_data(admin_client.get(url), kind=kind, title="Release of 52 detainees", occurred_on="2025-09-11")
    data = with_inline_row(
        data, "figures", measure=measure.pk, country="BY", value=52, as_of_on="2025-09-11", source=make_source().pk
    )
    return admin_client.post(url, data)


def test_event_add_page_accepts_a_per_event_figure(admin_client):
    response = event_with_one_figure(admin_client, make_measure(kind=Measure.Kind.PER_EVENT))

    assert response.status_code == 302
    assert Figure.objects.get().event == Event.objects.get()


def test_event_add_page_explains_a_flow_figure_needs_a_period(admin_client):
    response = event_with_one_figure(admin_client, make_measure(kind=Measure.Kind.FLOW))

    assert response.status_code == 200
    assert "This measure counts over a period: say since when." in response.content.decode()
    assert Figure.objects.count() == 0


def test_event_add_page_refuses_release_details_on_a_meeting(admin_client):
    url = admin_url(Event, "add")
    data = form_data(admin_client.get(url), kind="meeting", title="Coale meets Lukashenko", occurred_on="2025-12-12")
    data = with_inline_row(data, "release_details", mode="pardon", destination="Vilnius")

    response = admin_client.post(url, data)

    assert response.status_code == 200
    assert not Release.objects.exists()


def test_event_change_page_refuses_release_details_on_a_meeting(admin_client):
    meeting = Event.objects.create(
        kind="meeting", title="Coale meets Lukashenko", occurred_on=datetime.date(2025, 12, 12)
    )
    url = admin_url(Event, "change", meeting.pk)
    data = with_inline_row(form_data(admin_client.get(url)), "release_details", mode="pardon", destination="Vilnius")

    response = admin_client.post(url, data)

    assert response.status_code == 200
    assert not Release.objects.exists()


def test_event_change_page_explains_release_details_need_a_release(admin_client):
    meeting = Event.objects.create(
        kind="meeting", title="Coale meets Lukashenko", occurred_on=datetime.date(2025, 12, 12)
    )
    url = admin_url(Event, "change", meeting.pk)
    data = with_inline_row(form_data(admin_client.get(url)), "release_details", mode="pardon", destination="Vilnius")

    response = admin_client.post(url, data)

    assert escape("Release details belong to an event of kind “Release”.") in response.content.decode()
