"""Small builders for test data: sensible defaults, every one overridable."""

import datetime
import itertools

from django.contrib.auth.models import Group, User

from events.models import Citation, Event, EventLink, Figure, Measure, Participant, Release, ReleasedDetention
from tracker.kept_tables import bulk_load
from tracker.models import Charge, Detention, NameVariant, Organization, Person, Source
from tracker.publishing import Status
from tracker.roles import grant_every_role

_serial = itertools.count(1)


def make_organization(**kwargs):
    kwargs.setdefault("name", f"Organisation {next(_serial)}")
    kwargs.setdefault("kind", Organization.Kind.NGO)
    kwargs.setdefault("country", "BY")
    kwargs.setdefault("status", Status.PUBLISHED)
    return Organization.objects.create(**kwargs)


def make_source(**kwargs):
    serial = next(_serial)
    kwargs.setdefault("title", f"Report {serial}")
    kwargs.setdefault("url", f"https://news.example/report-{serial}")
    kwargs.setdefault("kind", Source.Kind.NEWS_REPORT)
    kwargs.setdefault("language", "en")
    kwargs.setdefault("published_on", datetime.date(2025, 12, 12))
    kwargs.setdefault("status", Status.PUBLISHED)
    return Source.objects.create(**kwargs)


def make_person(**kwargs):
    kwargs.setdefault("name", f"Person {next(_serial)}")
    kwargs.setdefault("identity_level", Person.IdentityLevel.FULL)
    kwargs.setdefault("status", Status.PUBLISHED)
    return Person.objects.create(**kwargs)


def make_name_variant(**kwargs):
    if "person" not in kwargs:
        kwargs["person"] = make_person()
    kwargs.setdefault("name", f"Variant {next(_serial)}")
    kwargs.setdefault("script", NameVariant.Script.LATIN)
    kwargs.setdefault("system", NameVariant.System.PASSPORT)
    return NameVariant.objects.create(**kwargs)


def make_detention(**kwargs):
    if "person" not in kwargs:
        kwargs["person"] = make_person()
    kwargs.setdefault("country", "BY")
    kwargs.setdefault("detained_on", datetime.date(2021, 5, 23))
    kwargs.setdefault("custody_status", Detention.CustodyStatus.HELD)
    kwargs.setdefault("status", Status.PUBLISHED)
    return Detention.objects.create(**kwargs)


def make_charge(**kwargs):
    if "detention" not in kwargs:
        kwargs["detention"] = make_detention()
    kwargs.setdefault("article", "342")
    return Charge.objects.create(**kwargs)


def make_event(**kwargs):
    kwargs.setdefault("kind", Event.Kind.MEETING)
    kwargs.setdefault("title", f"Event {next(_serial)}")
    kwargs.setdefault("occurred_on", datetime.date(2025, 12, 12))
    kwargs.setdefault("countries", ["BY"])
    kwargs.setdefault("status", Status.PUBLISHED)
    return Event.objects.create(**kwargs)


def make_measure(**kwargs):
    serial = next(_serial)
    kwargs.setdefault("slug", f"measure-{serial}")
    kwargs.setdefault("name", f"political prisoners held ({serial})")
    kwargs.setdefault("definition", "People recognised as political prisoners and held on the date.")
    kwargs.setdefault("kind", Measure.Kind.STOCK)
    return Measure.objects.create(**kwargs)


def make_figure(**kwargs):
    if "measure" not in kwargs:
        kwargs["measure"] = make_measure()
    if "source" not in kwargs:
        kwargs["source"] = make_source()
    kwargs.setdefault("value", 1200)
    kwargs.setdefault("qualifier", Figure.Qualifier.APPROXIMATELY)
    kwargs.setdefault("as_of_on", datetime.date(2025, 12, 12))
    kwargs.setdefault("country", "BY")
    kwargs.setdefault("status", Status.PUBLISHED)
    return Figure.objects.create(**kwargs)


def make_participant(**kwargs):
    if "event" not in kwargs:
        kwargs["event"] = make_event()
    if "person" not in kwargs and "organization" not in kwargs:
        kwargs["person"] = make_person()
    kwargs.setdefault("role", "US Special Envoy")
    return Participant.objects.create(**kwargs)


def make_citation(**kwargs):
    if "event" not in kwargs:
        kwargs["event"] = make_event()
    if "source" not in kwargs:
        kwargs["source"] = make_source()
    kwargs.setdefault("quote", "We have many questions.")
    return Citation.objects.create(**kwargs)


def make_link(**kwargs):
    if "from_event" not in kwargs:
        kwargs["from_event"] = make_event(kind=Event.Kind.RELEASE)
    if "to_event" not in kwargs:
        kwargs["to_event"] = make_event(kind=Event.Kind.SANCTIONS_CHANGE)
    kwargs.setdefault("kind", EventLink.Kind.IN_EXCHANGE_FOR)
    return EventLink.objects.create(**kwargs)


