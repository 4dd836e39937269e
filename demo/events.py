"""Synthetic demo data for the whole tracker, for `manage.py seed_demo`.

The registry part (organisations, sources, people, detentions) is drawn by
demo/registry.py; this module adds what builds on it (events with their
participants, citations and links, releases naming the people they freed,
figures of every measure) and runs the whole generation, in one transaction:
a bulk load (tracker/kept_tables.py), whose writes leave the tables the
database keeps from the records alone until one rebuild at the end (per-row
triggers made 200,000 people take 1,303 s instead of 70 s).

Events and figures carry the demo mark in their external ID, like people
and detentions. Only published facts are made to pass the publishing rules:
a published event cites a published source and names nobody it must not,
a published figure has a published source and, for a count of one event,
a published event.
"""

import datetime
import json
import random

from django.conf import settings
from django.core import serializers
from django.db import transaction

from demo.base import (
    DEMO_PREFIX,
    FIRST_DAY,
    LAST_DAY,
    Progress,
    delete_demo_registry,
    demo_marks,
    demo_uid,
    insert,
    pick,
    precise_day,
    raw_delete,
)
from demo.registry import CITIES, RegistryGenerator, Releases
from events.models import (
    Citation,
    Event,
    EventKind,
    EventLink,
    Figure,
    LinkKind,
    Measure,
    MeasureKind,
    Participant,
    Qualifier,
    Rank,
    Release,
    ReleasedDetention,
    ReleaseMode,
    main_mode,
)
from events.wording import figure_in_words
from tracker.caching import data_changed
from tracker.dates import Precision
from tracker.kept_tables import bulk_load
from tracker.models import Detention, Person
from tracker.publishing import Status

MEASURES_FIXTURE = "belarus.json"

KIND_WEIGHTS = {
    EventKind.MEETING: 14,
    EventKind.VISIT: 7,
    EventKind.RELEASE: 10,
    EventKind.SANCTIONS_CHANGE: 6,
    EventKind.STATEMENT: 25,
    EventKind.ARRESTS: 16,
    EventKind.TRIAL: 17,
    EventKind.OTHER: 5,
}
QUALIFIER_WEIGHTS = {
    Qualifier.EXACT: 40,
    Qualifier.APPROXIMATELY: 20,
    Qualifier.MORE_THAN: 14,
    Qualifier.AT_LEAST: 8,
    Qualifier.FEWER_THAN: 4,
    Qualifier.AT_MOST: 4,
    Qualifier.RANGE: 10,
}
RELEASE_MODES = {
    ReleaseMode.PARDON: 45,
    ReleaseMode.EXCHANGE: 15,
    ReleaseMode.DEPORTATION: 15,
    ReleaseMode.AMNESTY: 10,
    ReleaseMode.END_OF_SENTENCE: 5,
    ReleaseMode.OTHER: 10,
}
DESTINATIONS = [("Vilnius, Lithuania", "LT"), ("Warsaw, Poland", "PL"), ("Kyiv, Ukraine", "UA")]
GOVERNMENT = {"BY": "Government of Belarus", "RU": "Government of Russia"}
RECOGNISER = {"BY": "Viasna", "RU": "Memorial"}
# Titles name only actors (public and named in full) and places, never a
# prisoner: a published event must not write out a protected name.
TITLES = {
    EventKind.MEETING: ["{role} {actor} meets {role2} {actor2}", "Talks in {city} on political prisoners"],
    EventKind.VISIT: ["{role} {actor} visits {city}", "Delegation visits {city}"],
    EventKind.RELEASE: [
        "Release of {n} political prisoners",
        "Pardon of {n} prisoners",
        "{n} prisoners freed and sent abroad",
    ],
    EventKind.SANCTIONS_CHANGE: [
        "{org} lifts sanctions on {company}",
        "{org} extends sanctions over political prisoners",
    ],
    EventKind.STATEMENT: ["{actor} calls for the release of all political prisoners", "{org} condemns new sentences"],
    EventKind.ARRESTS: ["Wave of arrests in {city}: {n} detained", "Searches of journalists in {city}"],
    EventKind.TRIAL: [
        "Court in {city} sentences {n} people under article {article}",
        "Trial of {n} activists opens in {city}",
    ],
    EventKind.OTHER: ["Hunger strike reported in {city}", "Prisoners' letters published"],
}
SUMMARIES = [
    "Human rights defenders say the number of political prisoners remains high.",
    "Relatives were not allowed to attend.",
    "The authorities gave no details.",
    "Independent media reported the news first.",
]
DEPRECATION_REASONS = [
    "Superseded by a corrected count.",
    "The source later withdrew the number.",
    "Counted a different period.",
]


