"""Filters of the prisoner registry and the sources page.

The registry's filters carry DOMAIN rule 2: a filter, search or ordering may
only match a person on a detail the public pages show for them. A withheld
person shows nothing but a custody status, so no filter returns them as a row:
they are counted apart, in `withheld_count()`. A person shown by initials
shows their custody status, the years of their detentions, the articles they
were charged under and the release that freed them, so only those filters
can match them; their name, region and facility are never searched.
"""

import datetime
import functools
import re
from typing import NamedTuple

import django_filters
from django import forms
from django.core.exceptions import EmptyResultSet
from django.db import connections
from django.db.models import Count, Exists, OuterRef, Q, Value
from django.db.models.expressions import RawSQL

from events.models import Event, ReleasedDetention
from events.widgets import FastSelect
from tracker.caching import cached, choices_of, query_key
from tracker.models import (
    Charge,
    Detention,
    IdentityLevel,
    Organization,
    Person,
    Source,
)
from tracker.publishing import Status

# The identity levels whose people are rows of the registry. Anything else,
# including a level this code does not know, is treated as withheld.
LISTED = [IdentityLevel.FULL, IdentityLevel.INITIALS]

ORDERS = [
    ("name", "Name, A to Z"),
    ("newest", "Detained, newest first"),
    ("oldest", "Detained, oldest first"),
]

FIRST_YEAR, LAST_YEAR = 1900, 2100


class YearFilter(django_filters.NumberFilter):
    # A whole year: "2021" passes, "abc", "2021.5" and "99999" are refused.
    field_class = forms.IntegerField


def article_order(article):
    """'2', '130', '342', '361-1 part 2': the article's leading number counts as a number."""
    number = re.match(r"\d+", article)
    return (int(number.group()) if number else float("inf"), article)


def distinct_values(using="default", **lists):
    """The distinct non-empty values of some fields, sorted: one query that skips along indexes.

    `lists` maps a name to a (queryset, field) pair. For each, a step asks
    for the first value above the one before (ORDER BY field LIMIT 1), so
    the database reads a few index entries per distinct value rather than
    every row: a registry of 200,000 people has a few dozen regions,
    facilities and articles. The steps are the querysets' own SQL,
    published() rules and all, chained by recursive common table expressions
    (PostgreSQL and SQLite both have them), one per name, in one statement.
    """
    tables, selects, params, names = [], [], [], []
    for number, (name, (queryset, field)) in enumerate(lists.items()):
        table = f"found{number}"
        # Above "", not "not equal to": the index walk then starts after the empty values.
        ordered = queryset.filter(**{f"{field}__gt": ""}).order_by(field).values_list(field, flat=True)
        first = ordered[:1]
        after = ordered.filter(**{f"{field}__gt": RawSQL(f"{table}.value", [])})[:1]
        try:
            first_sql, first_params = first.query.get_compiler(using).as_sql()
            after_sql, after_params = after.query.get_compiler(using).as_sql()
        except EmptyResultSet:  # .none(): no values, nothing to ask
            continue
        tables.append(
            f"{table}(value) AS (SELECT ({first_sql}) "
            f"UNION ALL SELECT ({after_sql}) FROM {table} WHERE {table}.value IS NOT NULL)"
        )
        selects.append(f"SELECT %s, value FROM {table} WHERE value IS NOT NULL")
        params += [*first_params, *after_params]
        names.append(name)
    values = {name: [] for name in lists}
    if not selects:
        return values
    sql = f"WITH RECURSIVE {', '.join(tables)} {' UNION ALL '.join(selects)}"
    with connections[using].cursor() as cursor:
        cursor.execute(sql, (*params, *names))
        for name, value in cursor.fetchall():
            values[name].append(value)
    return {name: sorted(found) for name, found in values.items()}


