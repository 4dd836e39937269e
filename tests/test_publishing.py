"""`published()` is the one door out: drafts, reviews and retractions never pass it, nor their children."""

import datetime

import pytest
from django.apps import apps

from events.models import Citation, Event, EventLink, Figure, Measure, Participant, Release, ReleasedDetention
from tests.factories import (
    make_charge,
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
    make_release,
    make_released_detention,
    make_source,
)
from tracker.models import Charge, Detention, NameVariant, Organization, Person, Source
from tracker.publishing import Status

pytestmark = pytest.mark.django_db

HIDDEN = [Status.DRAFT, Status.IN_REVIEW, Status.RETRACTED]

WITH_STATUS = {
    Organization: make_organization,
    Source: make_source,
    Person: make_person,
    Detention: make_detention,
    Figure: make_figure,
}


def test_every_model_with_a_status_is_covered():
    with_status = {
        model
        for app in ("tracker", "events")
        for model in apps.get_app_config(app).get_models()
        if any(field.name == "status" for field in model._meta.fields)
        # History rows copy the status of the record they keep, and are never public.
        and not model.__name__.startswith("Historical")
    }
    assert with_status == set(WITH_STATUS) | {Event}


@pytest.mark.parametrize("model", list(WITH_STATUS), ids=lambda model: model.__name__)
def test_published_keeps_only_published_rows(model):
    rows = {status: WITH_STATUS[model](status=status) for status in Status.values}
    assert list(model.objects.published()) == [rows[Status.PUBLISHED]]


def test_published_events_exclude_drafts_reviews_and_retractions():
    rows = {status: make_event(status=status) for status in Status.values}
    assert list(Event.objects.published()) == [rows[Status.PUBLISHED]]


def test_published_is_chainable_with_the_domain_filters():
    shown = make_event(countries=["BY", "US"])
    make_event(countries=["BY"], status=Status.DRAFT)
    make_event(countries=["LT"])
    assert list(Event.objects.published().in_country("by")) == [shown]


# Detentions and their charges follow the person.


@pytest.mark.parametrize("status", HIDDEN)
def test_detention_of_an_unpublished_person_is_hidden(status):
    make_detention(person=make_person(status=status))
    shown = make_detention()
    assert list(Detention.objects.published()) == [shown]


@pytest.mark.parametrize("status", HIDDEN)
def test_name_variants_of_an_unpublished_person_are_hidden(status):
    make_name_variant(person=make_person(status=status), name="Ігар Лосік")
    shown = make_name_variant(name="Ihar Losik")
    assert list(NameVariant.objects.published()) == [shown]


@pytest.mark.parametrize(
    "hidden_detention",
    [
        lambda: make_detention(status=Status.DRAFT),
        lambda: make_detention(status=Status.RETRACTED),
        lambda: make_detention(person=make_person(status=Status.DRAFT)),
    ],
    ids=["draft detention", "retracted detention", "draft person"],
)
def test_charges_follow_their_detention(hidden_detention):
    make_charge(detention=hidden_detention())
    shown = make_charge()
    assert list(Charge.objects.published()) == [shown]


# Event children follow both their event and what they point to.


@pytest.mark.parametrize("status", HIDDEN)
def test_participants_of_an_unpublished_event_are_hidden(status):
    make_participant(event=make_event(status=status))
    shown = make_participant()
    assert list(Participant.objects.published()) == [shown]


@pytest.mark.parametrize("status", HIDDEN)
def test_participants_who_are_unpublished_people_are_hidden(status):
    event = make_event()
    make_participant(event=event, person=make_person(status=status))
    shown = make_participant(event=event)
    assert list(Participant.objects.published()) == [shown]


@pytest.mark.parametrize("status", HIDDEN)
def test_participants_that_are_unpublished_organisations_are_hidden(status):
    event = make_event()
    make_participant(event=event, person=None, organization=make_organization(status=status))
    shown = make_participant(event=event, person=None, organization=make_organization())
    assert list(Participant.objects.published()) == [shown]


def test_withheld_person_still_participates_in_public():
    # Withheld is a naming rule, not a publishing one: the person is counted,
    # and public_name() hides who they are.
    shown = make_participant(person=make_person(identity_level=Person.IdentityLevel.WITHHELD))
    assert list(Participant.objects.published()) == [shown]


@pytest.mark.parametrize(
    "hidden",
    [
        lambda: make_citation(event=make_event(status=Status.DRAFT)),
        lambda: make_citation(source=make_source(status=Status.DRAFT)),
        lambda: make_citation(source=make_source(status=Status.RETRACTED)),
    ],
    ids=["draft event", "draft source", "retracted source"],
)
def test_citations_follow_their_event_and_source(hidden):
    hidden()
    shown = make_citation()
    assert list(Citation.objects.published()) == [shown]


