"""Synthetic registry data for demos and benchmarks: organisations, sources, people, their names and detentions.

demo/events.py builds on this module and runs the whole generation.
"""

import bisect
import datetime
import functools

from django.utils import timezone

from demo.base import (
    DEMO_HOST,
    DEMO_PREFIX,
    FIRST_DAY,
    LAST_DAY,
    Progress,
    Rows,
    Weighted,
    day_between,
    demo_uid,
    insert,
    pick,
    precise_day,
    reset_sequences,
)
from demo.names import cached_search_key, random_name
from tracker.dates import Precision
from tracker.models import (
    Charge,
    CustodyStatus,
    Detention,
    DetentionSource,
    IdentityLevel,
    NameVariant,
    Organization,
    OrganizationKind,
    Person,
    ReleaseMode,
    Source,
    SourceKind,
)
from tracker.names import listed_names
from tracker.publishing import Status

# --- Detentions ----------------------------------------------------------------

BELARUS_CODE = "Criminal Code of Belarus"
RUSSIA_CODE = "Criminal Code of Russia"
ARTICLES = {
    "BY": {
        "342": (30, "Organisation of or active participation in actions grossly violating public order"),
        "361-1": (12, "Creation of or participation in an extremist formation"),
        "130": (10, "Incitement to racial, national, religious or other social hatred"),
        "369": (10, "Insulting a representative of the authorities"),
        "368": (8, "Insulting the President"),
        "361-4": (7, "Facilitating extremist activity"),
        "361": (5, "Calls for actions against national security"),
        "293": (5, "Mass riots"),
        "364": (4, "Violence or threat of violence against a police officer"),
        "367": (3, "Defaming the President"),
        "356": (2, "Treason against the state"),
        "357": (1, "Conspiracy to seize state power"),
    },
    "RU": {
        "207.3": (20, "Disseminating knowingly false information about the armed forces"),
        "280.3": (15, "Repeated discrediting of the armed forces"),
        "282.2": (12, "Organising or taking part in the activity of an extremist organisation"),
        "275": (10, "High treason"),
        "318": (8, "Violence against a representative of the authorities"),
        "212.1": (5, "Repeated violation of the rules for public events"),
        "205.2": (5, "Public justification of terrorism"),
    },
}
FACILITIES = {
    "BY": {
        "colony": [
            "Penal colony No. 1, Novopolotsk",
            "Penal colony No. 2, Bobruisk",
            "Penal colony No. 3, Vitebsk",
            "Penal colony No. 9, Gorki",
            "Penal colony No. 13, Glubokoye",
            "Penal colony No. 15, Mogilev",
            "Penal colony No. 17, Shklov",
            "Penal colony No. 20, Mozyr",
            "Penal colony No. 22, Ivatsevichy",
            "Prison No. 1, Grodno",
            "Prison No. 4, Mogilev",
            "Prison No. 8, Zhodino",
        ],
        "women": ["Penal colony No. 4, Gomel", "Penal colony No. 24, Zarechye"],
        "pretrial": [
            "Pre-trial detention centre No. 1, Minsk",
            "KGB pre-trial detention centre, Minsk",
            "Pre-trial detention centre No. 3, Gomel",
            "Pre-trial detention centre No. 7, Brest",
            "Pre-trial detention centre No. 2, Vitebsk",
            "Pre-trial detention centre No. 6, Baranovichi",
        ],
    },
    "RU": {
        "colony": [
            "Penal colony No. 6, Vladimir region",
            "Penal colony No. 2, Pokrov",
            "Penal colony No. 7, Segezha",
            "Penal colony No. 3, Kharp",
            "Penal colony No. 1, Mordovia",
        ],
        "women": ["Penal colony No. 2, Mordovia", "Penal colony No. 14, Mordovia"],
        "pretrial": [
            "Pre-trial detention centre No. 1 (Matrosskaya Tishina), Moscow",
            "Lefortovo, Moscow",
            "Pre-trial detention centre No. 5, Moscow",
            "Kresty, Saint Petersburg",
        ],
    },
}
REGIONS = {
    "BY": [
        "Minsk",
        "Minsk region",
        "Brest region",
        "Gomel region",
        "Grodno region",
        "Mogilev region",
        "Vitebsk region",
    ],
    "RU": ["Moscow", "Saint Petersburg", "Kaliningrad region", "Smolensk region", "Pskov region"],
}
OCCUPATIONS = [
    "worker",
    "engineer",
    "teacher",
    "journalist",
    "student",
    "IT specialist",
    "doctor",
    "entrepreneur",
    "lawyer",
    "pensioner",
    "musician",
    "driver",
    "blogger",
    "human rights defender",
    "artist",
    "builder",
    "",
    "",
    "",
]
REGIMES = ["general-regime colony", "general-regime colony", "strict-regime colony", "prison", "restricted freedom"]
# How a detention that ended, other than by a named release, came to an end.
ENDINGS = {
    CustodyStatus.RELEASED: {ReleaseMode.END_OF_SENTENCE: 4, ReleaseMode.ACQUITTAL: 1, ReleaseMode.OTHER: 2},
    CustodyStatus.SERVED_SENTENCE: {ReleaseMode.END_OF_SENTENCE: 1},
    CustodyStatus.PARDONED: {ReleaseMode.PARDON: 1},
    CustodyStatus.DEPORTED: {ReleaseMode.EXCHANGE_OR_DEPORTATION: 1},
}
# The custody status a named release leaves a detention in, by the detention's release mode.
STATUS_AFTER_RELEASE = {
    ReleaseMode.PARDON: CustodyStatus.PARDONED,
    ReleaseMode.EXCHANGE_OR_DEPORTATION: CustodyStatus.DEPORTED,
}


