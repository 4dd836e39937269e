"""What the public may see of a person (DOMAIN rule 2), in Python and in SQL, side by side.

The name comes from tracker.names.public_name (stored as Person.shown_name);
who is listed and who is named comes from tracker/names.py (LISTED_LEVELS,
NAMED_LEVELS) through PersonQuerySet.listed()/named(). Everything else a
person's identity level hides or shows is decided here, and nowhere else:

- `full` (named): everything public about the person and their detentions.
- `initials`: the initials; custody status, country, the years of detention
  and release, the articles charged under, the release mode and the release
  that freed them (already listed by initials on the release's page), and who
  recognised them as a political prisoner, in which year. Not their birth
  year, region, occupation, facility, sentence, exact dates, charge
  descriptions or sources: a source names the person, and the others, alone
  or together, can point at one person among the initials.
- `withheld` (and any level unknown to this code): no row and no page; a
  count in one line of the unfiltered list.

It says so three times, and tests hold the three together:

1. In Python: `shown_person` and `shown_detention`. Templates, the API and the
   CSV receive only what these return, so none can print a detail the level
   hides.
2. As light rows (`PersonRow`, `DetentionRow`): plain values with the
   attribute names `shown_person` reads, for whole-registry downloads, where a
   model instance per row would be most of the time. They go through the same
   two functions.
3. In SQL: `prisoners_select`, the projection PostgreSQL's COPY writes the
   prisoners CSV with, at five times the speed of Python rows
   (tests/test_registry_copy.py holds the bytes equal, row for row, for every
   listed level and awkward text).

A new public field of Person or Detention is taught to all three.
"""

import datetime
import uuid
from dataclasses import dataclass, field

from django.db.models import Case, DateField, F, When
from django.db.models.functions import TruncYear
from django.urls import reverse
from django_countries.fields import Country

from events.models import Event
from tracker.dates import PreciseDate, Precision, truncate
from tracker.exports import BLANKS, LEADING, MARK, TRIGGERS
from tracker.models import FREED, Detention, Organization, Person, Source, named_person
from tracker.names import NAMED_LEVELS, public_name
from tracker.publishing import Status

# --- 1. In Python -----------------------------------------------------------


@dataclass(frozen=True)
class ShownCharge:
    article: str
    code: str
    description: str = ""


@dataclass
class ShownDetention:
    custody_status: str
    country: str
    custody_status_code: str
    country_code: str
    detained: PreciseDate | None
    released: PreciseDate | None
    release_mode: str = ""
    release: Event | None = None
    facility: str = ""
    sentence: str = ""
    charges: list[ShownCharge] = field(default_factory=list)
    recognised_by: Organization | None = None
    recognised_on: PreciseDate | None = None
    sources: list[Source] = field(default_factory=list)

    @property
    def articles(self):
        return ", ".join(charge.article for charge in self.charges)

    @property
    def release_date_missing(self):
        """Freed (released, pardoned, deported, sentence served) with no release date recorded: the pages say so."""
        return self.released is None and self.custody_status_code in FREED


@dataclass
class ShownPerson:
    uid: str
    name: str
    url: str
    is_named: bool
    birth_year: int | None = None
    region: str = ""
    occupation: str = ""
    description: str = ""
    other_names: list[str] = field(default_factory=list)
    detentions: list[ShownDetention] = field(default_factory=list)


def to_year(value: datetime.date | None) -> PreciseDate | None:
    return PreciseDate.of(truncate(value, Precision.YEAR), Precision.YEAR)


def shown_detention(detention: Detention, is_named: bool) -> ShownDetention:
    """The public facts of one detention, as far as its person's identity level allows.

    Reads the prefetched `charges`, `released_detentions` and, on the person
    page, `detention_sources`: no query.
    """
    released = detention.released_detentions.all()
    release = released[0].release if released else None
    recognised_by = (
        detention.recognised_by if detention.recognised_by and detention.recognised_by.is_published else None
    )
    shown = ShownDetention(
        custody_status=detention.get_custody_status_display(),
        country=detention.country.name,
        custody_status_code=detention.custody_status,
        country_code=detention.country.code,
        detained=detention.detained if is_named else to_year(detention.detained_on),
        released=detention.released if is_named else to_year(detention.released_on),
        release_mode=detention.get_release_mode_display(),
        release=release,
        recognised_by=recognised_by,
    )
    charges = detention.charges.all()
    if is_named:
        shown.facility = detention.facility
        shown.sentence = detention.sentence
        shown.charges = [ShownCharge(c.article, c.code, c.description) for c in charges]
        shown.recognised_on = PreciseDate.of(detention.recognised_on, Precision.DAY)
        if hasattr(detention, "shown_sources"):
            shown.sources = [link.source for link in detention.shown_sources]
    else:
        shown.charges = [ShownCharge(c.article, c.code) for c in charges]
        shown.recognised_on = to_year(detention.recognised_on)
    return shown


