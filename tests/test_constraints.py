"""Every named constraint holds in the database and speaks to the editor in words.

Each case builds an unsaved row that breaks exactly one constraint. The database
must refuse it (so no code path, fixture or shell session can store it), and
`validate_constraints()` must refuse it with the constraint's own sentence (so the
admin can show the editor what to fix instead of a server error).
"""

import datetime

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction

from events.models import Citation, Event, EventLink, Figure, Measure, Participant, Release, ReleasedDetention
from tests.factories import (
    make_citation,
    make_detention,
    make_event,
    make_figure,
    make_link,
    make_measure,
    make_name_variant,
    make_organization,
    make_person,
    make_release,
    make_released_detention,
    make_source,
)
from tracker.models import Charge, Detention, DetentionSource, NameVariant, Organization, Person, Source
from tracker.publishing import DataVersion

pytestmark = pytest.mark.django_db

DEC_12 = datetime.date(2025, 12, 12)
SEPT = datetime.date(2025, 9, 1)


def second_date_source():
    first = make_citation(gives_date=True)
    return Citation(event=first.event, source=make_source(), gives_date=True)


def figure(**kwargs):
    if "measure" not in kwargs:
        kwargs["measure"] = make_measure()
    if "source" not in kwargs:
        kwargs["source"] = make_source()
    kwargs.setdefault("value", 430)
    kwargs.setdefault("qualifier", Figure.Qualifier.MORE_THAN)
    kwargs.setdefault("as_of_on", DEC_12)
    kwargs.setdefault("country", "BY")
    return Figure(**kwargs)


def detention(**kwargs):
    if "person" not in kwargs:
        kwargs["person"] = make_person()
    kwargs.setdefault("country", "BY")
    kwargs.setdefault("detained_on", datetime.date(2020, 5, 29))
    return Detention(**kwargs)


def event(**kwargs):
    kwargs.setdefault("kind", Event.Kind.MEETING)
    kwargs.setdefault("title", "US Special Envoy meets President Lukashenko")
    kwargs.setdefault("occurred_on", DEC_12)
    return Event(**kwargs)


def duplicate_url_source():
    make_source(url="https://news.example/envoy-meets-lukashenko")
    return Source(title="The same report", url="https://news.example/envoy-meets-lukashenko")


def duplicate_name_variant():
    variant = make_name_variant(name="Святлана Ціханоўская", system=NameVariant.System.NATIVE)
    return NameVariant(person=variant.person, name=variant.name, system=variant.system)


def duplicate_detention_source():
    existing = DetentionSource.objects.create(detention=make_detention(), source=make_source())
    return DetentionSource(detention=existing.detention, source=existing.source)


def duplicate_charge():
    existing = Charge.objects.create(detention=make_detention(), article="342")
    return Charge(detention=existing.detention, code=existing.code, article="342")


def self_link():
    release = make_event(kind=Event.Kind.RELEASE)
    return EventLink(from_event=release, kind=EventLink.Kind.FOLLOWS, to_event=release)


def duplicate_link():
    link = make_link()
    return EventLink(from_event=link.from_event, kind=link.kind, to_event=link.to_event)


def second_release_of_one_detention():
    released = make_released_detention()
    return ReleasedDetention(release=make_release().event, detention=released.detention)


def duplicate_external_id(make, build):
    """A second row with the external ID of a saved one (imports match rows by it)."""
    make(external_id="row-1")
    return build(external_id="row-1", **({"name": "Another"} if build is Person else {}))


def released(**kwargs):
    """A detention ended by a release; only the override breaks it."""
    kwargs.setdefault("custody_status", Detention.CustodyStatus.PARDONED)
    kwargs.setdefault("released_on", datetime.date(2025, 9, 11))
    kwargs.setdefault("release_mode", Detention.ReleaseMode.PARDON)
    return detention(**kwargs)


