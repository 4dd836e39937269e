"""The Belarus seed holds every fact of DOMAIN.md, sourced and published."""

import datetime

import pytest
from django.core.management import call_command

from events.models import Citation, Event, EventLink, Figure, Measure, Participant, Release
from tracker.models import Detention, NameVariant, Organization, Person, Source

SOURCE_TITLE = "U.S. Envoy Meets Belarus President to Discuss Political Prisoner Release"
SEED_MODELS = [
    Organization,
    Source,
    Person,
    NameVariant,
    Detention,
    Event,
    Participant,
    Citation,
    EventLink,
    Release,
    Measure,
    Figure,
]

pytestmark = pytest.mark.django_db


def figure_of(measure_slug):
    return Figure.objects.select_related("measure", "source", "event").get(measure__slug=measure_slug)


@pytest.mark.parametrize(
    "measure_slug, value, qualifier, words, as_of, period_start",
    [
        ("prisoners-released-since", 430, "more_than", "over 430", ("2025-12-12", "day"), ("2024-07-01", "month")),
        ("political-prisoners-held", 1200, "approximately", "about 1,200", ("2025-12-12", "day"), None),
        ("new-political-prisoners", 167, "exact", "167", ("2025-12-12", "day"), ("2025-09-01", "month")),
        ("released-in-release", 52, "exact", "52", ("2025-09-01", "month"), None),
        ("political-prisoners-among-released", 40, "exact", "40", ("2025-09-01", "month"), None),
    ],
)
def test_seed_holds_each_number(belarus, measure_slug, value, qualifier, words, as_of, period_start):
    figure = figure_of(measure_slug)
    assert (figure.value, figure.qualifier, figure.upper_value) == (value, qualifier, None)
    assert figure.in_words == words
    assert (figure.as_of_on.isoformat(), figure.as_of_on_precision) == as_of
    if period_start:
        assert (figure.period_start_on.isoformat(), figure.period_start_on_precision) == period_start
    else:
        assert figure.period_start_on is None
    assert figure.country == "BY"
    assert figure.source.title == SOURCE_TITLE
    assert str(value) in figure.quote.replace(",", "")
    assert figure.is_published and figure.rank == Figure.Rank.PREFERRED


def test_seed_measures_have_the_right_kinds(belarus):
    kinds = dict(Measure.objects.values_list("slug", "kind"))
    assert kinds == {
        "political-prisoners-held": "stock",
        "prisoners-released-since": "flow",
        "new-political-prisoners": "flow",
        "released-in-release": "per_event",
        "political-prisoners-among-released": "per_event",
    }


def test_seed_167_is_attributed_to_viasna(belarus):
    assert figure_of("new-political-prisoners").attributed_to.name == "Viasna"


def test_seed_september_release_counts_52_of_them_40_political_prisoners(belarus):
    release = Event.objects.get(kind=Event.Kind.RELEASE)
    assert (release.occurred_on, release.occurred_on_precision) == (datetime.date(2025, 9, 1), "month")
    assert str(release.occurred) == "September 2025"
    counts = {f.measure.slug: f.value for f in release.figures.select_related("measure")}
    assert counts == {"released-in-release": 52, "political-prisoners-among-released": 40}
    assert [detail.mode for detail in release.release_details.all()] == [Release.Mode.EXCHANGE]


def test_seed_release_is_in_exchange_for_the_belavia_sanctions_change(belarus):
    release = Event.objects.get(kind=Event.Kind.RELEASE)
    link = EventLink.objects.get(from_event=release, kind=EventLink.Kind.IN_EXCHANGE_FOR)
    assert link.to_event.kind == Event.Kind.SANCTIONS_CHANGE
    assert "Belavia" in link.to_event.title
    assert link.to_event.participants.filter(organization__name="Belavia").exists()


def test_seed_release_is_linked_to_the_september_visit(belarus):
    release = Event.objects.get(kind=Event.Kind.RELEASE)
    visit = EventLink.objects.get(from_event=release, kind=EventLink.Kind.PART_OF).to_event
    assert visit.kind == Event.Kind.VISIT
    assert str(visit.occurred) == "September 2025"
    assert visit.participants.filter(person__name="John Coale").exists()


def test_seed_december_meeting_in_minsk(belarus):
    meeting = Event.objects.get(kind=Event.Kind.MEETING)
    assert str(meeting.occurred) == "12 December 2025"
    assert meeting.location == "Minsk"
    assert "BY" in meeting.countries
    roles = {p.person.name: p.role for p in meeting.participants.select_related("person")}
    assert roles == {"John Coale": "US Special Envoy", "Alexander Lukashenko": "President of Belarus"}
    quotes = " ".join(meeting.citations.values_list("quote", flat=True))
    assert (
        "We have many questions. The world is changing very quickly, and new problems are emerging "
        "that we need to discuss." in quotes
    )
    assert EventLink.objects.filter(from_event=meeting, kind=EventLink.Kind.FOLLOWS, to_event__kind="visit").exists()


def test_seed_has_the_actors(belarus):
    people = set(Person.objects.values_list("name", flat=True))
    assert {
        "John Coale",
        "Alexander Lukashenko",
        "Sviatlana Tsikhanouskaya",
        "Donald Trump",
        "Siarhei Tsikhanouski",
    } <= people
    organizations = set(Organization.objects.values_list("name", flat=True))
    assert {"Viasna", "Belavia"} <= organizations
    assert Person.objects.get(name="Sviatlana Tsikhanouskaya").description == "Exiled Belarusian opposition leader"
    assert NameVariant.objects.filter(person__name="Sviatlana Tsikhanouskaya", name="Святлана Ціханоўская").exists()


def test_seed_tsikhanouski_was_released(belarus):
    detention = Detention.objects.get(person__name="Siarhei Tsikhanouski")
    assert detention.custody_status == "released"
    assert detention.sources.filter(title=SOURCE_TITLE).exists()


def test_seed_is_all_published_and_every_event_cites_a_source(belarus):
    for model in [Organization, Source, Person, Detention, Event, Figure]:
        assert not model.objects.exclude(status="published").exists(), model
    for event in Event.objects.all():
        assert event.citations.exists(), event


def test_seed_loads_twice_without_duplicates(belarus):
    before = {model: model.objects.count() for model in SEED_MODELS}
    call_command("loaddata", "belarus", verbosity=0)
    assert {model: model.objects.count() for model in SEED_MODELS} == before
    assert before[Figure] == 5 and before[Event] == 5