def shown_person(person: Person, detentions) -> ShownPerson:
    """What the public may see of a listed person (identity level full or initials)."""
    if not person.is_listed:
        # Callers never pass one; refuse rather than render a withheld person.
        raise ValueError("A withheld person has no public row or page.")
    is_named = person.is_named
    shown = ShownPerson(
        uid=str(person.uid),
        name=person.public_name,
        url=person.get_absolute_url(),
        is_named=is_named,
        detentions=[shown_detention(detention, is_named) for detention in detentions],
    )
    if is_named:
        shown.birth_year = person.birth_year
        shown.region = person.region
        shown.occupation = person.occupation
        shown.description = person.description
        if hasattr(person, "shown_names"):
            shown.other_names = [variant.name for variant in person.shown_names if variant.name != person.name]
    return shown


def by_shown_date(order, date, person=""):
    """The first key of a date order ("newest" or "oldest"): the date as the public sees it.

    The year only for people shown by initials, so the order never places
    them by a day their page hides. `person` is the path to the person
    ("person__") when the rows are detentions.
    """
    shown = Case(
        When(named_person(person), then=F(date)),
        default=TruncYear(date, output_field=DateField()),
        output_field=DateField(),
    )
    return shown.desc(nulls_last=True) if order == "newest" else shown.asc(nulls_last=True)


# --- 2. As light rows ---------------------------------------------------------

PLACEHOLDER = uuid.UUID(int=0)


class Related(list):
    """A prefetched relation: what `.all()` gives."""

    def all(self):
        return self


def url_maker(name):
    """A function uid -> the path of the named URL, resolved once rather than per row."""
    prefix, _, suffix = reverse(name, args=[PLACEHOLDER]).partition(str(PLACEHOLDER))
    return lambda uid: f"{prefix}{uid}{suffix}"


class PersonRow:
    """A published person as values, with what shown_person() reads of a Person."""

    FIELDS = ("pk", "uid", "name", "identity_level", "status", "birth_year", "region", "occupation", "description")
    __slots__ = (*FIELDS, "matching_detentions", "url")

    def __init__(self, values, url):
        for name, value in zip(self.FIELDS, values):
            setattr(self, name, value)
        self.url = url
        self.matching_detentions = []

    @property
    def is_published(self):
        return self.status == Status.PUBLISHED

    # The same questions as Person.is_listed and Person.is_named.
    is_listed = Person.is_listed
    is_named = Person.is_named

    @property
    def public_name(self):
        return public_name(self)

    def get_absolute_url(self):
        return self.url


class OrganizationRow:
    __slots__ = ("name", "is_published")

    def __init__(self, name, status):
        self.name = name
        self.is_published = status == Status.PUBLISHED


class ReleaseRow:
    """The release that ended a detention: its address (and, for the registry page, its title)."""

    __slots__ = ("uid", "url", "title")

    def __init__(self, uid, url, title=None):
        self.uid, self.url, self.title = uid, url, title

    def get_absolute_url(self):
        return self.url


class ReleasedRow:
    __slots__ = ("release",)

    def __init__(self, release):
        self.release = release


class ChargeRow:
    __slots__ = ("article", "code", "description")

    def __init__(self, article, code, description):
        self.article, self.code, self.description = article, code, description


class CountryRow:
    """A country as the detention's CountryField gives it: its code and name, looked up once per code."""

    __slots__ = ("code", "name")

    def __init__(self, code):
        self.code, self.name = code, str(Country(code=code).name)


class Labels:
    """The display labels of a detention's choices, as plain strings, made once per chunk."""

    def __init__(self):
        self.custody = {value: str(label) for value, label in Detention.CustodyStatus.choices}
        self.release_mode = {value: str(label) for value, label in Detention.ReleaseMode.choices}