# constraint name -> a function building an unsaved row that breaks only that constraint
CASES = {
    "tracker_organization_status_valid": lambda: Organization(name="Viasna", status="hidden"),
    "tracker_organization_kind_valid": lambda: Organization(name="Viasna", kind="club"),
    "tracker_source_status_valid": lambda: Source(title="Report", status="hidden"),
    "tracker_source_kind_valid": lambda: Source(title="Report", kind="rumour"),
    "tracker_source_unique_url": duplicate_url_source,
    "tracker_source_sha256_length": lambda: Source(title="Report", archive_sha256="abc123"),
    "tracker_source_retrieved_after_published": lambda: Source(
        title="Report", published_on=DEC_12, retrieved_on=DEC_12 - datetime.timedelta(days=1)
    ),
    "tracker_person_status_valid": lambda: Person(name="John Coale", status="hidden"),
    "tracker_person_identity_level_valid": lambda: Person(name="John Coale", identity_level="nickname"),
    "tracker_person_birth_year_plausible": lambda: Person(name="John Coale", birth_year=1850),
    "tracker_person_unique_external_id": lambda: duplicate_external_id(make_person, Person),
    "tracker_namevariant_unique": duplicate_name_variant,
    "tracker_detention_status_valid": lambda: detention(status="hidden"),
    "tracker_detention_custody_status_valid": lambda: detention(custody_status="escaped"),
    "tracker_detention_detained_precision_valid": lambda: detention(detained_on_precision="week"),
    "tracker_detention_released_precision_valid": lambda: released(released_on_precision="week"),
    "tracker_detention_release_mode_valid": lambda: released(release_mode="escape"),
    "tracker_detention_released_after_detained": lambda: released(released_on=datetime.date(2019, 1, 1)),
    "tracker_detention_held_not_released": lambda: released(custody_status=Detention.CustodyStatus.HELD),
    "tracker_detention_unique_external_id": lambda: duplicate_external_id(make_detention, detention),
    "tracker_charge_unique": duplicate_charge,
    "tracker_detentionsource_unique": duplicate_detention_source,
    "tracker_dataversion_one_row": lambda: DataVersion(pk=2),
    "events_event_status_valid": lambda: event(status="hidden"),
    "events_event_kind_valid": lambda: event(kind="party"),
    "events_event_precision_valid": lambda: event(occurred_on_precision="week"),
    "events_event_end_precision_valid": lambda: event(ended_on=DEC_12, ended_on_precision="week"),
    "events_event_ends_after_start": lambda: event(ended_on=DEC_12 - datetime.timedelta(days=1)),
    "events_event_unique_external_id": lambda: duplicate_external_id(make_event, event),
    "events_participant_person_xor_organization": lambda: Participant(event=make_event(), role="Envoy"),
    "events_eventlink_kind_valid": lambda: EventLink(from_event=make_event(), kind="likes", to_event=make_event()),
    "events_eventlink_not_self": self_link,
    "events_eventlink_unique": duplicate_link,
    "events_release_mode_valid": lambda: Release(event=make_event(kind=Event.Kind.RELEASE), mode="escape"),
    "events_release_share_valid": lambda: Release(
        event=make_event(kind=Event.Kind.RELEASE), mode="pardon", share="half"
    ),
    "events_release_says_something": lambda: Release(event=make_event(kind=Event.Kind.RELEASE), share="most"),
    "events_releaseddetention_one_release_per_detention": second_release_of_one_detention,
    "events_measure_kind_valid": lambda: Measure(slug="held", name="held", definition="Held.", kind="guess"),
    "events_measure_registry_release_mode_valid": lambda: Measure(
        slug="freed",
        name="freed",
        definition="Freed.",
        kind="flow",
        registry_count="released",
        registry_release_mode="x",
    ),
    "events_measure_release_mode_narrows_released": lambda: Measure(
        slug="held",
        name="held",
        definition="Held.",
        kind="stock",
        registry_count="held",
        registry_release_mode="pardon",
    ),
    "events_citation_one_gives_the_date": lambda: second_date_source(),
    "events_figure_status_valid": lambda: figure(status="hidden"),
    "events_figure_unique_external_id": lambda: duplicate_external_id(make_figure, figure),
    "events_figure_qualifier_valid": lambda: figure(qualifier="roughly"),
    "events_figure_rank_valid": lambda: figure(rank="best"),
    "events_figure_as_of_precision_valid": lambda: figure(as_of_on_precision="week"),
    "events_figure_period_precision_valid": lambda: figure(period_start_on=SEPT, period_start_on_precision="week"),
    "events_figure_range_has_upper": lambda: figure(value=40, qualifier=Figure.Qualifier.RANGE),
    "events_figure_upper_only_for_range": lambda: figure(value=40, qualifier=Figure.Qualifier.EXACT, upper_value=52),
    "events_figure_range_ordered": lambda: figure(value=52, qualifier=Figure.Qualifier.RANGE, upper_value=40),
    "events_figure_deprecated_has_reason": lambda: figure(rank=Figure.Rank.DEPRECATED),
    "events_figure_period_before_as_of": lambda: figure(period_start_on=DEC_12 + datetime.timedelta(days=1)),
    "events_figure_period_end_precision_valid": lambda: figure(
        period_start_on=SEPT, period_end_on=SEPT, period_end_on_precision="week"
    ),
    "events_figure_period_end_has_start": lambda: figure(period_end_on=SEPT),
    "events_figure_period_ordered": lambda: figure(
        period_start_on=SEPT, period_end_on=SEPT - datetime.timedelta(days=1)
    ),
}


