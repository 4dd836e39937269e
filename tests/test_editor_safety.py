"""Rules that stop an editor from publishing what they did not mean to."""

import datetime

import pytest
from django.core.exceptions import ValidationError

from events.models import Figure, Measure, Release
from tests.factories import (
    make_citation,
    make_detention,
    make_event,
    make_measure,
    make_name_variant,
    make_participant,
    make_person,
    make_release,
    make_released_detention,
    make_source,
)
from tracker.models import Detention, NameVariant

pytestmark = pytest.mark.django_db


def release_event(**kwargs):
    kwargs.setdefault("kind", "release")
    kwargs.setdefault("status", "draft")
    event = make_event(**kwargs)
    make_citation(event=event, source=make_source(status="published"))
    return event


@pytest.mark.parametrize("level", ["withheld", "initials"])
def test_publishing_refuses_an_event_whose_text_names_a_protected_person(level):
    event = release_event(title="Release", summary="Ales Testovich was freed today.")
    person = make_person(name="Ales Testovich", identity_level=level)
    make_released_detention(release=event, detention=make_detention(person=person))
    with pytest.raises(ValidationError) as error:
        event.apply_transition("publish")
    # The message quotes the writer's words, never the protected person's stored name.
    assert "names" in error.value.messages[0] and "“Testovich”" in error.value.messages[0]
    event.refresh_from_db()
    assert event.status == "draft"


def test_publishing_catches_the_name_in_another_script_in_a_quote():
    event = release_event(title="Release", summary="")
    make_citation(event=event, quote="Алесь Тэстовіч вызвалены.")
    person = make_person(name="Ales Testovich", identity_level="withheld")
    make_participant(event=event, person=person, role="released")
    problems = event.publishing_problems()
    assert any("“Тэстовіч”" in problem for problem in problems)


def test_publishing_allows_text_that_names_only_people_who_may_be_named():
    event = release_event(title="Release", summary="Ales Testovich was freed.")
    person = make_person(name="Ales Testovich", identity_level="full")
    make_participant(event=event, person=person, role="released")
    event.apply_transition("publish")
    assert event.status == "published"


def test_a_figure_of_an_event_needs_a_per_event_measure():
    event = make_event(kind="release")
    figure = Figure(
        measure=make_measure(kind=Measure.Kind.FLOW, name="prisoners released"),
        value=19,
        as_of_on=datetime.date(2025, 10, 1),
        period_start_on=datetime.date(2024, 7, 1),
        country="BY",
        source=make_source(),
        event=event,
    )
    with pytest.raises(ValidationError) as error:
        figure.full_clean()
    assert "not one event" in error.value.message_dict["measure"][0]


def test_measures_say_what_kind_of_count_they_are():
    assert str(make_measure(name="people released", kind=Measure.Kind.PER_EVENT)) == "people released (in one event)"
    assert str(make_measure(name="prisoners released", kind=Measure.Kind.FLOW)) == "prisoners released (over a period)"


def test_naming_a_held_detention_in_a_release_ends_it():
    event = make_event(kind="release", occurred_on=datetime.date(2025, 9, 1), occurred_on_precision="month")
    make_release(event=event, mode=Release.Mode.EXCHANGE)
    detention = make_detention(detained_on=datetime.date(2021, 5, 1), custody_status="held")
    make_released_detention(release=event, detention=detention)
    detention.refresh_from_db()
    assert detention.custody_status == Detention.CustodyStatus.RELEASED
    assert (detention.released_on, detention.released_on_precision) == (datetime.date(2025, 9, 1), "month")
    assert detention.release_mode == Detention.ReleaseMode.EXCHANGE_OR_DEPORTATION
    assert detention.history.first().history_change_reason.startswith("named in the release")


def test_a_release_leaves_a_detention_alone_when_the_dates_disagree():
    event = make_event(kind="release", occurred_on=datetime.date(2020, 1, 1))
    detention = make_detention(detained_on=datetime.date(2021, 5, 1), custody_status="held")
    make_released_detention(release=event, detention=detention)
    detention.refresh_from_db()
    assert detention.custody_status == "held" and detention.released_on is None


@pytest.mark.parametrize(
    "name, script",
    [("Алесь Тэстовіч", "Cyrl"), ("Ales Testovich", "Latn"), ("Łukašenka", "Latn"), ("Ales Тэстовіч", "Latn")],
)
def test_a_name_variant_takes_its_script_from_its_letters(name, script):
    variant = make_name_variant(name=name, script="Latn")
    variant.refresh_from_db()
    assert variant.script == script
    assert NameVariant.objects.filter(name=name).exists()