@pytest.mark.parametrize(
    "hidden",
    [
        lambda: make_link(from_event=make_event(status=Status.DRAFT)),
        lambda: make_link(to_event=make_event(status=Status.IN_REVIEW)),
    ],
    ids=["draft from_event", "to_event in review"],
)
def test_event_links_need_both_events_published(hidden):
    hidden()
    shown = make_link()
    assert list(EventLink.objects.published()) == [shown]


def test_release_details_follow_their_event():
    make_release(event=make_event(kind="release", status=Status.DRAFT))
    shown = make_release()
    assert list(Release.objects.published()) == [shown]


@pytest.mark.parametrize(
    "hidden",
    [
        lambda: make_released_detention(release=make_event(kind="release", status=Status.DRAFT)),
        lambda: make_released_detention(detention=make_detention(status=Status.DRAFT)),
        lambda: make_released_detention(detention=make_detention(person=make_person(status=Status.DRAFT))),
    ],
    ids=["draft release event", "draft detention", "draft person"],
)
def test_released_detentions_follow_the_release_the_detention_and_the_person(hidden):
    hidden()
    shown = make_released_detention()
    assert list(ReleasedDetention.objects.published()) == [shown]


# Figures: never without their source, nor before their event.


@pytest.mark.parametrize("status", HIDDEN)
def test_figure_of_an_unpublished_source_is_hidden(status):
    make_figure(source=make_source(status=status))
    shown = make_figure()
    assert list(Figure.objects.published()) == [shown]


@pytest.mark.parametrize("status", HIDDEN)
def test_figure_of_an_unpublished_event_is_hidden(status):
    make_figure(event=make_event(kind="release", status=status))
    shown = make_figure(event=make_event(kind="release"))
    assert list(Figure.objects.published()) == [shown]


def test_figure_without_event_is_published_on_its_own():
    shown = make_figure(event=None)
    assert list(Figure.objects.published()) == [shown]


def test_measure_is_published_with_its_first_published_figure():
    measure = make_measure()
    assert not Measure.objects.published().exists()

    make_figure(measure=measure, status=Status.DRAFT)
    make_figure(measure=measure, source=make_source(status=Status.DRAFT))
    make_figure(measure=measure, event=make_event(status=Status.DRAFT))
    assert not Measure.objects.published().exists()

    make_figure(measure=measure)
    assert list(Measure.objects.published()) == [measure]


def test_published_measures_are_listed_once_each():
    measure = make_measure()
    make_figure(measure=measure)
    make_figure(measure=measure)
    make_measure()
    assert list(Measure.objects.published()) == [measure]


# The registry's own count: who was held on a day.


DAY = datetime.date(2025, 9, 11)


@pytest.mark.parametrize(
    "detention, held",
    [
        ({"detained_on": datetime.date(2020, 8, 9)}, True),
        ({"detained_on": DAY}, True),
        ({"detained_on": DAY + datetime.timedelta(days=1)}, False),
        ({"detained_on": datetime.date(2020, 8, 9), "detained_on_precision": "year"}, True),
        (
            {
                "detained_on": datetime.date(2020, 8, 9),
                "custody_status": "pardoned",
                "released_on": DAY + datetime.timedelta(days=1),
                "release_mode": "pardon",
            },
            True,
        ),
        (
            {
                "detained_on": datetime.date(2020, 8, 9),
                "custody_status": "deported",
                "released_on": DAY,
                "release_mode": "exchange_or_deportation",
            },
            False,
        ),
        (
            {
                "detained_on": datetime.date(2020, 8, 9),
                "custody_status": "served_sentence",
                "released_on": datetime.date(2024, 7, 3),
                "release_mode": "end_of_sentence",
            },
            False,
        ),
        ({"detained_on": datetime.date(2020, 8, 9), "custody_status": "released"}, False),
        ({"detained_on": datetime.date(2020, 8, 9), "custody_status": "unknown"}, False),
    ],
    ids=[
        "held since before",
        "detained that day",
        "detained the day after",
        "detained in a year before",
        "released the day after",
        "released that day",
        "released before",
        "released on an unknown date",
        "status unknown",
    ],
)
def test_held_on_counts_detentions_begun_and_not_ended(detention, held):
    row = make_detention(**detention)
    assert list(Detention.objects.held_on(DAY)) == ([row] if held else [])


def test_held_on_chains_with_published():
    make_detention(status=Status.DRAFT)
    make_detention(person=make_person(status=Status.DRAFT))
    shown = make_detention()
    assert list(Detention.objects.published().held_on(DAY)) == [shown]