class Releases:
    """The releases people can be named in: sorted by date, as plain data (demo/events.py makes them events)."""

    def __init__(self, releases):
        # Each release: (occurred_on, precision, key, detention release mode).
        self.releases = sorted(releases, key=lambda release: release[0])
        self.dates = [release[0] for release in self.releases]

    def after(self, rng, day):
        """A release on or after `day`, or None."""
        start = bisect.bisect_left(self.dates, day)
        if start == len(self.releases):
            return None
        return self.releases[rng.randrange(start, len(self.releases))]


# --- Generation ------------------------------------------------------------------


ORGANIZATIONS = [
    # name, kind, country, name variants
    ("Viasna", OrganizationKind.NGO, "BY", "Вясна\nHuman Rights Centre “Viasna”"),
    ("Memorial", OrganizationKind.NGO, "RU", "Мемориал\nMemorial Human Rights Defence Centre"),
    ("OVD-Info", OrganizationKind.NGO, "RU", "ОВД-Инфо"),
    ("Belarusian Association of Journalists", OrganizationKind.NGO, "BY", "БАЖ"),
    ("Government of Belarus", OrganizationKind.GOVERNMENT, "BY", "Belarusian authorities"),
    ("Government of Russia", OrganizationKind.GOVERNMENT, "RU", ""),
    ("Government of the United States", OrganizationKind.GOVERNMENT, "US", "US government"),
    ("Government of Lithuania", OrganizationKind.GOVERNMENT, "LT", ""),
    ("Government of Poland", OrganizationKind.GOVERNMENT, "PL", ""),
    ("Ministry of Internal Affairs of Belarus", OrganizationKind.MINISTRY, "BY", "МУС\nМВД"),
    ("State Security Committee of Belarus (KGB)", OrganizationKind.MINISTRY, "BY", "КДБ\nКГБ"),
    ("Supreme Court of Belarus", OrganizationKind.COURT, "BY", ""),
    ("Minsk City Court", OrganizationKind.COURT, "BY", ""),
    ("Moscow City Court", OrganizationKind.COURT, "RU", ""),
    ("European Union", OrganizationKind.INTERNATIONAL, "", "EU"),
    ("OSCE", OrganizationKind.INTERNATIONAL, "", "Organization for Security and Co-operation in Europe"),
    ("UN Human Rights Council", OrganizationKind.INTERNATIONAL, "", ""),
    ("Belavia", OrganizationKind.COMPANY, "BY", "Белавиа\nБелавія"),
    ("Belaruskali", OrganizationKind.COMPANY, "BY", "Беларуськалий"),
    ("Nasha Niva", OrganizationKind.MEDIA, "BY", "Наша Ніва"),
    ("Zerkalo", OrganizationKind.MEDIA, "BY", "Зеркало"),
    ("Radio Free Europe/Radio Liberty", OrganizationKind.MEDIA, "", "RFE/RL\nRadio Svaboda"),
    ("Meduza", OrganizationKind.MEDIA, "RU", "Медуза"),
    ("Reuters", OrganizationKind.MEDIA, "", ""),
    ("Associated Press", OrganizationKind.MEDIA, "", "AP"),
    ("BelTA", OrganizationKind.MEDIA, "BY", "БелТА"),
]
SOURCE_TITLES = {
    SourceKind.NEWS_REPORT: [
        "Court in {city} sentences {n} people in a case under article {article}",
        "{n} political prisoners released in {city}",
        "Searches and detentions in {city}: at least {n} people held",
        "Envoy visits {city} as talks on prisoners continue",
    ],
    SourceKind.NGO_REPORT: [
        "Political prisoners in Belarus: monthly review, {month}",
        "{n} people newly recognised as political prisoners",
        "Repressions in {city}: weekly overview",
    ],
    SourceKind.OFFICIAL_STATEMENT: [
        "Statement on the pardon of {n} convicts",
        "Statement on the release of detainees",
        "Statement on sanctions",
    ],
    SourceKind.COURT_RECORD: ["Verdict in case No. {case}", "Appeal ruling in case No. {case}"],
    SourceKind.SOCIAL_MEDIA: ["Post by a human rights defender, {month}", "Channel post on the trial in {city}"],
    SourceKind.OTHER: ["Letter from prison, {month}"],
}
CITIES = {
    "BY": ["Minsk", "Gomel", "Brest", "Grodno", "Mogilev", "Vitebsk", "Bobruisk", "Pinsk", "Lida"],
    "RU": ["Moscow", "Saint Petersburg", "Kaliningrad", "Yekaterinburg", "Smolensk"],
}