class DetentionRow:
    """A published detention as values, with what shown_detention() reads of a Detention."""

    FIELDS = (
        "pk",
        "person_id",
        "custody_status",
        "country",
        "detained_on",
        "detained_on_precision",
        "released_on",
        "released_on_precision",
        "release_mode",
        "facility",
        "sentence",
        "recognised_on",
        "recognised_by__name",
        "recognised_by__status",
    )
    __slots__ = (
        "pk",
        "person_id",
        "custody_status",
        "country",
        "detained_on",
        "detained_on_precision",
        "released_on",
        "released_on_precision",
        "release_mode",
        "facility",
        "sentence",
        "recognised_on",
        "recognised_by",
        "charges",
        "released_detentions",
        "labels",
    )

    def __init__(self, values, countries, labels):
        (
            self.pk,
            self.person_id,
            self.custody_status,
            country,
            self.detained_on,
            self.detained_on_precision,
            self.released_on,
            self.released_on_precision,
            self.release_mode,
            self.facility,
            self.sentence,
            self.recognised_on,
            recogniser,
            recogniser_status,
        ) = values
        self.country = countries.get(country) or countries.setdefault(country, CountryRow(country))
        self.labels = labels
        self.recognised_by = OrganizationRow(recogniser, recogniser_status) if recogniser is not None else None
        self.charges = Related()
        self.released_detentions = Related()

    def get_custody_status_display(self):
        return self.labels.custody.get(self.custody_status, self.custody_status)

    def get_release_mode_display(self):
        return self.labels.release_mode.get(self.release_mode, self.release_mode)

    @property
    def detained(self):
        return PreciseDate.of(self.detained_on, self.detained_on_precision)

    @property
    def released(self):
        return PreciseDate.of(self.released_on, self.released_on_precision)


# --- 3. In SQL ------------------------------------------------------------------


def literal(text):
    """A string as an SQL literal (standard_conforming_strings is on: only quotes need doubling)."""
    return "'" + str(text).replace("'", "''").replace("%", "%%") + "'"


def labels(choices, column):
    cases = " ".join(f"WHEN {literal(value)} THEN {literal(label)}" for value, label in choices)
    return f"CASE {column} {cases} ELSE {column} END"


def escaped(expression):
    """The text cell as tracker.exports.cell writes it: an apostrophe before a formula; NULL for empty."""
    # tracker.exports._dangerous as a regular expression: apostrophes then a LEADING
    # character, or apostrophes and BLANKS then a trigger. The characters stand as they
    # are in bracket expressions ("-" first, so that it is not a range): listed rather
    # than [[:space:]], whose meaning beyond ASCII depends on the database's locale.
    # NUL cannot be in PostgreSQL text.
    leading = "".join(char for char in LEADING if char != "\0")
    triggers = "".join(sorted(TRIGGERS, key=lambda char: char != "-"))
    pattern = literal(f"^{MARK}*[{leading}]|^[{BLANKS}{MARK}]*[{triggers}]")
    return f"NULLIF(CASE WHEN ({expression}) ~ {pattern} THEN {literal(MARK)} || ({expression}) ELSE ({expression}) END, '')"


def iso(column, precision):
    """A date to its precision, as tracker.dates.date_iso writes it."""
    return (
        f"CASE WHEN {column} IS NULL THEN NULL WHEN {precision} = 'year' THEN to_char({column}, 'YYYY') "
        f"WHEN {precision} = 'month' THEN to_char({column}, 'YYYY-MM') ELSE to_char({column}, 'YYYY-MM-DD') END"
    )


def url_parts(name):
    prefix, _, suffix = reverse(name, args=[PLACEHOLDER]).partition(str(PLACEHOLDER))
    return prefix, suffix