def registry_choices():
    """The registry filters' choices, from what the public pages show: two queries.

    Regions of people named in full, facilities of their detentions and the
    articles of listed people's charges come in one query (three index
    skips, see distinct_values()), the releases in another.
    """
    regions = (
        Person.objects.published()
        .filter(identity_level=IdentityLevel.FULL)
        .filter(Exists(Detention.objects.published().filter(person=OuterRef("pk"))))
    )
    facilities = Detention.objects.published().filter(person__identity_level=IdentityLevel.FULL)
    # A charge is public with its detention; the check runs per charge (by
    # key), so each step stops at the first public one.
    articles = Charge.objects.filter(
        Exists(Detention.objects.published().filter(pk=OuterRef("detention_id"), person__identity_level__in=LISTED))
    )
    values = distinct_values(
        region=(regions, "region"), facility=(facilities, "facility"), article=(articles, "article")
    )
    return {
        "region": [(region, region) for region in values["region"]],
        "facility": [(facility, facility) for facility in values["facility"]],
        "article": [(article, article) for article in sorted(values["article"], key=article_order)],
        "release": [
            (str(release.uid), f"{release.title} ({release.occurred})")
            for release in Event.objects.published()
            .filter(kind=Event.Kind.RELEASE)
            .only("uid", "title", "occurred_on", "occurred_on_precision")
            .newest_first()
        ],
    }


class Totals(NamedTuple):
    listed: int
    withheld: int


def registry_totals(detentions):
    """The people with one of these detentions, listed and withheld, in all and per custody status: one query.

    A person with detentions in two statuses counts once in each, and once in
    all (the "" key). The unfiltered registry and its custody-status filter
    read their counts here, read once per change of the data, rather than
    counting the people on each list.
    """
    listed = Q(person__identity_level__in=LISTED)
    counts = {
        "listed": Count("person", distinct=True, filter=listed),
        "withheld": Count("person", distinct=True, filter=~listed),
    }
    detentions = detentions.order_by()
    per_status = detentions.values_list("custody_status").annotate(**counts)
    in_all = detentions.annotate(everything=Value("")).values_list("everything").annotate(**counts)
    return {
        status: Totals(listed, withheld) for status, listed, withheld in per_status.union(in_all, all=True).order_by()
    }


def publisher_choices():
    """Publishers of published sources, themselves published: one query."""
    return [
        (str(uid), name)
        for uid, name in Organization.objects.published()
        .filter(Exists(Source.objects.published().filter(publisher=OuterRef("pk"))))
        .order_by("name")
        .values_list("uid", "name")
    ]