class RegistryGenerator:
    """Organisations, sources and people with their detentions, written as they are drawn."""

    def __init__(self, rng, using, progress=Progress):
        self.rng = rng
        self.using = using
        self.progress = progress
        self.organizations = {}  # name -> Organization
        self.sources = []  # Source, published ones first
        self.published_sources = []
        self.people_written = 0
        self.detentions_written = 0
        self.named_releases = []  # (detention pk, release key)
        self.counts = {}

    def count(self, model, number):
        self.counts[model._meta.label] = self.counts.get(model._meta.label, 0) + number

    def status(self, published=0.92, in_review=0.03):
        draw = self.rng.random()
        return (
            Status.PUBLISHED if draw < published else Status.IN_REVIEW if draw < published + in_review else Status.DRAFT
        )

    def write_organizations(self):
        objs = []
        for name, kind, country, variants in ORGANIZATIONS:
            objs.append(
                Organization(
                    uid=demo_uid(self.rng),
                    name=name,
                    kind=kind,
                    country=country,
                    name_variants=variants,
                    website=f"{DEMO_HOST}organizations/{len(objs) + 1}",
                    status=Status.PUBLISHED,
                )
            )
        insert(Organization, objs, self.using)
        self.count(Organization, len(objs))
        self.organizations = {obj.name: obj for obj in objs}

    def write_sources(self, number):
        rng = self.rng
        publishers = [
            o for o in self.organizations.values() if o.kind in (OrganizationKind.MEDIA, OrganizationKind.NGO)
        ]
        officials = [
            o
            for o in self.organizations.values()
            if o.kind in (OrganizationKind.GOVERNMENT, OrganizationKind.MINISTRY, OrganizationKind.COURT)
        ]
        objs = []
        for n in range(1, number + 1):
            kind = pick(
                rng,
                {
                    SourceKind.NEWS_REPORT: 50,
                    SourceKind.NGO_REPORT: 25,
                    SourceKind.OFFICIAL_STATEMENT: 10,
                    SourceKind.COURT_RECORD: 5,
                    SourceKind.SOCIAL_MEDIA: 8,
                    SourceKind.OTHER: 2,
                },
            )
            country = "RU" if rng.random() < 0.1 else "BY"
            published_on = day_between(rng, FIRST_DAY, LAST_DAY)
            title = rng.choice(SOURCE_TITLES[kind]).format(
                city=rng.choice(CITIES[country]),
                n=rng.randint(2, 60),
                case=rng.randint(1000, 99999),
                article=rng.choice(list(ARTICLES[country])),
                month=published_on.strftime("%B %Y"),
            )
            archived = rng.random() < 0.4
            objs.append(
                Source(
                    uid=demo_uid(rng),
                    title=title,
                    publisher=rng.choice(
                        officials if kind in (SourceKind.OFFICIAL_STATEMENT, SourceKind.COURT_RECORD) else publishers
                    ),
                    url=f"{DEMO_HOST}sources/{n}",
                    language=pick(rng, {"en": 4, "be": 3, "ru": 3}),
                    kind=kind,
                    published_on=published_on,
                    retrieved_on=published_on + datetime.timedelta(days=rng.randrange(30)),
                    archive_url=f"{DEMO_HOST}archive/{n}" if archived else "",
                    archive_sha256=f"{rng.getrandbits(256):064x}" if archived else "",
                    status=Status.PUBLISHED if n == 1 or rng.random() < 0.9 else Status.DRAFT,
                )
            )
        insert(Source, objs, self.using)
        self.count(Source, len(objs))
        self.sources = objs
        self.published_sources = [s for s in objs if s.status == Status.PUBLISHED]

    def write_actors(self, number):
        """Officials, envoys, lawyers and opposition figures: named in full and published, for events to cite."""
        rng = self.rng
        roles = [
            "President",
            "Foreign Minister",
            "Special Envoy",
            "Ambassador",
            "Opposition leader",
            "Human rights defender",
            "Lawyer",
            "Judge",
            "Prosecutor",
            "Head of the KGB",
            "Spokesperson",
        ]
        people, variants = [], []
        for _ in range(number):
            female = rng.random() < 0.35
            name = random_name(rng, female, russian_only=rng.random() < 0.15)
            person = self.make_person(name, female, IdentityLevel.FULL, Status.PUBLISHED, variants)
            person.description = rng.choice(roles)
            person.occupation = ""
            people.append(person)
        self.write_people(people, variants)
        return people

    def make_person(self, name, female, identity_level, status, variants):
        rng = self.rng
        country = "RU" if name.russian_only else "BY"
        person = Person(
            uid=demo_uid(rng),
            name=name.public,
            identity_level=identity_level,
            status=status,
            birth_year=rng.randint(1950, 2006) if rng.random() < 0.9 else None,
            gender=Person.Gender.FEMALE if female else Person.Gender.MALE,
            region=rng.choice(REGIONS[country]),
            occupation=rng.choice(OCCUPATIONS),
            internal_notes="The family asked not to publish the name."
            if identity_level == IdentityLevel.WITHHELD
            else "",
            external_id=f"{DEMO_PREFIX}person:{self.people_written + len(variants) + 1}",
        )
        own = [
            NameVariant(
                uid=demo_uid(rng),
                person=person,
                name=text,
                script=name_script(text),
                system=system,
                language=language,
            )
            for text, system, language in name.variants(rng)
        ]
        person.search_key = cached_search_key(person.name, tuple(variant.name for variant in own))
        person.shown_name, person.sort_name = listed_names(person.name, person.identity_level)
        variants.append((person, own))
        return person

    def write_people(self, people, variants):
        # external_id above numbers people by position; NameVariant rows need their person's pk.
        insert(Person, people, self.using)
        rows = []
        for person, own in variants:
            for variant in own:
                variant.person_id = person.pk
                rows.append(variant)
        insert(NameVariant, rows, self.using)
        self.people_written += len(people)
        self.count(Person, len(people))
        self.count(NameVariant, len(rows))

    def write_prisoners(self, number, releases, chunk=5000):
        """`number` people, each with one or two detentions, their charges and a source, a chunk at a time."""
        now = timezone.now()
        tables = {
            "people": Rows(
                Person,
                [
                    "status",
                    "name",
                    "identity_level",
                    "birth_year",
                    "gender",
                    "region",
                    "occupation",
                    "internal_notes",
                    "external_id",
                    "search_key",
                    "shown_name",
                    "sort_name",
                ],
                self.using,
                now,
            ),
            "variants": Rows(NameVariant, ["person", "name", "script", "system", "language"], self.using, now),
            "detentions": Rows(
                Detention,
                [
                    "person",
                    "status",
                    "country",
                    "detained_on",
                    "detained_on_precision",
                    "sentence",
                    "sentence_months",
                    "facility",
                    "custody_status",
                    "recognised_on",
                    "recognised_by",
                    "released_on",
                    "released_on_precision",
                    "release_mode",
                    "external_id",
                ],
                self.using,
                now,
            ),
            "charges": Rows(Charge, ["detention", "article", "code", "description"], self.using, now),
            "sources": Rows(DetentionSource, ["detention", "source"], self.using, now),
        }
        bar = self.progress("people", number)
        for done in range(number):
            self.draw_prisoner(tables, releases)
            if (done + 1) % chunk == 0 or done + 1 == number:
                for rows in tables.values():
                    self.count(rows.model, rows.flush())
                bar.advance((done % chunk) + 1)
        bar.finish()
        reset_sequences([rows.model for rows in tables.values()], self.using)

    def draw_prisoner(self, tables, releases):
        rng = self.rng
        female = rng.random() < 0.22
        russian = rng.random() < 0.1
        name = random_name(rng, female, russian)
        status = self.status()
        level = IDENTITY_LEVELS(rng)
        self.people_written += 1
        spellings = name.variants(rng)
        person = tables["people"].add(
            demo_uid(rng),
            status,
            name.public,
            level,
            rng.randint(1950, 2006) if rng.random() < 0.9 else None,
            Person.Gender.FEMALE if female else Person.Gender.MALE,
            rng.choice(REGIONS["RU" if russian else "BY"]),
            rng.choice(OCCUPATIONS),
            WITHHELD_NOTE if level == IdentityLevel.WITHHELD else "",
            f"{DEMO_PREFIX}person:{self.people_written}",
            cached_search_key(name.public, tuple(text for text, _, _ in spellings)),
            *listed_names(name.public, level),
        )
        for text, system, language in spellings:
            tables["variants"].add(demo_uid(rng), person, text, name_script(text), system, language)
        episodes = 2 if rng.random() < 0.08 else 1
        start = FIRST_DAY
        for episode in range(episodes):
            ended_on = self.draw_detention(
                tables, person, status, female, russian, start, episode == episodes - 1, releases
            )
            start = ended_on + datetime.timedelta(days=30)
            if start > LAST_DAY - datetime.timedelta(days=60):
                break

    def draw_detention(self, tables, person, person_status, female, russian, earliest, last, releases):
        """Add one detention with its charges and source; return the day it ended (or began)."""
        rng = self.rng
        country = "RU" if russian else "BY"
        detained_on, precision = precise_day(rng, earliest, LAST_DAY)
        if detained_on < earliest:  # truncated to a month or year before the previous episode ended
            detained_on, precision = earliest, Precision.DAY
        # A person's earlier episode has always ended.
        custody = CUSTODY(rng) if last else CustodyStatus.SERVED_SENTENCE
        months = rng.choice(SENTENCE_MONTHS)
        sentenced = custody != CustodyStatus.HELD or rng.random() < 0.8
        facilities = FACILITIES[country]
        if not sentenced:
            facility = rng.choice(facilities["pretrial"])
        else:
            facility = rng.choice(facilities["women"] if female else facilities["colony"])
        # A detention is published only with its person (Detention.publishing_problems).
        status = person_status if person_status != Status.PUBLISHED or rng.random() < 0.97 else Status.IN_REVIEW
        recognised_on = recognised_by = None
        if rng.random() < 0.9:
            recognised_on = min(detained_on + datetime.timedelta(days=rng.randrange(7, 120)), LAST_DAY)
            recognised_by = self.organizations["Memorial" if country == "RU" else "Viasna"].pk
        released_on, released_precision, mode, release_key = None, Precision.DAY, "", None
        if custody in ENDINGS:
            release = (
                releases.after(rng, detained_on)
                if custody != CustodyStatus.SERVED_SENTENCE and rng.random() < 0.7
                else None
            )
            if release is not None:
                released_on, released_precision, release_key, mode = release
                custody = STATUS_AFTER_RELEASE.get(mode, CustodyStatus.RELEASED)
            else:
                end = min(detained_on + datetime.timedelta(days=months * 30), LAST_DAY)
                released_on, released_precision = precise_day(rng, detained_on, end, RELEASE_PRECISIONS)
                if released_on < detained_on:  # truncated to a month that began before the detention
                    released_on, released_precision = detained_on, Precision.DAY
                mode = pick(rng, ENDINGS[custody])
        self.detentions_written += 1
        detention = tables["detentions"].add(
            demo_uid(rng),
            person,
            status,
            country,
            detained_on,
            precision,
            f"{months // 12} years{f' {months % 12} months' if months % 12 else ''}, {rng.choice(REGIMES)}"
            if sentenced
            else "",
            months if sentenced else None,
            facility if rng.random() < 0.9 else "",
            custody,
            recognised_on,
            recognised_by,
            released_on,
            released_precision,
            mode,
            f"{DEMO_PREFIX}detention:{self.detentions_written}",
        )
        articles = ARTICLES[country]
        chosen = {ARTICLE_PICKS[country](rng) for _ in range(1 + (rng.random() < 0.35) + (rng.random() < 0.1))}
        code = BELARUS_CODE if country == "BY" else RUSSIA_CODE
        for article in sorted(chosen):
            tables["charges"].add(demo_uid(rng), detention, article, code, articles[article][1])
        source = rng.choice(self.published_sources if status == Status.PUBLISHED else self.sources)
        tables["sources"].add(demo_uid(rng), detention, source.pk)
        if release_key is not None:
            self.named_releases.append((detention, release_key))
        return released_on or detained_on