def named_constraints():
    for app_label in ("tracker", "events"):
        for model in apps.get_app_config(app_label).get_models():
            for constraint in model._meta.constraints:
                yield model, constraint


CONSTRAINTS = {constraint.name: (model, constraint) for model, constraint in named_constraints()}


def test_every_named_constraint_has_a_case():
    assert sorted(CASES) == sorted(CONSTRAINTS)


def test_every_named_constraint_has_a_message_for_editors():
    defaults = [
        name
        for name, (model, constraint) in CONSTRAINTS.items()
        if constraint.violation_error_message == constraint.default_violation_error_message
    ]
    assert defaults == []


def what_the_database_names(model, constraint):
    """The part of the error that identifies the constraint on this backend.

    PostgreSQL names every constraint; SQLite names CHECK constraints but reports
    a UNIQUE failure by its columns ("UNIQUE constraint failed: table.column, …").
    """
    if isinstance(constraint, models.UniqueConstraint):
        column = model._meta.get_field(constraint.fields[0]).column
        return (constraint.name, f"{model._meta.db_table}.{column}")
    return (constraint.name,)


@pytest.mark.parametrize("name", sorted(CASES))
def test_database_refuses_the_row(name):
    model, constraint = CONSTRAINTS[name]
    row = CASES[name]()
    rows_before = model.objects.count()
    with transaction.atomic(), pytest.raises(IntegrityError) as refused:
        row.save()
    assert any(part in str(refused.value) for part in what_the_database_names(model, constraint))
    assert model.objects.count() == rows_before


@pytest.mark.parametrize("name", sorted(CASES))
def test_validation_reports_the_constraint_message(name):
    model, constraint = CONSTRAINTS[name]
    row = CASES[name]()
    with pytest.raises(ValidationError) as refused:
        row.validate_constraints()
    assert refused.value.messages == [constraint.violation_error_message]


def test_full_clean_reports_a_range_without_upper_value():
    with pytest.raises(ValidationError) as refused:
        figure(value=40, qualifier=Figure.Qualifier.RANGE).full_clean()
    assert "A range needs an upper value." in refused.value.messages


def test_full_clean_reports_a_release_before_detention():
    with pytest.raises(ValidationError) as refused:
        released(released_on=datetime.date(2019, 1, 1)).full_clean()
    assert "The release date cannot be earlier than the detention date." in refused.value.messages


# Rows at the edge of each rule, which the rules must let through.
GOOD = {
    "a figure with the qualifier of the seed": lambda: figure(),
    "a range": lambda: figure(value=40, qualifier=Figure.Qualifier.RANGE, upper_value=52),
    "a range with equal bounds": lambda: figure(value=40, qualifier=Figure.Qualifier.RANGE, upper_value=40),
    "a deprecated figure with a reason": lambda: figure(
        rank=Figure.Rank.DEPRECATED, deprecation_reason="Superseded by Viasna's corrected count."
    ),
    "a period starting on the as-of date": lambda: figure(period_start_on=DEC_12),
    "a flow since a month": lambda: figure(
        measure=make_measure(kind=Measure.Kind.FLOW),
        period_start_on=datetime.date(2024, 7, 1),
        period_start_on_precision="month",
    ),
    "an event ending the day it starts": lambda: event(ended_on=DEC_12),
    "an event of several days": lambda: event(ended_on=DEC_12 + datetime.timedelta(days=2)),
    "an event of imprecise date": lambda: event(occurred_on=SEPT, occurred_on_precision="month"),
    "a held detention": lambda: detention(),
    "a held detention with unknown date": lambda: detention(detained_on=None),
    "a release on the day of detention": lambda: released(released_on=datetime.date(2020, 5, 29)),
    "a release with unknown detention date": lambda: released(detained_on=None),
    "a detention of unknown status without a release date": lambda: detention(custody_status="unknown"),
    "a source with no URL": lambda: Source(title="Leaflet", url=""),
    "a source retrieved on publication day": lambda: Source(title="Report", published_on=DEC_12, retrieved_on=DEC_12),
    "a source with a SHA-256": lambda: Source(title="Report", archive_sha256="a" * 64),
    "a person born in 1900": lambda: Person(name="Elder", birth_year=1900),
    "a person with no birth year": lambda: Person(name="Unknown"),
    "an organisation participant": lambda: Participant(event=make_event(), organization=make_organization()),
    "a person participant": lambda: Participant(event=make_event(), person=make_person()),
    "a release detail without a mode": lambda: Release(
        event=make_event(kind=Event.Kind.RELEASE), mode="", destination="Vilnius"
    ),
}