def real_data(using):
    """'N model' for each model holding rows seed_demo did not make."""
    marks = demo_marks() + [
        (Event, {"external_id__startswith": DEMO_PREFIX}),
        (Figure, {"external_id__startswith": DEMO_PREFIX}),
    ]
    found = []
    for model, condition in marks:
        count = model._base_manager.db_manager(using).exclude(**condition).count()
        if count:
            found.append(f"{count} {model._meta.verbose_name if count == 1 else model._meta.verbose_name_plural}")
    return found


def holds_demo_data(using):
    return Person._base_manager.db_manager(using).filter(external_id__startswith=DEMO_PREFIX).exists() or (
        Event._base_manager.db_manager(using).filter(external_id__startswith=DEMO_PREFIX).exists()
    )


def delete_demo(using):
    """Delete every demo row, children before parents, without loading them or writing history."""

    def rows(model):
        return model._base_manager.db_manager(using)

    events = rows(Event).filter(external_id__startswith=DEMO_PREFIX)
    detentions = rows(Detention).filter(external_id__startswith=DEMO_PREFIX)
    raw_delete(rows(Figure).filter(external_id__startswith=DEMO_PREFIX))
    raw_delete(rows(ReleasedDetention).filter(detention__in=detentions))
    raw_delete(rows(ReleasedDetention).filter(release__in=events))
    raw_delete(rows(Release).filter(event__in=events))
    raw_delete(rows(EventLink).filter(from_event__in=events))
    raw_delete(rows(EventLink).filter(to_event__in=events))
    raw_delete(rows(Citation).filter(event__in=events))
    raw_delete(rows(Participant).filter(event__in=events))
    raw_delete(events)
    delete_demo_registry(using)


def ensure_measures(using):
    """The measures of the Belarus fixture, loaded (with their stable IDs) where their slug is missing."""
    with open(settings.BASE_DIR / "fixtures" / MEASURES_FIXTURE, encoding="utf-8") as fixture:
        defined = [row for row in json.load(fixture) if row["model"] == Measure._meta.label_lower]
    existing = set(Measure._base_manager.db_manager(using).values_list("slug", flat=True))
    for row in serializers.deserialize("python", defined, using=using):
        if row.object.slug not in existing:
            row.save(using=using)
    return list(Measure._base_manager.db_manager(using).order_by("position", "pk"))