IDENTITY_LEVELS = Weighted({IdentityLevel.FULL: 80, IdentityLevel.INITIALS: 12, IdentityLevel.WITHHELD: 8})
CUSTODY = Weighted(
    {
        CustodyStatus.HELD: 55,
        CustodyStatus.RELEASED: 15,
        CustodyStatus.SERVED_SENTENCE: 13,
        CustodyStatus.PARDONED: 10,
        CustodyStatus.DEPORTED: 3,
        CustodyStatus.DIED_IN_CUSTODY: 0.5,
        CustodyStatus.UNKNOWN: 3.5,
    }
)
ARTICLE_PICKS = {
    country: Weighted({article: weight for article, (weight, _) in articles.items()})
    for country, articles in ARTICLES.items()
}
SENTENCE_MONTHS = [6, 12, 18, 24, 30, 36, 42, 48, 60, 72, 84, 96, 108, 120, 144, 180]
RELEASE_PRECISIONS = {Precision.DAY: 90, Precision.MONTH: 10}
WITHHELD_NOTE = "The family asked not to publish the name."


@functools.cache
def name_script(text):
    """The script of a name (NameVariant.detect_script), once per spelling; a name of no one script is Other."""
    return NameVariant.detect_script(text) or NameVariant.Script.OTHER
