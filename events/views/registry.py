"""The prisoner registry and the person page.

What the public may see of a person is decided here, in `shown_person` and
`shown_detention`, and nowhere else: templates receive only what these return,
so a template cannot print a detail the person's identity level hides
(DOMAIN rule 2). The filters that go with it are in events/registry_filters.py.

- `full`: everything public about the person and their detentions.
- `initials`: the initials; custody status, country, the years of detention
  and release, the articles charged under, the release mode and the release
  that freed them (already listed by initials on the release's page), and who
  recognised them as a political prisoner, in which year. Not their birth
  year, region, occupation, facility, sentence, exact dates, charge
  descriptions or sources: a source names the person, and the others, alone
  or together, can point at one person among the initials.
- `withheld` (and any level unknown to this code): no row and no page; a
  count in one line of the unfiltered list.
"""

import datetime
from dataclasses import dataclass, field

from django.db.models import Case, DateField, Exists, F, Max, Min, OuterRef, Prefetch, Q, When
from django.db.models.functions import TruncYear
from django.http import Http404
from django.shortcuts import render

from events.models import Event, ReleasedDetention
from events.registry_filters import LISTED, PrisonerFilter
from events.views.timeline import page_of, query_without_page
from tracker.caching import cached, public_page, query_key
from tracker.dates import PreciseDate, Precision, truncate
from tracker.models import (
    Charge,
    Detention,
    DetentionSource,
    IdentityLevel,
    NameVariant,
    Organization,
    Person,
    Source,
)


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
    if person.identity_level not in LISTED:
        # Callers never pass one; refuse rather than render a withheld person.
        raise ValueError("A withheld person has no public row or page.")
    is_named = person.identity_level == IdentityLevel.FULL
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


def with_registry_details(detentions):
    """Detentions with what a registry row or person page shows: one query per relation."""
    return (
        detentions.select_related("recognised_by")
        .prefetch_related(
            Prefetch("charges", queryset=Charge.objects.published().order_by("article", "pk")),
            Prefetch("released_detentions", queryset=ReleasedDetention.objects.published().select_related("release")),
        )
        .order_by(F("detained_on").desc(nulls_last=True), "pk")
    )


# The orders by date: each person by their latest, or earliest, matching detention.
DATE_ORDERS = {"newest": Max, "oldest": Min}


def by_shown_date(order, identity_level, date):
    """The first key of a date order: the date as the public sees it, the year only for people shown by initials."""
    shown = Case(
        When(**{identity_level: IdentityLevel.FULL}, then=F(date)),
        default=TruncYear(date, output_field=DateField()),
        output_field=DateField(),
    )
    return shown.desc(nulls_last=True) if order == "newest" else shown.asc(nulls_last=True)


def in_public_order(detentions, order, conditions=None):
    """The people with a matching detention, in the order the public sees, as a lazy queryset.

    detentions: published detentions of listed people (PrisonerFilter.qs).
    conditions: the same filters without the conditions on the person
    (PrisonerFilter.own_conditions()), to choose the people by: this query
    asks those of each person itself. Defaults to `detentions`.

    The order is what the public sees: a person shown by initials sorts by
    their initials (Person.sort_name, kept by save()) and by the year of their
    detention, never by the stored name or exact date, which would place them
    among the others and so narrow down what is hidden. Ties are broken by
    the random uid, which says nothing about anyone. The database sorts and
    pages: no list of every person is built in memory. Each person comes with
    their matching detentions (`matching_detentions`), one query per relation
    for however many people are read.
    """
    listed = (
        Person.objects.published()
        .filter(identity_level__in=LISTED)
        .prefetch_related(
            Prefetch("detentions", queryset=with_registry_details(detentions), to_attr="matching_detentions")
        )
    )
    if conditions is None:
        conditions = detentions
    if order in DATE_ORDERS:
        # The latest (or earliest) matching detention of each person, by one
        # grouped join: the filter joins each person to their matching
        # detentions and the aggregate after it reads that same join.
        people = listed.filter(detentions__in=conditions).annotate(
            matching_date=DATE_ORDERS[order]("detentions__detained_on")
        )
        return people.order_by(by_shown_date(order, "identity_level", "matching_date"), "sort_name", "uid")
    return listed.filter(with_detention(detentions, conditions)).order_by("sort_name", "uid")