class PrisonerFilter(django_filters.FilterSet):
    """Published detentions of the people the registry lists, one filter per question a reader asks."""

    q = django_filters.CharFilter(label="Name, in any spelling", method="filter_name", max_length=200)
    status = django_filters.ChoiceFilter(
        label="Custody status",
        field_name="custody_status",
        choices=Detention.CustodyStatus.choices,
        empty_label="Any status",
    )
    region = django_filters.ChoiceFilter(
        label="Home region", method="filter_region", empty_label="Any region", widget=FastSelect
    )
    facility = django_filters.ChoiceFilter(
        label="Facility", method="filter_facility", empty_label="Any facility", widget=FastSelect
    )
    article = django_filters.ChoiceFilter(
        label="Article charged under", method="filter_article", empty_label="Any article", widget=FastSelect
    )
    detained_year = YearFilter(
        label="Year detained", method="filter_detained_year", min_value=FIRST_YEAR, max_value=LAST_YEAR
    )
    released_year = YearFilter(
        label="Year released", method="filter_released_year", min_value=FIRST_YEAR, max_value=LAST_YEAR
    )
    release = django_filters.ChoiceFilter(
        label="Freed in the release", method="filter_release", empty_label="Any release", widget=FastSelect
    )
    order = django_filters.ChoiceFilter(label="Order", choices=ORDERS, method="filter_order", empty_label=None)

    class Meta:
        model = Detention
        fields = ["q", "status", "region", "facility", "article", "detained_year", "released_year", "release", "order"]

    def __init__(self, data=None, queryset=None, **kwargs):
        if queryset is None:
            queryset = Detention.objects.published()
        # Kept before any filter runs: withheld people are only ever counted (registry_totals).
        self.base = queryset
        self.release_keys = {}  # release uid -> its key (filter_release)
        super().__init__(data, queryset.filter(person__identity_level__in=LISTED), **kwargs)
        # The choices are the values shown on the public pages, so a value
        # only a withheld (or initials) person has is not a choice: asking for
        # it is refused exactly as a value nobody has. Read once per change of
        # the data (tracker/caching.py), and only when a form is shown or a
        # value has to be checked: a download without filters needs none.
        for name in ("region", "facility", "article", "release"):
            self.filters[name].extra["choices"] = functools.partial(
                choices_of, "registry-choices", registry_choices, name
            )

    @property
    def active_filters(self):
        """The names of the filters in use; the order is not a filter."""
        if not self.is_bound or not self.is_valid():
            return set()
        return {name for name, value in self.form.cleaned_data.items() if value not in (None, "") and name != "order"}

    def totals(self):
        """The registry_totals() row of this list, or None once anything but custody status filters it.

        Counting withheld people under any other filter would let the count
        answer "is a withheld person held in facility X?".
        """
        if self.active_filters - {"status"}:
            return None
        status = self.form.cleaned_data["status"] if "status" in self.active_filters else ""
        totals = cached("registry-totals", functools.partial(registry_totals, self.base), query_key(self.base))
        return totals.get(status, Totals(0, 0))

    def own_conditions(self):
        """The filters on published detentions, without the conditions on their person.

        For a query on people that asks those itself (published, listed): it
        then reads the detentions alone, not the people table twice. Never a
        list to show: its rows may belong to anyone.
        """
        detentions = Detention.objects.filter(status=Status.PUBLISHED)
        return self.filter_queryset(detentions) if self.is_bound and self.is_valid() else detentions

    def withheld_count(self):
        """How many withheld people the list stands for; None once anything but custody status filters it."""
        totals = self.totals()
        return None if totals is None else totals.withheld

    def listed_count(self):
        """How many people the list shows, when known without a query of its own (no filter, or custody status only)."""
        totals = self.totals()
        return None if totals is None else totals.listed

    def filter_name(self, queryset, name, value):
        # Only full names are searched: a hit on the stored name of someone
        # shown by initials would tell the reader who the initials stand for.
        named = Person.objects.published().filter(identity_level=IdentityLevel.FULL).matching(value)
        return queryset.filter(person__in=named)

    def filter_region(self, queryset, name, value):
        return queryset.filter(person__identity_level=IdentityLevel.FULL, person__region=value)

    def filter_facility(self, queryset, name, value):
        return queryset.filter(person__identity_level=IdentityLevel.FULL, facility=value)

    def filter_article(self, queryset, name, value):
        # The detentions filtered are published ones already (the charge is
        # public with its detention): the check is per detention, by key.
        return queryset.filter(Exists(Charge.objects.filter(detention=OuterRef("pk"), article=value)))

    def filter_detained_year(self, queryset, name, value):
        # A range rather than __year, so the database can use an index on the date.
        return queryset.filter(
            detained_on__gte=datetime.date(value, 1, 1), detained_on__lt=datetime.date(value + 1, 1, 1)
        )

    def filter_released_year(self, queryset, name, value):
        return queryset.filter(
            released_on__gte=datetime.date(value, 1, 1), released_on__lt=datetime.date(value + 1, 1, 1)
        )

    def filter_release(self, queryset, name, value):
        # The release's own key, looked up first: with it the database knows
        # the release names a few people and starts from them. Once per
        # filterset: own_conditions() applies the filters again.
        if value not in self.release_keys:
            releases = Event.objects.published().filter(kind=Event.Kind.RELEASE, uid=value)
            self.release_keys[value] = releases.values_list("pk", flat=True).first()
        release = self.release_keys[value]
        return queryset.filter(Exists(ReleasedDetention.objects.filter(detention=OuterRef("pk"), release_id=release)))

    def filter_order(self, queryset, name, value):
        # The view sorts people by what the public sees of them (see
        # events.views.registry.in_public_order); the database never orders by a hidden value.
        return queryset


class SourceFilter(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(label="Kind", choices=Source.Kind.choices, empty_label="Any kind")
    publisher = django_filters.ChoiceFilter(label="Publisher", method="filter_publisher", empty_label="Any publisher")

    class Meta:
        model = Source
        fields = ["kind", "publisher"]

    def __init__(self, data=None, queryset=None, **kwargs):
        if queryset is None:
            queryset = Source.objects.published()
        super().__init__(data, queryset, **kwargs)
        self.filters["publisher"].extra["choices"] = cached("publisher-choices", publisher_choices)

    def filter_publisher(self, queryset, name, value):
        return queryset.filter(publisher__uid=value, publisher__status=Status.PUBLISHED)