def prisoners_select(detentions, base):
    """The SELECT of the prisoners CSV and its parameters, in the registry's default order.

    The same rules as shown_person()/shown_detention(), column for column:
    only the detentions `detentions` selects (its SQL is the subquery); the
    name is Person.shown_name, kept by save() from tracker.names.public_name;
    people shown by initials show years only (detained, released,
    recognised) and no birth year, region, occupation, facility, sentence or
    charge descriptions; text cells escaped against spreadsheet formulas as
    tracker.exports.cell does.
    """
    person_prefix, person_suffix = url_parts("events:person")
    event_prefix, event_suffix = url_parts("events:event")
    named = f"p.identity_level IN ({', '.join(literal(level) for level in NAMED_LEVELS)})"
    published = literal(Status.PUBLISHED)
    matching_sql, matching_params = detentions.values("pk").query.sql_with_params()
    detained_precision = f"CASE WHEN {named} THEN d.detained_on_precision ELSE 'year' END"
    released_precision = f"CASE WHEN {named} THEN d.released_on_precision ELSE 'year' END"
    recognised_precision = f"CASE WHEN {named} THEN 'day' ELSE 'year' END"
    # The values the public may see, computed once per row in the inner SELECT;
    # the outer one escapes them. Charges are aggregated per detention in one
    # pass (a hash join), not looked up row by row.
    values = {
        "person_uid": "p.uid::text",
        "person_url": f"{literal(base + person_prefix)} || p.uid::text || {literal(person_suffix)}",
        "name": "p.shown_name",
        "is_named": f"CASE WHEN {named} THEN 'true' ELSE 'false' END",
        "birth_year": f"CASE WHEN {named} THEN p.birth_year END",
        "region": f"CASE WHEN {named} THEN p.region ELSE '' END",
        "occupation": f"CASE WHEN {named} THEN p.occupation ELSE '' END",
        "custody_status": labels(Detention.CustodyStatus.choices, "d.custody_status"),
        "country": "d.country",
        "detained": iso("d.detained_on", detained_precision),
        "detained_precision": f"CASE WHEN d.detained_on IS NOT NULL THEN {detained_precision} END",
        "released": iso("d.released_on", released_precision),
        "released_precision": f"CASE WHEN d.released_on IS NOT NULL THEN {released_precision} END",
        "release_mode": labels(Detention.ReleaseMode.choices, "d.release_mode"),
        "release_uid": "release.uid::text",
        "release_url": f"CASE WHEN release.uid IS NOT NULL THEN {literal(base + event_prefix)} || release.uid::text || {literal(event_suffix)} END",
        "facility": f"CASE WHEN {named} THEN d.facility ELSE '' END",
        "sentence": f"CASE WHEN {named} THEN d.sentence ELSE '' END",
        "articles": "charges.articles",
        "charges": f"CASE WHEN {named} THEN charges.described ELSE charges.plain END",
        "recognised_by": "recogniser.name",
        "recognised_on": iso("d.recognised_on", recognised_precision),
        "recognised_on_precision": f"CASE WHEN d.recognised_on IS NOT NULL THEN {recognised_precision} END",
    }
    # Not text, so not escaped: as tracker.exports.cell writes numbers, booleans and IDs.
    plain = {"is_named", "birth_year", "release_uid"}
    inner = ", ".join(f"{expression} AS {name}" for name, expression in values.items())
    outer = ", ".join(name if name in plain else escaped(name) for name in values)
    charge_parts = "NULLIF(c.code, ''), NULLIF(c.article, '')"
    sql = f"""
        SELECT {outer} FROM (
            SELECT {inner}, p.sort_name AS sort_key, p.uid AS person_key, d.detained_on AS detained_key, d.id AS detention_key
            FROM tracker_detention d
            JOIN tracker_person p ON p.id = d.person_id
            LEFT JOIN tracker_organization recogniser ON recogniser.id = d.recognised_by_id AND recogniser.status = {published}
            LEFT JOIN (
                SELECT rd.detention_id, min(e.uid::text)::uuid AS uid
                FROM events_releaseddetention rd JOIN events_event e ON e.id = rd.release_id
                WHERE e.status = {published}
                GROUP BY rd.detention_id
            ) release ON release.detention_id = d.id
            LEFT JOIN (
                SELECT c.detention_id,
                       string_agg(c.article, ', ' ORDER BY c.article, c.id) AS articles,
                       string_agg(NULLIF(concat_ws(' ', {charge_parts},
                                  CASE WHEN c.description <> '' THEN '(' || c.description || ')' END), ''),
                                  ' | ' ORDER BY c.article, c.id) AS described,
                       string_agg(NULLIF(concat_ws(' ', {charge_parts}), ''), ' | ' ORDER BY c.article, c.id) AS plain
                FROM tracker_charge c
                GROUP BY c.detention_id
            ) charges ON charges.detention_id = d.id
            WHERE d.id IN ({matching_sql})
        ) row
        ORDER BY sort_key, person_key, detained_key DESC NULLS LAST, detention_key
    """
    # The site's address is quoted into the statement (literal()), like the labels: the only
    # parameters are the filters'.
    return sql, matching_params