class DemoGenerator:
    def __init__(self, people, events, figures, seed=1, using="default", progress=Progress, row_triggers=False):
        self.people, self.events, self.figures = people, events, figures
        self.row_triggers = row_triggers  # keep the derived tables row by row, as every other write does
        self.rng = random.Random(seed)
        self.using = using
        self.progress = progress
        self.registry = RegistryGenerator(self.rng, using, progress)
        self.counts = self.registry.counts

    def count(self, model, number):
        self.registry.count(model, number)

    def run(self):
        load = transaction.atomic if self.row_triggers else bulk_load
        with load(using=self.using):
            delete_demo(self.using)
            measures = ensure_measures(self.using)
            registry = self.registry
            registry.write_organizations()
            registry.write_sources(max(20, self.events // 4 + self.figures // 10 + self.people // 500))
            actors = registry.write_actors(min(self.people, max(10, min(300, self.people // 500))))
            events = self.write_events(actors)
            releases = [event for event in events if event.kind == EventKind.RELEASE]
            registry.write_prisoners(
                self.people - len(actors),
                Releases(
                    (
                        event.occurred_on,
                        event.occurred_on_precision,
                        n,
                        ReleasedDetention.DETENTION_RELEASE_MODES.get(
                            main_mode(event.demo_details), Detention.ReleaseMode.OTHER
                        ),
                    )
                    for n, event in enumerate(releases)
                ),
            )
            named = [
                ReleasedDetention(uid=demo_uid(self.rng), release_id=releases[n].pk, detention_id=detention_pk)
                for detention_pk, n in registry.named_releases
            ]
            insert(ReleasedDetention, named, self.using)
            self.count(ReleasedDetention, len(named))
            self.write_figures(measures, releases)
            data_changed(self.using)
        return self.counts

    # --- Events ----------------------------------------------------------------

    def write_events(self, actors):
        rng = self.rng
        orgs = self.registry.organizations
        sources, published_sources = self.registry.sources, self.registry.published_sources
        bar = self.progress("events", self.events)
        events, participants, citations, release_rows = [], [], [], []
        kinds = list(KIND_WEIGHTS)
        for n in range(self.events):
            # The first eight events are one of each kind, so every kind exists at any size.
            kind = kinds[n] if n < len(kinds) else pick(rng, KIND_WEIGHTS)
            country = "RU" if rng.random() < 0.12 else "BY"
            occurred_on, precision = precise_day(
                rng, FIRST_DAY, LAST_DAY, {Precision.DAY: 85, Precision.MONTH: 12, Precision.YEAR: 3}
            )
            lasted = precision == Precision.DAY and kind in (EventKind.VISIT, EventKind.TRIAL) and rng.random() < 0.4
            actor, actor2 = rng.choice(actors), rng.choice(actors)
            city = rng.choice(CITIES[country])
            title = rng.choice(TITLES[kind]).format(
                role=actor.description,
                actor=actor.name,
                role2=actor2.description,
                actor2=actor2.name,
                city=city,
                n=rng.randint(2, 120),
                org=rng.choice(["European Union", "Government of the United States"]),
                company=rng.choice(["Belavia", "Belaruskali"]),
                article=rng.choice(["342", "361-1", "130", "369"]),
            )
            event = Event(
                uid=demo_uid(rng),
                kind=kind,
                title=title,
                summary=f"{title}. {rng.choice(SUMMARIES)}",
                occurred_on=occurred_on,
                occurred_on_precision=precision,
                ended_on=occurred_on + datetime.timedelta(days=rng.randint(1, 5)) if lasted else None,
                countries=[country]
                + (
                    ["US"]
                    if kind in (EventKind.MEETING, EventKind.VISIT, EventKind.SANCTIONS_CHANGE) and rng.random() < 0.5
                    else []
                ),
                location=city,
                external_id=f"{DEMO_PREFIX}event:{n + 1}",
                status=Status.PUBLISHED if rng.random() < 0.9 else rng.choice([Status.DRAFT, Status.IN_REVIEW]),
            )
            events.append(event)
            # Who took part: the actors the title names, or the organisations it is about.
            if actor.name in title:
                participants.append(Participant(uid=demo_uid(rng), event=event, person=actor, role=actor.description))
            if actor2.name in title and actor2 is not actor:
                participants.append(Participant(uid=demo_uid(rng), event=event, person=actor2, role=actor2.description))
            for name, role in self.organizations_in(kind, country, title):
                participants.append(Participant(uid=demo_uid(rng), event=event, organization=orgs[name], role=role))
            # A published event cites published sources only (Event.publishing_problems refuses a draft one).
            citable = published_sources if event.status == Status.PUBLISHED else sources
            cited = [rng.choice(citable)]
            if rng.random() < 0.3:
                extra = rng.choice(citable)
                if extra not in cited:
                    cited.append(extra)
            for source in cited:
                citations.append(
                    Citation(uid=demo_uid(rng), event=event, source=source, quote=title if rng.random() < 0.5 else "")
                )
            if kind == EventKind.RELEASE:
                event.demo_details = self.release_details(rng, event)
                release_rows += event.demo_details
            bar.advance()
        insert(Event, events, self.using)
        for row in participants + citations + release_rows:
            row.event_id = row.event.pk
        insert(Participant, participants, self.using)
        insert(Citation, citations, self.using)
        insert(Release, release_rows, self.using)
        links = self.links(events)
        insert(EventLink, links, self.using)
        bar.finish()
        for model, rows in [
            (Event, events),
            (Participant, participants),
            (Citation, citations),
            (Release, release_rows),
            (EventLink, links),
        ]:
            self.count(model, len(rows))
        return events

    @staticmethod
    def release_details(rng, event):
        """A release's details: one mode, or a pardon then deportations; one destination, or most to one
        country and some to another, as sources report them."""
        mode = pick(rng, RELEASE_MODES)
        if mode not in (ReleaseMode.EXCHANGE, ReleaseMode.DEPORTATION):
            return [Release(uid=demo_uid(rng), event=event, mode=mode)]
        places = rng.sample(DESTINATIONS, 2) if rng.random() < 0.3 else [rng.choice(DESTINATIONS)]
        shares = [Release.Share.MOST, Release.Share.SOME] if len(places) == 2 else [Release.Share.ALL]
        details = [
            Release(uid=demo_uid(rng), event=event, mode=mode, share=share, destination=place, destination_country=code)
            for (place, code), share in zip(places, shares)
        ]
        if mode == ReleaseMode.DEPORTATION and rng.random() < 0.5:
            details.insert(0, Release(uid=demo_uid(rng), event=event, mode=ReleaseMode.PARDON))
        return details

    @staticmethod
    def organizations_in(kind, country, title):
        if kind == EventKind.RELEASE:
            return [(GOVERNMENT[country], "Releasing authority")]
        if kind == EventKind.SANCTIONS_CHANGE:
            imposing = "European Union" if "European Union" in title else "Government of the United States"
            found = [(imposing, "Imposing the sanctions")]
            for company in ("Belavia", "Belaruskali"):
                if company in title:
                    found.append((company, "Sanctioned company"))
            return found
        if kind == EventKind.ARRESTS:
            return [("Ministry of Internal Affairs of Belarus" if country == "BY" else GOVERNMENT[country], "Police")]
        if kind == EventKind.TRIAL:
            return [("Minsk City Court" if country == "BY" else "Moscow City Court", "Court")]
        if kind == EventKind.STATEMENT and "condemns" in title:
            return [(title.split(" condemns")[0], "Author of the statement")]
        if kind == EventKind.OTHER:
            return [(RECOGNISER[country], "Reporting organisation")]
        return []

    def links(self, events):
        """Typed links in date order: releases in exchange for sanctions changes, visits that follow visits…"""
        rng = self.rng
        by_date = sorted(events, key=lambda event: (event.occurred_on, event.pk))
        sanctions = [event for event in by_date if event.kind == EventKind.SANCTIONS_CHANGE]
        last = {}
        seen, links = set(), []

        def link(from_event, kind, to_event, note=""):
            key = (from_event.pk, kind, to_event.pk)
            if from_event.pk != to_event.pk and key not in seen:
                seen.add(key)
                links.append(
                    EventLink(uid=demo_uid(rng), from_event=from_event, kind=kind, to_event=to_event, note=note)
                )

        for event in by_date:
            kind = event.kind
            if kind == EventKind.RELEASE:
                if sanctions and (rng.random() < 0.5 or not links):
                    link(event, LinkKind.IN_EXCHANGE_FOR, rng.choice(sanctions), "As reported by the sources cited.")
                if EventKind.VISIT in last and rng.random() < 0.4:
                    link(event, LinkKind.PART_OF, last[EventKind.VISIT])
            elif kind in (EventKind.VISIT, EventKind.MEETING) and kind in last and rng.random() < 0.4:
                link(event, LinkKind.FOLLOWS, last[kind])
            elif kind == EventKind.TRIAL and EventKind.ARRESTS in last and rng.random() < 0.4:
                link(event, LinkKind.FOLLOWS, last[EventKind.ARRESTS])
            elif kind == EventKind.STATEMENT and rng.random() < 0.5:
                earlier = last.get(rng.choice([EventKind.ARRESTS, EventKind.RELEASE, EventKind.TRIAL]))
                if earlier is not None:
                    link(event, LinkKind.RESPONSE_TO, earlier)
            last[kind] = event
        return links

    # --- Figures ---------------------------------------------------------------

    def write_figures(self, measures, releases):
        rng = self.rng
        orgs = self.registry.organizations
        sources, published_sources = self.registry.sources, self.registry.published_sources
        published_releases = [event for event in releases if event.status == Status.PUBLISHED]
        usable = [m for m in measures if m.kind != MeasureKind.PER_EVENT or releases]
        qualifiers = list(Qualifier)
        bar = self.progress("figures", self.figures)
        figures = []
        for n in range(self.figures if usable else 0):
            # The first figures take each measure and each qualifier in turn, so all exist at any size.
            measure = usable[n % len(usable)] if n < 2 * len(usable) else rng.choice(usable)
            qualifier = qualifiers[n % len(qualifiers)] if n < len(qualifiers) else pick(rng, QUALIFIER_WEIGHTS)
            status = Status.PUBLISHED if rng.random() < 0.9 else rng.choice([Status.DRAFT, Status.IN_REVIEW])
            event = period_start = None
            period_precision = Precision.DAY
            if measure.kind == MeasureKind.PER_EVENT:
                pool = published_releases if status == Status.PUBLISHED and published_releases else releases
                event = rng.choice(pool)
                if event.status != Status.PUBLISHED:
                    status = Status.DRAFT
                country = event.countries[0]
                as_of, as_of_precision = event.occurred_on, event.occurred_on_precision
                value = rng.randint(5, 250)
            else:
                country = "RU" if rng.random() < 0.15 else "BY"
                as_of, as_of_precision = precise_day(
                    rng, FIRST_DAY, LAST_DAY, {Precision.DAY: 80, Precision.MONTH: 15, Precision.YEAR: 5}
                )
                if measure.kind == MeasureKind.FLOW:
                    period_start, period_precision = precise_day(
                        rng, min(FIRST_DAY, as_of), as_of, {Precision.DAY: 30, Precision.MONTH: 60, Precision.YEAR: 10}
                    )
                    value = rng.randint(10, 1500)
                else:
                    value = rng.randint(300, 1600) if country == "BY" else rng.randint(200, 900)
            upper = value + rng.randint(1, max(2, value // 5)) if qualifier == Qualifier.RANGE else None
            rank = pick(rng, {Rank.PREFERRED: 20, Rank.NORMAL: 72, Rank.DEPRECATED: 8})
            attributed = orgs[RECOGNISER.get(country, "Viasna")] if rng.random() < 0.5 else None
            who = attributed.name if attributed else "the source"
            figures.append(
                Figure(
                    uid=demo_uid(rng),
                    measure=measure,
                    value=value,
                    qualifier=qualifier,
                    upper_value=upper,
                    as_of_on=as_of,
                    as_of_on_precision=as_of_precision,
                    period_start_on=period_start,
                    period_start_on_precision=period_precision,
                    country=country,
                    event=event,
                    source=rng.choice(published_sources if status == Status.PUBLISHED else sources),
                    attributed_to=attributed,
                    quote=f"According to {who}, {figure_in_words(value, qualifier, upper)} {measure.name}.",
                    rank=rank,
                    deprecation_reason=rng.choice(DEPRECATION_REASONS) if rank == Rank.DEPRECATED else "",
                    external_id=f"{DEMO_PREFIX}figure:{n + 1}",
                    status=status,
                )
            )
            bar.advance()
        insert(Figure, figures, self.using)
        bar.finish()
        self.count(Figure, len(figures))