def with_detention(detentions, conditions):
    """The condition "has one of these detentions", in the shape the database reads fastest.

    Most filters match few people: the database first finds their
    detentions, then sorts those people (a semi-join). Without one, nearly
    everyone matches, and walking the people in order (the sort index) while
    checking each is the cheaper way to a page.
    """
    if query_key(detentions) != query_key(Detention.objects.published().filter(person__identity_level__in=LISTED)):
        return Q(pk__in=conditions.values("person_id"))
    return Exists(conditions.filter(person=OuterRef("pk")))


def registry_rows(people):
    """What the public may see of each person read by in_public_order()."""
    return [shown_person(person, person.matching_detentions) for person in people]


# The people the registry's pages go through, at most. Beyond them a reader
# narrows the filters or downloads the list (CSV, spreadsheet, JSON), which
# holds everyone.
MAX_LISTED = 2_000


def listed_ids(filterset, order):
    """The keys of the people the list shows, in its order: the first MAX_LISTED + 1.

    Read in one query once per filter, order and change of the data; every
    page of the list and its count are then served from them, so page 400
    costs what page 1 does and no count reads the whole registry. The same
    order as in_public_order() (a test holds them together); by date, read
    from the matching detentions' side, grouped per person, which the
    database does in one pass over them.
    """
    if order in DATE_ORDERS:
        per_person = filterset.qs.order_by().values(
            "person_id", "person__sort_name", "person__uid", "person__identity_level"
        )
        people = per_person.annotate(matching_date=DATE_ORDERS[order]("detained_on")).order_by(
            by_shown_date(order, "person__identity_level", "matching_date"), "person__sort_name", "person__uid"
        )
        people = people.values_list("person_id", flat=True)
    else:
        people = in_public_order(filterset.qs, order, filterset.own_conditions()).prefetch_related(None)
        people = people.values_list("pk", flat=True)
    people = people[: MAX_LISTED + 1]
    return cached("registry-ids", lambda: list(people), query_key(people))


def people_in_order(ids, detentions):
    """The people with these keys, in this order, each with their matching detentions: one query per relation."""
    people = Person.objects.filter(pk__in=ids).prefetch_related(
        Prefetch("detentions", queryset=with_registry_details(detentions), to_attr="matching_detentions")
    )
    by_id = {person.pk: person for person in people}
    return [by_id[pk] for pk in ids if pk in by_id]


@public_page(PrisonerFilter, "page")
def prisoners(request):
    filterset = PrisonerFilter(request.GET or None, queryset=Detention.objects.published())
    context = {"filter": filterset, "query": query_without_page(request)}
    if filterset.is_bound and not filterset.is_valid():
        # The filters say what is wrong beside each field; no list is shown
        # rather than a list that ignores what was asked.
        return render(request, "events/prisoners.html", {**context, "invalid": True}, status=400)
    order = filterset.form.cleaned_data.get("order") if filterset.is_bound else ""
    ids = listed_ids(filterset, order)
    # Without filters or by custody status only, the registry's totals give
    # the exact count; otherwise the keys read say it, up to MAX_LISTED.
    count = filterset.listed_count()
    exact = count is not None or len(ids) <= MAX_LISTED
    if count is None:
        count = len(ids)
    page = page_of(request, ids[:MAX_LISTED])
    context.update(
        page=page,
        rows=registry_rows(people_in_order(page.object_list, filterset.qs)),
        filtered=bool(filterset.active_filters),
        count=count,
        exact=exact,
        max_listed=MAX_LISTED,
        withheld=filterset.withheld_count(),
    )
    return render(request, "events/prisoners.html", context)


@public_page()
def person_detail(request, uid):
    people = (
        Person.objects.published()
        .filter(identity_level__in=LISTED)
        .prefetch_related(
            Prefetch("name_variants", queryset=NameVariant.objects.published().order_by("name"), to_attr="shown_names"),
            Prefetch(
                "detentions",
                queryset=with_registry_details(Detention.objects.published()).prefetch_related(
                    Prefetch(
                        "detention_sources",
                        queryset=DetentionSource.objects.published().select_related("source__publisher"),
                        to_attr="shown_sources",
                    )
                ),
                to_attr="shown_detentions",
            ),
        )
    )
    # A withheld person's page answers exactly as a page that does not exist.
    person = people.filter(uid=uid).first()
    if person is None:
        raise Http404("No such person.")
    context = {"person": shown_person(person, person.shown_detentions)}
    return render(request, "events/person.html", context)