@pytest.mark.parametrize("what", list(GOOD))
def test_good_data_passes_validation_and_the_database(what):
    row = GOOD[what]()
    row.full_clean()
    row.save()
    assert type(row).objects.filter(pk=row.pk).exists()


def test_two_sources_without_url_are_allowed():
    make_source(url="")
    make_source(url="")
    second = Source(title="Third leaflet", url="")
    second.validate_constraints()
    second.save()
    assert Source.objects.filter(url="").count() == 3


def test_two_links_between_the_same_events_of_different_kinds_are_allowed():
    link = make_link(kind=EventLink.Kind.IN_EXCHANGE_FOR)
    other = EventLink(from_event=link.from_event, kind=EventLink.Kind.RESPONSE_TO, to_event=link.to_event)
    back = EventLink(from_event=link.to_event, kind=link.kind, to_event=link.from_event)
    for row in (other, back):
        row.full_clean()
        row.save()
    assert EventLink.objects.count() == 3


def test_the_same_article_under_another_code_is_allowed():
    existing = Charge.objects.create(detention=make_detention(), article="342")
    other = Charge(detention=existing.detention, code="Code of Administrative Offences", article="342")
    other.full_clean()
    other.save()
    assert existing.detention.charges.count() == 2


def test_one_release_may_end_many_detentions():
    release = make_release().event
    make_released_detention(release=release)
    make_released_detention(release=release)
    assert release.released_detentions.count() == 2


def test_only_a_release_event_ends_a_detention():
    row = ReleasedDetention(release=make_event(kind=Event.Kind.MEETING), detention=make_detention())
    with pytest.raises(ValidationError) as refused:
        row.full_clean()
    assert "Only an event of kind “Release” can end a detention." in refused.value.messages


def test_a_release_has_one_detail_or_several():
    # "Pardoned and deported, most to Lithuania, some to Poland."
    pardon = make_release(mode=Release.Mode.PARDON)
    event = pardon.event
    for country, share in (("LT", Release.Share.MOST), ("PL", Release.Share.SOME)):
        detail = Release(event=event, mode=Release.Mode.DEPORTATION, destination_country=country, share=share)
        detail.full_clean()
        detail.save()
    assert [detail.in_words for detail in event.release_details.all()] == [
        "Pardon",
        "Forced deportation to Lithuania (most of them)",
        "Forced deportation to Poland (some of them)",
    ]


# Model.clean(): rules that need another row, so no constraint can hold them.


def test_flow_figure_needs_a_period_start():
    row = figure(measure=make_measure(kind=Measure.Kind.FLOW))
    with pytest.raises(ValidationError) as refused:
        row.full_clean()
    assert refused.value.message_dict == {"period_start_on": ["This measure counts over a period: say since when."]}


def test_per_event_figure_needs_an_event():
    row = figure(measure=make_measure(kind=Measure.Kind.PER_EVENT))
    with pytest.raises(ValidationError) as refused:
        row.full_clean()
    assert refused.value.message_dict == {"event": ["This measure counts one event: choose the event."]}


def test_per_event_figure_with_its_event_is_valid():
    row = figure(measure=make_measure(kind=Measure.Kind.PER_EVENT), event=make_event(kind=Event.Kind.RELEASE))
    row.full_clean()
    row.save()
    assert row.event.figures.get() == row


def test_stock_figure_needs_neither_period_nor_event():
    row = figure(measure=make_measure(kind=Measure.Kind.STOCK))
    row.full_clean()
    assert row.period_start_on is None and row.event is None


def test_release_details_belong_to_a_release_event():
    row = Release(event=make_event(kind=Event.Kind.MEETING), mode=Release.Mode.PARDON)
    with pytest.raises(ValidationError) as refused:
        row.full_clean()
    assert refused.value.messages == ["Release details belong to an event of kind “Release”."]


def test_release_details_of_a_release_event_are_valid():
    row = Release(event=make_event(kind=Event.Kind.RELEASE), mode=Release.Mode.EXCHANGE)
    row.full_clean()
    row.save()
    assert list(row.event.release_details.all()) == [row]


def test_saving_figure_keeps_only_the_precision_of_its_dates():
    saved = make_figure(
        as_of_on=datetime.date(2025, 9, 17),
        as_of_on_precision="month",
        period_start_on=datetime.date(2024, 7, 23),
        period_start_on_precision="year",
    )
    saved.refresh_from_db()
    assert (saved.as_of_on, saved.period_start_on) == (datetime.date(2025, 9, 1), datetime.date(2024, 1, 1))