def make_release(**kwargs):
    """A release's detail (an exchange, unless told otherwise); `.event` is the release."""
    if "event" not in kwargs:
        kwargs["event"] = make_event(kind=Event.Kind.RELEASE, title="Release of 52 detainees")
    kwargs.setdefault("mode", Release.Mode.EXCHANGE)
    return Release.objects.create(**kwargs)


def make_released_detention(**kwargs):
    """A named person's detention ended by a release; `release` is the Event of kind release."""
    if "release" not in kwargs:
        kwargs["release"] = make_release().event
    if "detention" not in kwargs:
        kwargs["detention"] = make_detention(
            custody_status=Detention.CustodyStatus.DEPORTED,
            released_on=datetime.date(2025, 9, 11),
            release_mode=Detention.ReleaseMode.EXCHANGE_OR_DEPORTATION,
        )
    return ReleasedDetention.objects.create(**kwargs)


def make_user(role=None, **kwargs):
    """A staff user in the group `role` (Viewer, Contributor, Editor; see tracker/roles.py)."""
    kwargs.setdefault("username", f"{(role or 'user').lower()}{next(_serial)}")
    kwargs.setdefault("is_staff", True)
    user = User.objects.create_user(**kwargs)
    if role:
        # The groups and their permissions come from the migrations; a
        # transactional test runs after a flush, so grant them again if gone.
        if not Group.objects.filter(name=role).exists():
            regrant_roles()
        user.groups.add(Group.objects.get(name=role))
    return user


def regrant_roles():
    """Grant the roles again (after a transactional test's flush): tracker/roles.py's table."""
    grant_every_role()


def make_many(count):
    """`count` published releases, each with everything a row of every list shows, written in bulk.

    Each release has a release row, a citation of its own source, a
    participant, a link to one shared sanctions change, a per-event figure and
    a person freed by it; each freed person is also held again (a second
    detention with a charge). Bulk inserts make a thousand rows take a moment,
    so query counts can be compared at 10 and at 1,000 rows. Written as the
    demo generator writes (tracker.kept_tables.bulk_load): the derived tables
    are rebuilt once at the end, not by their triggers row by row (on
    PostgreSQL, a thousand detentions of one day updated one day-count row a
    thousand times in a transaction: 26-46 s per call).
    """
    with bulk_load():
        return _make_many(count)


def _make_many(count):
    measure = make_measure(kind=Measure.Kind.PER_EVENT)
    sanctions = make_event(kind=Event.Kind.SANCTIONS_CHANGE, title="Sanctions lifted")
    start = datetime.date(2020, 1, 1)
    days = [start + datetime.timedelta(days=number) for number in range(count)]
    published = {"status": Status.PUBLISHED}
    sources = Source.objects.bulk_create(
        Source(
            title=f"Bulk report {n}",
            url=f"https://bulk.example/{n}",
            kind=Source.Kind.NEWS_REPORT,
            language="en",
            published_on=day,
            **published,
        )
        for n, day in enumerate(days)
    )
    events = Event.objects.bulk_create(
        Event(kind=Event.Kind.RELEASE, title=f"Bulk release {n}", occurred_on=day, countries=["BY"], **published)
        for n, day in enumerate(days)
    )
    people = Person.objects.bulk_create(
        Person(name=f"Bulk Person {n}", identity_level=Person.IdentityLevel.FULL, **published) for n in range(count)
    )
    Release.objects.bulk_create(Release(event=event, mode=Release.Mode.EXCHANGE) for event in events)
    Citation.objects.bulk_create(Citation(event=event, source=source) for event, source in zip(events, sources))
    Participant.objects.bulk_create(
        Participant(event=event, person=person, role="freed") for event, person in zip(events, people)
    )
    EventLink.objects.bulk_create(
        EventLink(from_event=event, to_event=sanctions, kind=EventLink.Kind.IN_EXCHANGE_FOR) for event in events
    )
    Figure.objects.bulk_create(
        Figure(
            measure=measure, source=source, event=event, value=40, as_of_on=event.occurred_on, country="BY", **published
        )
        for event, source in zip(events, sources)
    )
    freed = Detention.objects.bulk_create(
        Detention(
            person=person,
            country="BY",
            detained_on=datetime.date(2019, 1, 1),
            released_on=event.occurred_on,
            custody_status=Detention.CustodyStatus.RELEASED,
            **published,
        )
        for person, event in zip(people, events)
    )
    ReleasedDetention.objects.bulk_create(
        ReleasedDetention(release=event, detention=detention) for event, detention in zip(events, freed)
    )
    held = Detention.objects.bulk_create(
        Detention(
            person=person,
            country="BY",
            detained_on=datetime.date(2025, 6, 1),
            custody_status=Detention.CustodyStatus.HELD,
            facility="Colony No. 3",
            **published,
        )
        for person in people
    )
    Charge.objects.bulk_create(Charge(detention=detention, article="342") for detention in held)
